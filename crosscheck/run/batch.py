"""Checking a dataset of pairs (``crosscheck batch``): shared analysis, then one report per pair.

The stages of :mod:`crosscheck.run.pipeline`, arranged for many pairs:

1. every pair's code, review and labels are loaded (a pair that cannot be is
   recorded with its reason and does not stop the others);
2. the analyzers run once over every distinct file of the batch
   (:func:`crosscheck.run.cache.analyze`, through the persistent cache) in the
   background;
3. each pair is read, grounded and reconciled with its share of the analysis as
   soon as every analyzer is done with its files (bandit's files are split into
   runs of shrinking size, so most pairs are checked while the last runs go on),
   and its reports are written at once, so an interrupted batch keeps every
   finished pair; from :data:`~crosscheck.run.checkers.POOL_FROM` pairs up, in
   worker processes, one per core (:mod:`crosscheck.run.checkers`). Reading
   waits for the analysis because semgrep, which runs first, uses every core:
   reading beside it would only slow it down, and hold every pair's claims in
   memory while semgrep is at its peak.

Each pair's report is the one ``crosscheck check`` gives for that pair alone (a
test holds the two to each other).

With a cache, a pair's rendered reports, summary row and gate counts are kept too,
keyed by everything they depend on: crosscheck's code, each analyzer's cache key
(version, rules), the options, the formats, the pair's id, display paths and
metadata, and the sha256 of each code file, of the review and of the labels. A
later batch over the same pair writes them from the cache without reading,
grounding or analyzing anything. Pairs whose code is fetched, or checked by an
analyzer that gives no cache key, are always checked afresh.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import os
import queue
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from crosscheck import analyzers
from crosscheck.errors import CrosscheckError, InputError, OutputError
from crosscheck.load.code import ReviewText, load_code, load_review, may_be_export
from crosscheck.load.labels import load_labels
from crosscheck.load.manifest import Manifest, Pair
from crosscheck.load.sources import Provenance, Resolver
from crosscheck.models import CodeTarget, Options
from crosscheck.results.outcome import PairOutcome, PairSummary
from crosscheck.results.report import Report
from crosscheck.run import pipeline
from crosscheck.run.cache import CACHE_FORMAT, Analysis, AnalysisCache, code_fingerprint
from crosscheck.run.executors import CheckSetup, Executor, LocalExecutor, PairCheckers
from crosscheck.run.outputs import write_rendered
from crosscheck.run.pairs import PairInput, Task


@dataclass(frozen=True)
class BatchResult:
    """What a batch did: one outcome per pair (in manifest order, finished ones only when interrupted)."""

    outcomes: tuple[PairOutcome, ...]
    analysis: Analysis | None
    interrupted: bool = False


Progress = Callable[[str, int, int], None]
"""Called as ``progress(stage, done, total)``: stage ``load`` then ``check``."""

OnResult = Callable[[PairOutcome], None]
"""Called with each pair's outcome as it is finished, in manifest order."""


def run_batch(manifest: Manifest, options: Options, resolver: Resolver | None, *, output_dir: Path | None,
              formats: Sequence[str], cache: AnalysisCache | None,
              progress: Progress = lambda stage, done, total: None,
              on_result: OnResult = lambda outcome: None, processes: int = 1,
              executor: Executor | None = None) -> BatchResult:
    """Check every pair of ``manifest``; with ``output_dir``, write each pair's reports as it is finished.

    This is the one manifest runner: ``crosscheck batch`` runs it with the persistent
    cache, ``crosscheck check`` (several pairs, or ``--manifest``) and ``crosscheck demo``
    without one (``cache=None``).

    With ``processes`` above 1 and at least :data:`~crosscheck.run.checkers.POOL_FROM` pairs to check,
    the pairs are checked in that many worker processes (see :mod:`crosscheck.run.checkers`); their
    outcomes then carry their summary rows, not their reports. ``executor`` runs the analysis and the
    checks elsewhere (:mod:`crosscheck.run.executors`; default: this machine, with ``processes``).

    A ``KeyboardInterrupt`` while pairs are being checked ends the batch cleanly: the result
    then holds the pairs finished so far (their reports are already written) and says so. A report that
    cannot be written (a full disk) ends it with an :class:`~crosscheck.errors.OutputError` that says
    so and how many pairs' reports were written.
    """
    manifest = by_reviewer(manifest)
    finished = _InOrder(manifest, on_result, progress)
    try:
        return _run(manifest, options, resolver, output_dir, formats, cache, finished, progress, processes,
                    executor)
    except OutputError as err:
        written = sum(1 for outcome in finished.outcomes() if outcome.files)
        raise OutputError(f"{err}; the reports of {written} of {len(manifest.pairs)} pair(s) were written "
                          f"to {str(output_dir)!r}, and no summary") from None


def _run(manifest: Manifest, options: Options, resolver: Resolver | None, output_dir: Path | None,
         formats: Sequence[str], cache: AnalysisCache | None, finished: _InOrder, progress: Progress,
         processes: int, executor: Executor | None) -> BatchResult:
    """:func:`run_batch`, its pairs' outcomes put into ``finished`` as they are finished."""
    plugins = analyzers.load(options.analyzers)
    plugin_keys = [cache.key(p, options) for p in plugins] if cache is not None else [None]
    inputs: list[PairInput] = []
    for done, pair in enumerate(manifest.pairs, 1):
        item = _load(pair, manifest, resolver, cache, plugin_keys, options, formats, output_dir)
        if isinstance(item, PairOutcome):
            finished.keep(item)
        else:
            inputs.append(item)
        progress("load", done, len(manifest.pairs))
    executor = executor or LocalExecutor(processes)
    checkers = executor.checkers(CheckSetup(options, output_dir, tuple(formats),
                                            cache.base if cache is not None else None), len(inputs))
    analysis = None
    try:
        finished.add()  # those kept while loading (from the cache, or that could not be loaded)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="analysis") as pool:
            began: queue.SimpleQueue[Analysis] = queue.SimpleQueue()
            arrived: queue.SimpleQueue[frozenset[str]] = queue.SimpleQueue()
            pending = pool.submit(executor.analyze, plugins, [i.target for i in inputs], options, cache,
                                  started=began.put, ready=arrived.put)
            filling = _when_started(began, pending)
            try:
                with checkers:
                    for group in _as_analyzed(inputs, arrived, pending):
                        checkers.submit([Task(item, filling.runs_for(item.target),
                                              any(f.sha256 in filling.changed for f in item.target.files))
                                         for item in group])
                        finished.add(*checkers.done())
                    finished.add(*checkers.rest())
            except KeyboardInterrupt:
                executor.stop()  # the analysis is not waited for
                raise
            analysis = pending.result()
    except KeyboardInterrupt:
        finished.add(*checkers.done())  # pairs finished before the workers stopped
        return BatchResult(finished.outcomes(), analysis, interrupted=True)
    except OutputError:
        finished.keep(*_salvaged(checkers))  # counted, not handed on: the batch stops
        raise
    return BatchResult(finished.outcomes(), analysis)


def _salvaged(checkers: PairCheckers) -> list[PairOutcome]:
    """The outcomes of the groups finished when the batch stopped on an error, their reports written (at
    least: a group that failed too takes with it those collected in the same call)."""
    while True:
        try:
            return checkers.done()
        except CrosscheckError:
            continue  # that group's future is taken: the next call goes on with the others


class _InOrder:
    """The outcomes of a batch as they are finished, in any order; handed on (``on_result``, ``progress``)
    in manifest order, each as soon as every earlier pair's is."""

    def __init__(self, manifest: Manifest, on_result: OnResult, progress: Progress) -> None:
        self._order = [pair.id for pair in manifest.pairs]
        self._on_result = on_result
        self._progress = progress
        self._finished: dict[str, PairOutcome] = {}
        self._handed = 0

    def keep(self, *outcomes: PairOutcome) -> None:
        """Keep ``outcomes`` without handing them on yet (the next :meth:`add` does, when their turn has come)."""
        for outcome in outcomes:
            self._finished[outcome.id] = outcome

    def add(self, *outcomes: PairOutcome) -> None:
        """Keep ``outcomes`` (all of them, before any is handed on: a callback may raise Ctrl-C's
        ``KeyboardInterrupt``), then hand on those whose turn has come."""
        self.keep(*outcomes)
        while self._handed < len(self._order) and self._order[self._handed] in self._finished:
            self._on_result(self._finished[self._order[self._handed]])
            self._handed += 1
            self._progress("check", self._handed, len(self._order))

    def outcomes(self) -> tuple[PairOutcome, ...]:
        """Every finished outcome (their reports are written), in manifest order."""
        return tuple(self._finished[i] for i in self._order if i in self._finished)


def _when_started(began: queue.SimpleQueue[Analysis], pending: Future[Analysis]) -> Analysis:
    """The analysis ``pending`` fills, once its analyzers are about to start; its error if it fails before."""
    while True:
        try:
            return began.get(timeout=0.05)
        except queue.Empty:
            if pending.done():
                return pending.result()


def _as_analyzed(items: Sequence[PairInput], arrived: queue.SimpleQueue[frozenset[str]],
                 pending: Future[Analysis]) -> Iterator[list[PairInput]]:
    """``items``, each once every file of its code is analyzed (``arrived`` gives their sha256 as they
    are), and all the rest once ``pending`` is done; in groups of the reviews of one code among those
    ready at once, so that they share its index (grounding keeps the last few)."""
    waiting = [{f.sha256 for f in item.target.files} for item in items]
    holding: dict[str, list[int]] = defaultdict(list)
    for n, files in enumerate(waiting):
        for sha in files:
            holding[sha].append(n)
    given = [False] * len(items)
    free = [n for n, files in enumerate(waiting) if not files]
    def code(n: int) -> list[tuple[str, str]]:
        return [(f.sha256, f.path) for f in items[n].target.files]

    while True:
        for _, group in itertools.groupby(sorted(free, key=lambda n: (code(n), n)), key=code):
            numbers = list(group)
            for n in numbers:
                given[n] = True
            yield [items[n] for n in numbers]
        if all(given):
            return
        try:
            shas = arrived.get(timeout=0.05)
        except queue.Empty:
            free = [n for n, g in enumerate(given) if not g] if pending.done() else []
            if free:
                pending.result()  # its error, if any; else every file is analyzed
            continue
        free = []
        for sha in shas:
            for n in holding.pop(sha, ()):
                waiting[n].discard(sha)
                if not waiting[n] and not given[n]:
                    free.append(n)


def _load(pair: Pair, manifest: Manifest, resolver: Resolver | None, cache: AnalysisCache | None,
          plugin_keys: Sequence[str | None], options: Options, formats: Sequence[str],
          output_dir: Path | None) -> PairInput | PairOutcome:
    """A pair's inputs; or its outcome already: an error, or its reports from the cache (written out)."""
    code_name, review_name = pair.display_paths(manifest.root)
    try:
        target, source = _code(pair, resolver, options.follow_links)
        review = _review(pair, review_name)
        labels = load_labels(pair.labels) if pair.labels is not None else None
    except CrosscheckError as err:
        return PairOutcome(pair.id, code_name, review_name, None, str(err), metadata=pair.metadata)
    key = None
    if cache is not None and source is None and None not in plugin_keys:
        key = _report_key(pair, manifest, target, review, plugin_keys, options, formats)
        cached = _from_cache(cache, key, pair, manifest, formats, output_dir)
        if cached is not None:
            return cached
    return PairInput(pair, target, review, source, labels, code_name, review_name, key)


REVIEWER = "reviewer"
"""The metadata key a pull request comment's author goes under, so that the summary groups by bot."""


def by_reviewer(manifest: Manifest) -> Manifest:
    """``manifest`` with each pair whose review is a pull request's comment export split by the comments'
    authors: one pair per author (id ``<pair>-<author>``), the author's login under the metadata key
    ``reviewer`` (unless the manifest sets it), so each bot's review is judged, and summarised, on its own.
    A review that cannot be read is left for the pair's check to report; one that does not start as JSON
    is not read at all here."""
    pairs: list[Pair] = []
    taken = {pair.id for pair in manifest.pairs}
    for pair in manifest.pairs:
        try:
            export = load_review(str(pair.review)).comments if may_be_export(str(pair.review)) else None
        except CrosscheckError:
            export = None
        authors = export.authors if export is not None else ()
        given = dict(pair.metadata)
        if not authors or REVIEWER in given:
            pairs.append(pair)
            continue
        for author in authors:
            name = pair.id
            if len(authors) > 1:
                name = base = f"{pair.id}-{_slug(author)}"
                number = 1
                while name in taken:
                    number += 1
                    name = f"{base}-{number}"
                taken.add(name)
            metadata = tuple(sorted(pair.metadata + ((REVIEWER, author),)))
            pairs.append(dataclasses.replace(pair, id=name, metadata=metadata, author=author))
    return dataclasses.replace(manifest, pairs=tuple(pairs))


def _slug(author: str) -> str:
    """A login as part of a file name: ``coderabbitai[bot]`` -> ``coderabbitai-bot``."""
    return "-".join(part for part in "".join(c if c.isalnum() or c in "-_." else "-" for c in author).split("-")
                    if part) or "someone"


def _review(pair: Pair, shown: str) -> ReviewText:
    """The pair's review, shown as ``shown``; only its author's comments when the pair is one reviewer's."""
    review = dataclasses.replace(load_review(str(pair.review)), path=shown)
    if pair.author is not None and review.comments is not None:
        review = dataclasses.replace(review, comments=review.comments.by_author(pair.author))
    return review


def _code(pair: Pair, resolver: Resolver | None, follow_links: bool) -> tuple[CodeTarget, Provenance | None]:
    if pair.upstream is None:
        assert pair.code is not None  # the manifest guarantees one of code and upstream
        return load_code(pair.code, follow_links=follow_links), None
    if resolver is None:
        raise InputError(f"pair {pair.id!r} needs its code fetched, but fetching is off")
    resolved = resolver.resolve(pair.upstream)
    return load_code(resolved.path, follow_links=follow_links), resolved.provenance


def _report_key(pair: Pair, manifest: Manifest, target: CodeTarget, review: ReviewText,
                plugin_keys: Sequence[str | None], options: Options, formats: Sequence[str]) -> str:
    """The pair's key in the report cache: a hash of everything its reports depend on."""
    labels = None
    if pair.labels is not None:
        try:
            labels = hashlib.sha256(pair.labels.read_bytes()).hexdigest()
        except OSError:
            labels = "unreadable"
    parts = [CACHE_FORMAT, code_fingerprint(), list(plugin_keys), dataclasses.asdict(options),
             sorted(formats), pair.id, pair.author, pair.display_paths(manifest.root), list(pair.metadata),
             target.is_dir, [(f.path, f.sha256) for f in target.files], list(target.skipped), review.sha256,
             review.encoding,
             str(pair.labels) if pair.labels else None, labels,
             os.getcwd()]  # SARIF URIs are relative to the directory crosscheck runs in (the repository root)
    return hashlib.sha256(json.dumps(parts, default=str, sort_keys=True).encode()).hexdigest()


def _from_cache(cache: AnalysisCache, key: str, pair: Pair, manifest: Manifest, formats: Sequence[str],
                output_dir: Path | None) -> PairOutcome | None:
    """The pair's outcome from its cached reports (written to ``output_dir``), or None on a miss."""
    entry = cache.get_reports(key)
    if entry is None:
        return None
    try:
        texts = {fmt: str(entry["formats"][fmt]) for fmt in formats}
        row = dict(entry["row"])
        gates = tuple((str(name), int(count)) for name, count in entry["gates"].items())
    except (KeyError, TypeError, ValueError, AttributeError):
        return None  # an entry from another layout: check the pair afresh, which rewrites it
    code_name, review_name = pair.display_paths(manifest.root)
    files = write_rendered(texts, output_dir, pair.id) if output_dir else ()
    row["files"] = list(files)
    return PairOutcome(pair.id, code_name, review_name, None, None, files, pair.metadata, PairSummary(row, gates))


def check_pair(pair: Pair, manifest: Manifest, options: Options, resolver: Resolver | None) -> Report:
    """Check one pair by itself, its analyzers run on its code alone (what a batch's report of the pair
    must equal); its code is resolved first when it is an upstream file."""
    code_name, review_name = pair.display_paths(manifest.root)
    target, source = _code(pair, resolver, options.follow_links)
    review = _review(pair, review_name)
    return pipeline.check_target(target, review, options, display_path=code_name, source=source)
