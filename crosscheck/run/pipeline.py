"""The whole check as one plain function: load, analyze, read, ground, reconcile.

The analyzers run in the background while the review is read and grounded.
"""

from __future__ import annotations

import importlib
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from crosscheck import analyzers
from crosscheck.errors import AnalyzerError, InputError
from crosscheck.load.change import Change, change_from_git, load_diff
from crosscheck.load.code import ReviewText, load_code, load_part, load_review, load_reviews
from crosscheck.models import AnalyzerRun, ChangeScope, CodeTarget, Options, RunStatus
from crosscheck.run.cores import Cores

if TYPE_CHECKING:  # the later stages are imported where they are used, so that the analyzers start first
    from crosscheck.analyzers.base import Analyzer
    from crosscheck.grounding.model import GroundedReview
    from crosscheck.load.labels import Labels
    from crosscheck.load.sources import Provenance
    from crosscheck.results.report import Report
    from crosscheck.review.model import Citation


def source_note(source: Provenance) -> str:
    """What a reader must know when the code checked is not the revision the review saw."""
    return (f"the code is {source.revision} ({source.source.value}), not the reviewed revision: {source.note}; "
            "shifted or missing line citations may be drift, not hallucination")


def comment_notes(grounded: GroundedReview, change: Change | None) -> list[str]:
    """What a reader must know about pull-request comments: those whose code is gone (stale), and, with
    a change, those on a file the change does not touch (once per comment)."""
    from crosscheck.grounding.model import Status

    notes = []
    for claim, g in grounded.comment_anchors():
        c, comment = g.citation, claim.claim.comment
        if g.status is Status.STALE:
            notes.append(f"comment {comment} is stale: the code it was made on ({c.file}, {_lines(c)}) is no longer "
                         "in the code")
        elif change is not None and (g.path or c.file) and change.file(g.path or c.file or "") is None:
            notes.append(f"comment {comment} is on {c.file}, which the change does not touch")
    return notes


def _lines(c: Citation) -> str:
    if c.line is None:
        return "removed lines" if c.code else "the file"
    return f"line {c.line}" if c.end_line in (None, c.line) else f"lines {c.line}-{c.end_line}"


def test_files(target: CodeTarget, project_path: str | None, patterns: tuple[str, ...]) -> frozenset[str]:
    """The files of ``target`` that are tests by ``patterns``.

    A file is named by its path inside the code given (a folder's files relative
    to it; a single file by its name), or by ``project_path`` (the path in its
    project, for fetched code), never by where it happens to lie on this machine.
    """
    from crosscheck.reconcile.testcode import is_test_path

    def project_name(path: str) -> str:
        return project_path if project_path and not target.is_dir else path

    return frozenset(f.path for f in target.files if is_test_path(project_name(f.path), patterns))


def run(code_path: str, review_path: str, options: Options | None = None, *, labels: Labels | None = None) -> Report:
    """Check the review at ``review_path`` (``-`` for stdin) against the code at ``code_path``."""
    return run_text(code_path, load_review(review_path), options, labels=labels)


def run_change(code_path: str, review_paths: Sequence[str], options: Options | None = None, *,
               base: str | None = None, diff: str | None = None, labels: Labels | None = None) -> Report:
    """Check the review of a pull request (one review file, or several comment exports of it) against its
    change: ``git diff base...HEAD`` of the work tree holding ``code_path``, or the unified ``diff`` file.

    The analyzers see only the changed Python files (unless the scope is the whole tree), and they start
    as soon as those files are read; meanwhile, once a core is free (see :mod:`crosscheck.run.cores`),
    the rest of the code is read and the review is grounded in all of it.
    """
    options = options or Options()
    if (base is None) == (diff is None):
        raise InputError("give the change as a base revision or as a diff, not both or neither")
    if diff == "-" and "-" in review_paths:
        raise InputError("the diff and the review cannot both be read from standard input")
    change = change_from_git(Path(code_path), base) if base is not None else load_diff(str(diff), Path(code_path))
    review = load_reviews(review_paths)
    plugins = analyzers.load(options.analyzers)
    part = None if options.scope is ChangeScope.TREE else load_part(code_path, change.python_files,
                                                                   follow_links=options.follow_links)
    if part is not None:
        change.check_applies(part, where="the change")
    cores = Cores()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="analyzers") as pool:
        if part is None:  # the whole tree is analyzed
            target = load_code(code_path, follow_links=options.follow_links)
            change.check_applies(target, where="the change")
            pending = _start(pool, cores, analyzers.run_all, plugins, target, options)
            cores.wait_for_one()
        else:
            pending = _start(pool, cores, _run_staged, plugins, part, options)
            cores.wait_for_one()
            target = load_code(code_path, follow_links=options.follow_links)
        prepared = prepare(target, review, code_path)
        _meanwhile(target)
        runs = pending.result()
    return conclude(prepared, runs, options, labels, change)


def run_text(code_path: str, review: ReviewText, options: Options | None = None, *,
             display_path: str | None = None, source: Provenance | None = None,
             labels: Labels | None = None) -> Report:
    """Check an already read review against the code at ``code_path``.

    ``display_path`` is what the report calls the code (default: ``code_path``);
    ``source`` says where code fetched at run time came from, so the report can
    tell drift from hallucination when it is not the reviewed revision.
    ``labels`` (the code's known defects) adds the three-way comparison.
    """
    follow_links = options is not None and options.follow_links
    return check_target(load_code(code_path, follow_links=follow_links), review, options,
                        display_path=display_path or code_path, source=source, labels=labels)


def check_target(target: CodeTarget, review: ReviewText, options: Options | None = None, *, display_path: str,
                 source: Provenance | None = None, labels: Labels | None = None) -> Report:
    """Check an already read review against already loaded code: its analyzers run on it alone, in the
    background while the review is read and grounded (see :func:`run_text` for the arguments)."""
    options = options or Options()
    plugins = analyzers.load(options.analyzers)
    cores = Cores()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="analyzers") as pool:
        pending = _start(pool, cores, analyzers.run_all, plugins, target, options)
        cores.wait_for_one()
        prepared = prepare(target, review, display_path, source)
        _meanwhile(target)
        runs = pending.result()
    return conclude(prepared, runs, options, labels)


_LATER_STAGES = ("crosscheck.reconcile.claims", "crosscheck.reconcile.labels", "crosscheck.results.report",
                 "crosscheck.results.outcome", "crosscheck.run.outputs")
"""What :func:`conclude` imports (see there), and what turns its report into files."""


def _meanwhile(target: CodeTarget) -> None:
    """While the analyzers still run, what is done once they have ended would add every millisecond of it
    to the run's time: import the later stages, and count the lines of every file (which a report lists;
    a 30 MB tree takes a few hundredths of a second)."""
    for name in _LATER_STAGES:
        importlib.import_module(name)
    for source in target.files:
        _ = source.line_count


def _start(pool: ThreadPoolExecutor, cores: Cores, run: Callable[..., tuple[AnalyzerRun, ...]],
           plugins: Sequence[Analyzer], target: CodeTarget, options: Options) -> Future[tuple[AnalyzerRun, ...]]:
    """``run(plugins, target, options, done=...)`` started in ``pool``, each analyzer holding one of
    ``cores`` until it ends (see :mod:`crosscheck.run.cores`)."""
    taken = cores.take(len(plugins))

    def analyze() -> tuple[AnalyzerRun, ...]:
        try:
            return run(plugins, target, options, done=taken.give_one)
        finally:
            taken.give_back()  # the cores of the analyzers that never started, when the run failed before

    return pool.submit(analyze)


def _run_staged(plugins: Sequence[Analyzer], part: CodeTarget, options: Options, *,
                done: Callable[[], None] | None = None) -> tuple[AnalyzerRun, ...]:
    """The analyzers' runs over ``part`` (some files of a folder) alone: its files are put in a folder of
    their own (hard links), which the analyzers scan side by side."""
    from crosscheck.run.cache import stage_files

    with tempfile.TemporaryDirectory(prefix="crosscheck-change-") as folder:
        staged, gone = stage_files(Path(folder), part.files, by_content=False)
        if gone:
            raise InputError(next(iter(gone.values())))
        return analyzers.run_all(plugins, staged, options, done=done)


@dataclass(frozen=True)
class Prepared:
    """One pair read and grounded: everything but the analyzers' runs."""

    code_path: str
    """What the report calls the code."""
    target: CodeTarget
    review: ReviewText
    grounded: GroundedReview
    source: Provenance | None


def prepare(target: CodeTarget, review: ReviewText, code_path: str, source: Provenance | None = None) -> Prepared:
    """Read the review (or the pull request's comments) into claims and ground them in ``target`` (the
    analyzers may run meanwhile)."""
    from crosscheck.cwe import Lexicon
    from crosscheck.grounding.ground import ground
    from crosscheck.review import read_review
    from crosscheck.review.comments import read_comments

    lexicon = Lexicon.default()
    read = read_comments(review.comments, lexicon) if review.comments else read_review(review.text, lexicon)
    return Prepared(code_path, target, review, ground(read, target), source)


def conclude(prepared: Prepared, runs: tuple[AnalyzerRun, ...], options: Options,
             labels: Labels | None = None, change: Change | None = None) -> Report:
    """Reconcile a prepared pair with the analyzers' ``runs`` into its report."""
    from crosscheck.cwe import Lexicon
    from crosscheck.reconcile.claims import reconcile
    from crosscheck.reconcile.labels import compare
    from crosscheck.results.report import Report

    target, review, grounded, source = prepared.target, prepared.review, prepared.grounded, prepared.source
    lexicon = Lexicon.default()
    if not any(r.produced_result for r in runs):
        failures = "; ".join(f"{r.name}: {r.message or r.status.value}" for r in runs)
        raise AnalyzerError(f"no analyzer produced a result ({failures}); fix the analyzer installation and retry")
    diagnostics = [f"{r.name} {r.status.value}: {r.message}" for r in runs if r.status is not RunStatus.OK]
    diagnostics += [f"{f.path}: could not be parsed as Python ({f.error}); grounded as plain text"
                    for f in grounded.files if f.parser == "text"]
    if review.encoding not in ("utf-8", "utf-8-sig"):
        diagnostics.append(f"review decoded as {review.encoding}")
    if not review.text.strip():
        diagnostics.append("the review is empty")
    elif not grounded.claims:
        diagnostics.append("no claims found in the review")
    diagnostics += comment_notes(grounded, change)
    project_path = prepared.code_path if source else None
    reconciliation = reconcile(grounded, runs, options.min_severity, lexicon,
                               reviewed_revision=source is None or source.exact, audit=options.audit,
                               test_files=test_files(target, project_path, options.test_patterns),
                               test_findings=options.test_findings, change=change, scope=options.scope)
    notes = ((source_note(source),) if source and not source.exact else ()) + grounded.notes
    return Report(code_path=prepared.code_path, source=source, grounding_notes=notes, code=target,
                  review=review, grounded=grounded, runs=runs, reconciliation=reconciliation, options=options,
                  diagnostics=tuple(diagnostics),
                  labels=compare(labels, reconciliation, lexicon, code=target) if labels else None, change=change)
