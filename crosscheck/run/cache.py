"""Shared analysis for a batch: each unique file analyzed once per analyzer, and a persistent cache.

A dataset cites the same files many times (one file, several models, prompts and
runs). :func:`analyze` takes every code target of a batch, keeps one copy of each
file content (by sha256), looks each up in the :class:`AnalysisCache`, and runs
the analyzers only on the files it lacks: staged into a temporary folder (hard
links where possible): semgrep is given one folder, since it is slow with long file
lists and uses every core itself; bandit's files, since it uses one core, are split
into runs of shrinking size (:func:`_partition`), run :attr:`~crosscheck.analyzers.base.Analyzer.jobs` at a
time. Those that use every core run one at a time, then the split ones
(:func:`_waves`); as each run ends, the files every analyzer is done with are
announced, and the batch checks their pairs meanwhile. :meth:`Analysis.runs_for`
then gives each target the runs a direct check would give it: the same findings
with the target's own paths and fingerprints, the same per-file errors, status and
message. A test holds batch results to checking each pair alone.

The cache is keyed by the analyzer's :meth:`~crosscheck.analyzers.base.Analyzer.cache_key`
(its version and rules), crosscheck's own code (a change to crosscheck can change
how findings are normalized) and the file's sha256. Entries are JSON files under the
user cache folder, written atomically (temporary file and rename), so two runs that
share the cache at worst both write the same entry, and an entry that cannot be written (a full
disk) is left out, never half-written: it is computed again next time. A failed or timed-out run is not
cached. Plugins that give no cache key are run on every batch.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import itertools
import json
import os
import shutil
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import orjson

from crosscheck import analyzers
from crosscheck.analyzers.base import Analyzer, completed_run, fingerprint
from crosscheck.atomic import write_atomic
from crosscheck.load.cache_dir import default_cache_dir
from crosscheck.models import (
    AnalyzerInfo,
    AnalyzerRun,
    CodeTarget,
    Confidence,
    Finding,
    Options,
    RunStatus,
    Severity,
    SourceFile,
)
from crosscheck.run.cores import usable_cores

CACHE_FORMAT = 1
"""Bumped when the layout of a cache entry changes."""


@dataclass(frozen=True)
class FileResult:
    """One analyzer's result for one file content: findings and errors that name no path."""

    version: str
    """The analyzer's version as its run reported it."""
    findings: tuple[Finding, ...]
    """With ``path`` and ``fingerprint`` empty: they depend on where a target holds the file."""
    errors: tuple[str, ...]
    """Why the analyzer could not analyze the file, without the ``"path: "`` prefix."""


@functools.cache
def code_fingerprint() -> str:
    """sha256 of crosscheck's own modules and data, so that a changed crosscheck never reads
    results its previous code normalized."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(p for p in package.rglob("*") if p.is_file() and p.suffix in (".py", ".toml", ".json")
                       and "__pycache__" not in p.parts):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


class AnalysisCache:
    """The persistent cache under ``base`` (default: the user cache folder).

    ``analysis/<key>/<sha256[:2]>/<sha256>.json``: one analyzer's result for one file content;
    ``reports/<key[:2]>/<key>.json``: one pair's rendered reports, summary row and gate counts,
    keyed by everything the reports depend on (see :mod:`crosscheck.run.batch`);
    ``index/<code>/<sha256[:2]>/<sha256>.json``: the grounding index of one file content, by
    crosscheck's code (:meth:`get_index`, :func:`crosscheck.grounding.index.kept_in`).
    """

    def __init__(self, base: Path | None = None) -> None:
        self.base = base if base is not None else default_cache_dir()

    def key(self, analyzer: Analyzer, options: Options) -> str | None:
        """The folder name for ``analyzer``'s results under ``options``; None when they are not cached."""
        plugin_key = analyzer.cache_key(options)
        if plugin_key is None:
            return None
        text = json.dumps([CACHE_FORMAT, analyzer.name, plugin_key, code_fingerprint()])
        return f"{analyzer.name}-{hashlib.sha256(text.encode()).hexdigest()[:32]}"

    def _path(self, key: str, sha256: str) -> Path:
        return self.base / "analysis" / key / sha256[:2] / f"{sha256}.json"

    def get(self, key: str, sha256: str) -> FileResult | None:
        """The cached result, or None when there is none or it cannot be read (it is then rewritten)."""
        data = self._read(self._path(key, sha256))
        try:
            return _result_from(data) if data is not None else None
        except (ValueError, KeyError, TypeError):
            return None

    def unusable(self) -> str | None:
        """Why this cache cannot be used (its folder cannot be made, or written in), or None when it can."""
        try:
            self.base.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.base, prefix=".probe-"):
                pass
        except OSError as err:
            return err.strerror or type(err).__name__
        return None

    def has(self, key: str, sha256: str) -> bool:
        """Whether an entry for ``sha256`` is there (written whole: entries are written atomically)."""
        return self._path(key, sha256).is_file()

    def put(self, key: str, sha256: str, result: FileResult) -> None:
        self._write(self._path(key, sha256), json.dumps(_result_data(result), sort_keys=True))

    def _index_path(self, sha256: str) -> Path:
        # by crosscheck's code: how it indexes a file may change with it
        return self.base / "index" / code_fingerprint()[:32] / sha256[:2] / f"{sha256}.json"

    def get_index(self, sha256: str) -> Any | None:
        """The grounding index data of a file content (see :mod:`crosscheck.grounding.index`), or None."""
        try:
            return orjson.loads(self._index_path(sha256).read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return None

    def put_index(self, sha256: str, data: dict[str, Any]) -> None:
        try:
            text = orjson.dumps(data)
        except (orjson.JSONEncodeError, TypeError):
            return  # what orjson refuses (a lone surrogate in a parse error): built again next time
        self._write(self._index_path(sha256), text)

    def get_reports(self, key: str) -> dict[str, Any] | None:
        """A pair's cached reports entry (see :mod:`crosscheck.run.batch`), or None."""
        return self._read(self.base / "reports" / key[:2] / f"{key}.json")

    def put_reports(self, key: str, entry: dict[str, Any]) -> None:
        # key order kept: a summary row's dicts are in the order the page shows them
        self._write(self.base / "reports" / key[:2] / f"{key}.json", json.dumps(entry))

    @staticmethod
    def _write(path: Path, data: str | bytes) -> None:
        """Write an entry whole, or (a full disk, a folder made read-only) not at all: the cache is
        best-effort, and a run goes on without the entry."""
        with contextlib.suppress(OSError):
            write_atomic(path, data)

    @staticmethod
    def _read(path: Path) -> dict[str, Any] | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def clear(self) -> int:
        """Remove every cached analyzer result, report and index; the number of entries removed."""
        count = 0
        for folder in (self.base / "analysis", self.base / "reports", self.base / "index"):
            if folder.is_dir():
                count += sum(1 for p in folder.rglob("*.json") if p.is_file())
                shutil.rmtree(folder)
        return count


def _result_data(result: FileResult) -> dict[str, Any]:
    return {"version": result.version, "errors": list(result.errors), "findings": [
        {"analyzer": f.analyzer, "rule_id": f.rule_id, "cwe": list(f.cwe), "severity": f.severity.value,
         "confidence": f.confidence.value, "line": f.line, "end_line": f.end_line, "message": f.message,
         "snippet": f.snippet, "vocabulary": list(f.vocabulary), "suppression": f.suppression}
        for f in result.findings]}


def _result_from(data: dict[str, Any]) -> FileResult:
    findings = tuple(
        Finding(analyzer=str(f["analyzer"]), rule_id=str(f["rule_id"]), cwe=tuple(int(c) for c in f["cwe"]),
                severity=Severity(f["severity"]), confidence=Confidence(f["confidence"]), path="",
                line=int(f["line"]), end_line=int(f["end_line"]), message=str(f["message"]),
                snippet=str(f["snippet"]), fingerprint="", vocabulary=tuple(str(t) for t in f["vocabulary"]),
                suppression=str(f["suppression"]))
        for f in data["findings"])
    return FileResult(str(data["version"]), findings, tuple(str(e) for e in data["errors"]))


@dataclass
class Analysis:
    """Every analyzer's results for every file content of a batch."""

    names: tuple[str, ...]
    info: dict[str, AnalyzerInfo] = field(default_factory=dict)
    """Each analyzer's metadata by name, from its plugin: runs rebuilt from the cache carry it too."""
    results: dict[tuple[str, str], FileResult] = field(default_factory=dict)
    """By (analyzer name, file sha256)."""
    failures: dict[tuple[str, str], AnalyzerRun] = field(default_factory=dict)
    """By (analyzer name, file sha256): the failed run that should have analyzed the file."""
    durations: dict[str, float] = field(default_factory=dict)
    """Seconds each analyzer ran in this batch (0 when every result came from the cache)."""
    cached: int = 0
    """Results taken from the cache."""
    analyzed: int = 0
    """Results computed in this batch."""
    changed: set[str] = field(default_factory=set)
    """sha256 of files whose content changed while the analyzers ran (their results are not cached)."""

    def runs_for(self, target: CodeTarget) -> tuple[AnalyzerRun, ...]:
        """The runs a direct check of ``target`` gives: findings and errors under the target's paths."""
        runs = []
        for name in self.names:
            failed = next((self.failures[name, f.sha256] for f in target.files
                           if (name, f.sha256) in self.failures), None)
            if failed is not None:
                runs.append(failed)
                continue
            findings: list[Finding] = []
            errors: list[str] = []
            version = ""
            for source in target.files:
                result = self.results[name, source.sha256]
                version = version or result.version
                findings += [replace(f, path=source.path, fingerprint=fingerprint(name, f.rule_id, source.path, f.snippet))
                             for f in result.findings]
                errors += [f"{source.path}: {e}" for e in result.errors]
            run = completed_run(name, version, findings, errors, self.durations.get(name, 0.0))
            runs.append(replace(run, info=self.info.get(name, run.info)))
        return tuple(runs)


def analyze(plugins: Sequence[Analyzer], targets: Iterable[CodeTarget], options: Options,
            cache: AnalysisCache | None, *, started: Callable[[Analysis], None] = lambda analysis: None,
            ready: Callable[[frozenset[str]], None] = lambda shas: None) -> Analysis:
    """Analyze every distinct file of ``targets`` with every plugin, through ``cache`` when given.

    ``started`` is called with the analysis being filled once its analyzers are about to start (the
    files are staged, the cache looked up); ``ready`` with the sha256 of files as every plugin's result
    for them is in it, from the thread that ran the last one (the cached ones before ``started``). So a
    batch can use the analysis before it is complete, and check a pair as soon as its files are done.
    """
    unique, analysis, lookup = look_up(plugins, targets, options, cache)
    jobs = [_Job(plugin, lookup.keys[plugin.name], part) for plugin in plugins
            for part in _partition(lookup.missing[plugin.name], _workers(plugin, options.jobs))]
    waiting = Counter(source.sha256 for job in jobs for source in job.files)
    ready(frozenset(unique.keys() - waiting.keys()))
    if not jobs:
        started(analysis)
        return analysis
    lock = threading.Lock()
    computed: list[tuple[str, str, FileResult]] = []  # (key, sha256, result) to cache once every run has ended

    def run(job: _Job, staged: CodeTarget, gone: dict[str, str]) -> None:
        result = _checked(job.plugin, staged, options, analysis) if staged.files else None
        with lock:
            computed.extend(_fold(analysis, job, result, gone))
            for source in job.files:
                waiting[source.sha256] -= 1
            done = frozenset(source.sha256 for source in job.files if not waiting[source.sha256])
        ready(done)

    with tempfile.TemporaryDirectory(prefix="crosscheck-batch-") as stage:
        staged = [stage_files(Path(stage) / f"job{n}", job.files) for n, job in enumerate(jobs)]
        started(analysis)
        for wave, workers in _waves([job.plugin for job in jobs], options.jobs):
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="analyzer") as pool:
                list(pool.map(lambda n: run(jobs[n], *staged[n]), wave))
    # written last: each write waits for the GIL while the batch reconciles, and would delay the next run
    for key, sha, result in computed:
        if cache is not None and sha not in analysis.changed:
            cache.put(key, sha, result)
    return analysis


@dataclass(frozen=True)
class Lookup:
    """What a batch's cache holds of its analysis (:func:`look_up`)."""

    keys: dict[str, str | None]
    """Each analyzer's cache key by name (None: its results are not cached)."""
    missing: dict[str, list[SourceFile]]
    """By analyzer name: the distinct files whose result is not in the cache, in sha256 order."""


def look_up(plugins: Sequence[Analyzer], targets: Iterable[CodeTarget], options: Options,
            cache: AnalysisCache | None) -> tuple[dict[str, SourceFile], Analysis, Lookup]:
    """The distinct files of ``targets`` (by sha256), an analysis that holds every result ``cache`` has
    of them, and what it lacks."""
    unique: dict[str, SourceFile] = {}
    for target in targets:
        for source in target.files:
            unique.setdefault(source.sha256, source)
    analysis = Analysis(tuple(p.name for p in plugins), {p.name: p.info() for p in plugins})
    lookup = Lookup({}, {})
    for plugin in plugins:
        key = lookup.keys[plugin.name] = cache.key(plugin, options) if cache is not None else None
        missing = lookup.missing[plugin.name] = []
        for sha, source in sorted(unique.items()):
            hit = cache.get(key, sha) if cache is not None and key is not None else None
            if hit is None:
                missing.append(source)
            else:
                analysis.results[plugin.name, sha] = hit
                analysis.cached += 1
    return unique, analysis, lookup


@dataclass(frozen=True)
class _Job:
    """One analyzer run of a batch: a plugin over some of the files it lacks."""

    plugin: Analyzer
    key: str | None
    """The plugin's cache key (None: its results are not cached)."""
    files: list[SourceFile]


def _workers(plugin: Analyzer, cores: int | None = None) -> int:
    """How many runs of ``plugin`` go side by side: its :attr:`~Analyzer.jobs`, at most one per core (of
    ``cores``, else of this machine's)."""
    return max(1, min(plugin.jobs, cores or usable_cores()))


def _partition(files: list[SourceFile], workers: int) -> list[list[SourceFile]]:
    """The runs a plugin's ``files`` are split into: one for a plugin that uses every core itself.

    For a split one, parts that shrink as they go (each a ``1 / (2 * workers)`` share of the files
    left, at least :data:`_FILES_PER_PART`), run in that order: the pairs whose files are done are
    reconciled while the rest are analyzed, and the last runs, small, end close together, so that no
    core idles long at the end. A few files are only split evenly across the workers.
    """
    if workers == 1 or not files:
        return [files] if files else []
    if len(files) < 2 * workers * _FILES_PER_PART:
        count = min(len(files), workers)
        return [files[i::count] for i in range(count)]
    sizes: list[int] = []
    left = len(files)
    while left:
        size = min(left, max(_FILES_PER_PART, -(-left // (2 * workers))))
        sizes.append(size)
        left -= size
    if sizes[-1] < _FILES_PER_PART:
        sizes[0] += sizes.pop()  # a last part too small for its process start-up goes with the first
    starts = list(itertools.accumulate(sizes, initial=0))
    return [files[a:b] for a, b in itertools.pairwise(starts)]


_FILES_PER_PART = 16


def _fold(analysis: Analysis, job: _Job, run: AnalyzerRun | None,
          gone: dict[str, str]) -> list[tuple[str, str, FileResult]]:
    """Put one run's results (or its failure) into ``analysis``; the results to cache, by key and sha256."""
    plugin = job.plugin
    for sha, reason in gone.items():
        analysis.failures[plugin.name, sha] = AnalyzerRun(plugin.name, "", RunStatus.FAILED, message=reason,
                                                          info=plugin.info())
    if run is None:
        return []  # every file of the job was gone
    analysis.durations[plugin.name] = max(analysis.durations.get(plugin.name, 0.0), run.duration_s)
    kept = [source for source in job.files if source.sha256 not in gone]
    if not run.produced_result:
        for source in kept:
            analysis.failures[plugin.name, source.sha256] = replace(run, duration_s=0.0)
        return []
    results = _split(run, kept)
    for sha, result in results.items():
        analysis.results[plugin.name, sha] = result
        analysis.analyzed += 1
    return [(job.key, sha, result) for sha, result in results.items()] if job.key is not None else []


def _waves(plugins: Sequence[Analyzer], cores: int | None = None) -> list[tuple[list[int], int]]:
    """The order to run jobs in: lists of job numbers, and how many of each list run side by side.

    An analyzer that spreads over the cores itself (``jobs == 1``, e.g. semgrep) runs
    alone; then the parts of those split here (bandit), as many at once as they have
    workers. Running everything at once would oversubscribe the cores and add every
    analyzer's peak memory together.
    """
    alone = [([n], 1) for n, plugin in enumerate(plugins) if plugin.jobs == 1]
    split = [n for n, plugin in enumerate(plugins) if plugin.jobs > 1]
    return alone + ([(split, max(_workers(plugins[n], cores) for n in split))] if split else [])


def _checked(plugin: Analyzer, target: CodeTarget, options: Options, analysis: Analysis) -> AnalyzerRun:
    """``plugin``'s run over a staged ``target``, partial for files that changed under it; their
    sha256 go to :attr:`Analysis.changed`, so that their results are not cached."""
    run = _guarded(plugin, target, options)
    changed = analyzers.changed_files(target)
    analysis.changed.update(path.partition("/")[0] for path in changed)  # staged as <sha256>/<path>
    return analyzers.mark_changed((run,), changed)[0]


def _guarded(plugin: Analyzer, target: CodeTarget, options: Options) -> AnalyzerRun:
    return analyzers.run_guarded([plugin], target, options)[0]


def stage_files(folder: Path, files: Sequence[SourceFile], *,
                by_content: bool = True) -> tuple[CodeTarget, dict[str, str]]:
    """Put ``files`` into ``folder/<sha256>/<their path>`` (hard links, else copies): one folder to hand
    an analyzer, where each file keeps its name and its folders (rules may look at paths). Without
    ``by_content``, into ``folder/<their path>``, so the analyzers' paths are the files' own.

    Also returns the files that could not be staged (removed or made unreadable since they were
    read), by sha256, with the reason: their runs fail, and only the pairs citing them.
    """
    staged, gone = [], {}
    for source in files:
        relative = f"{source.sha256}/{source.path}" if by_content else source.path
        dest = folder / relative
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            try:
                os.link(os.path.realpath(source.abspath), dest)  # the file, not a link to it (which may be relative)
            except OSError:
                shutil.copyfile(source.abspath, dest)
        except OSError as err:
            gone[source.sha256] = (f"{source.path} was removed or became unreadable before it was analyzed "
                                   f"({err.strerror or err})")
            continue
        staged.append(replace(source, path=relative, abspath=str(dest)))
    return CodeTarget(root=str(folder), is_dir=True, files=tuple(sorted(staged, key=lambda s: s.path))), gone


def _split(run: AnalyzerRun, files: Sequence[SourceFile]) -> dict[str, FileResult]:
    """A run over a staged folder, as one result per file content."""
    by_path = {f"{source.sha256}/{source.path}": source.sha256 for source in files}
    findings: dict[str, list[Finding]] = {sha: [] for sha in by_path.values()}
    errors: dict[str, list[str]] = {sha: [] for sha in by_path.values()}
    for finding in run.findings:
        if finding.path in by_path:
            findings[by_path[finding.path]].append(replace(finding, path="", fingerprint=""))
    for error in run.errors:
        path, _, reason = error.partition(": ")
        if path in by_path:
            errors[by_path[path]].append(reason)
    return {sha: FileResult(run.version, tuple(findings[sha]), tuple(errors[sha])) for sha in by_path.values()}
