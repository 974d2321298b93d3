"""Checking the pairs of a batch once their files are analyzed: the work a batch hands to its workers.

A :class:`Task` is one pair's inputs (:class:`PairInput`) with its share of the analysis. In this process
or a local worker, :func:`check_group` reads, grounds and reconciles the reviews of one code and writes
their reports; on a remote worker, :func:`render_group` renders them instead, and :func:`finish` writes
them where the batch runs (:mod:`crosscheck.run.executors`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from crosscheck.errors import CrosscheckError
from crosscheck.formats import render
from crosscheck.load.code import ReviewText
from crosscheck.load.labels import Labels
from crosscheck.load.manifest import Pair
from crosscheck.load.sources import Provenance
from crosscheck.models import AnalyzerRun, CodeTarget, Options
from crosscheck.results.gates import gate_counts
from crosscheck.results.outcome import PairOutcome, PairSummary, summary_rows
from crosscheck.results.report import Report
from crosscheck.run import pipeline
from crosscheck.run.cache import AnalysisCache
from crosscheck.run.outputs import write_rendered


@dataclass(frozen=True)
class PairInput:
    """A pair's inputs, loaded and waiting for the shared analysis."""

    pair: Pair
    target: CodeTarget
    review: ReviewText
    source: Provenance | None
    labels: Labels | None
    code_name: str
    review_name: str
    key: str | None
    """The pair's key in the report cache; None when its reports are not cached."""


@dataclass(frozen=True)
class Task:
    """A pair ready to be checked: its inputs and its share of the analysis (what a worker is sent)."""

    item: PairInput
    runs: tuple[AnalyzerRun, ...]
    changed: bool
    """Whether a file of its code changed while the analyzers ran (its reports are then not cached)."""


@dataclass(frozen=True)
class Rendered:
    """A pair checked where its reports cannot be written (a remote worker): its outcome, with its summary
    row in place of its report, and the texts of its reports, to write where the batch runs (:func:`finish`)."""

    outcome: PairOutcome
    texts: dict[str, str]
    cacheable: bool
    key: str | None


def render_group(tasks: list[Task], *, options: Options, formats: tuple[str, ...],
                 cache_base: Path | None) -> list[Rendered]:
    """Check ``tasks`` and render their reports without writing any (see :class:`Rendered`); grounding
    indexes are read from and kept in the cache at ``cache_base`` (on this machine)."""
    from crosscheck.grounding.index import kept_in

    rendered = []
    with kept_in(AnalysisCache(cache_base) if cache_base is not None else None):
        for task in tasks:
            outcome, texts, cacheable = _concluded(task, options, formats, render_all=True)
            rendered.append(Rendered(_summarized(outcome), texts, cacheable, task.item.key))
    return rendered


def finish(rendered: Rendered, output_dir: Path | None, cache: AnalysisCache | None) -> PairOutcome:
    """Write a :class:`Rendered` pair's reports (and put them into the cache); its outcome."""
    outcome = rendered.outcome
    files = write_rendered(rendered.texts, output_dir, outcome.id) if output_dir else ()
    if outcome.summary is None:
        return dataclasses.replace(outcome, files=files)
    summary = PairSummary({**outcome.summary.row, "files": list(files)}, outcome.summary.gates)
    if rendered.cacheable and cache is not None and rendered.key is not None:
        _keep(cache, rendered.key, rendered.texts, summary)
    return dataclasses.replace(outcome, files=files, summary=summary)


def _keep(cache: AnalysisCache, key: str, texts: dict[str, str], summary: PairSummary) -> None:
    """Put a pair's reports, summary row and gate counts into the report cache."""
    cache.put_reports(key, {"formats": dict(texts), "row": summary.row, "gates": dict(summary.gates)})


def _summary(outcome: PairOutcome, report: Report) -> PairSummary:
    """The summary row and gate counts of ``outcome``, whose report is ``report``."""
    return PairSummary(summary_rows([outcome])[0], tuple(gate_counts(report).items()))


def check_group(tasks: list[Task], in_worker: bool, *, options: Options, output_dir: Path | None,
                 formats: tuple[str, ...], cache_base: Path | None) -> list[PairOutcome]:
    """Check ``tasks`` (the reviews of one code, which share its index). In a worker, each outcome is sent
    back with its summary row instead of its report (all the batch needs of it, a fraction of its size)."""
    from crosscheck.grounding.index import kept_in  # imported once the analyzers are under way

    cache = AnalysisCache(cache_base) if cache_base is not None else None
    with kept_in(cache):  # new reviews of files seen before: their indexes are read, not built
        outcomes = [_check(task, options, output_dir, formats, cache) for task in tasks]
    return [_summarized(outcome) for outcome in outcomes] if in_worker else outcomes


def _summarized(outcome: PairOutcome) -> PairOutcome:
    """``outcome`` with its summary row and gate counts in place of its report."""
    if outcome.report is None:
        return outcome
    summary = outcome.summary or _summary(outcome, outcome.report)
    return dataclasses.replace(outcome, report=None, summary=summary)


def _concluded(task: Task, options: Options, formats: Sequence[str],
               render_all: bool) -> tuple[PairOutcome, dict[str, str], bool]:
    """Read, ground and reconcile one pair: its outcome (with its report), its reports' texts (when it has a
    report and ``render_all``, or when they may be cached), and whether they may be cached."""
    item, pair = task.item, task.item.pair
    prepared = pipeline.prepare(item.target, item.review, item.code_name, item.source)
    try:
        report = pipeline.conclude(prepared, task.runs, options, item.labels)
    except CrosscheckError as err:
        return PairOutcome(pair.id, item.code_name, item.review_name, None, str(err), metadata=pair.metadata), {}, False
    cacheable = item.key is not None and all(run.produced_result for run in report.runs) and not task.changed
    texts = {fmt: render(report, fmt) for fmt in formats} if render_all or cacheable else {}
    return PairOutcome(pair.id, item.code_name, item.review_name, report, None, (), pair.metadata), texts, cacheable


def _check(task: Task, options: Options, output_dir: Path | None, formats: Sequence[str],
           cache: AnalysisCache | None) -> PairOutcome:
    """Read, ground and reconcile one pair, and write its reports (and put them into the cache)."""
    item = task.item
    outcome, texts, cacheable = _concluded(task, options, formats, render_all=output_dir is not None)
    if outcome.report is None:
        return outcome
    files = write_rendered(texts, output_dir, item.pair.id) if output_dir else ()
    outcome = dataclasses.replace(outcome, files=files)
    report = outcome.report
    if not cacheable or cache is None or item.key is None or report is None:  # (mypy: cacheable implies the key)
        return outcome  # a failed or missing analyzer, or code that changed meanwhile: check it afresh next time
    summary = _summary(outcome, report)
    _keep(cache, item.key, texts, summary)
    return dataclasses.replace(outcome, summary=summary)  # the row is not computed again for the summary
