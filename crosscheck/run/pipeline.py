"""The whole check as one plain function: load, analyze, read, ground, reconcile.

The analyzers run in the background while the review is read and grounded.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from crosscheck import analyzers
from crosscheck.cwe import Lexicon
from crosscheck.errors import AnalyzerError
from crosscheck.grounding.ground import ground
from crosscheck.grounding.model import GroundedReview
from crosscheck.load.code import ReviewText, load_code, load_review
from crosscheck.load.labels import Labels
from crosscheck.load.sources import Provenance
from crosscheck.models import AnalyzerRun, CodeTarget, Options, RunStatus
from crosscheck.reconcile.claims import reconcile
from crosscheck.reconcile.labels import compare
from crosscheck.reconcile.testcode import is_test_path
from crosscheck.results.report import Report
from crosscheck.review import read_review


def source_note(source: Provenance) -> str:
    """What a reader must know when the code checked is not the revision the review saw."""
    return (f"the code is {source.revision} ({source.source.value}), not the reviewed revision: {source.note}; "
            "shifted or missing line citations may be drift, not hallucination")


def test_files(target: CodeTarget, project_path: str | None, patterns: tuple[str, ...]) -> frozenset[str]:
    """The files of ``target`` that are tests by ``patterns``.

    A file is named by its path inside the code given (a folder's files relative
    to it; a single file by its name), or by ``project_path`` (the path in its
    project, for fetched code), never by where it happens to lie on this machine.
    """
    def project_name(path: str) -> str:
        return project_path if project_path and not target.is_dir else path

    return frozenset(f.path for f in target.files if is_test_path(project_name(f.path), patterns))


def run(code_path: str, review_path: str, options: Options | None = None, *, labels: Labels | None = None) -> Report:
    """Check the review at ``review_path`` (``-`` for stdin) against the code at ``code_path``."""
    return run_text(code_path, load_review(review_path), options, labels=labels)


def run_text(code_path: str, review: ReviewText, options: Options | None = None, *,
             display_path: str | None = None, source: Provenance | None = None,
             labels: Labels | None = None) -> Report:
    """Check an already read review against the code at ``code_path``.

    ``display_path`` is what the report calls the code (default: ``code_path``);
    ``source`` says where code fetched at run time came from, so the report can
    tell drift from hallucination when it is not the reviewed revision.
    ``labels`` (the code's known defects) adds the three-way comparison.
    """
    return check_target(load_code(code_path), review, options, display_path=display_path or code_path,
                        source=source, labels=labels)


def check_target(target: CodeTarget, review: ReviewText, options: Options | None = None, *, display_path: str,
                 source: Provenance | None = None, labels: Labels | None = None) -> Report:
    """Check an already read review against already loaded code: its analyzers run on it alone, in the
    background while the review is read and grounded (see :func:`run_text` for the arguments)."""
    options = options or Options()
    plugins = analyzers.load(options.analyzers)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="analyzers") as pool:
        pending = pool.submit(analyzers.run_all, plugins, target, options)
        prepared = prepare(target, review, display_path, source)
        runs = pending.result()
    return conclude(prepared, runs, options, labels)


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
    """Read the review into claims and ground them in ``target`` (the analyzers may run meanwhile)."""
    return Prepared(code_path, target, review, ground(read_review(review.text, Lexicon.default()), target), source)


def conclude(prepared: Prepared, runs: tuple[AnalyzerRun, ...], options: Options,
             labels: Labels | None = None) -> Report:
    """Reconcile a prepared pair with the analyzers' ``runs`` into its report."""
    target, review, grounded, source = prepared.target, prepared.review, prepared.grounded, prepared.source
    lexicon = Lexicon.default()
    if not any(r.produced_result for r in runs):
        failures = "; ".join(f"{r.name}: {r.message or r.status.value}" for r in runs)
        raise AnalyzerError(f"no analyzer produced a result ({failures}); fix the analyzer installation and retry")
    diagnostics = [f"{r.name} {r.status.value}: {r.message}" for r in runs if r.status is not RunStatus.OK]
    diagnostics += [f"{f.path}: neither ast nor libcst could parse it ({f.error}); grounded as plain text"
                    for f in grounded.files if f.parser == "text"]
    if review.encoding not in ("utf-8", "utf-8-sig"):
        diagnostics.append(f"review decoded as {review.encoding}")
    if not review.text.strip():
        diagnostics.append("the review is empty")
    elif not grounded.claims:
        diagnostics.append("no claims found in the review")
    project_path = prepared.code_path if source else None
    reconciliation = reconcile(grounded, runs, options.min_severity, lexicon,
                               reviewed_revision=source is None or source.exact, audit=options.audit,
                               test_files=test_files(target, project_path, options.test_patterns),
                               test_findings=options.test_findings)
    notes = ((source_note(source),) if source and not source.exact else ()) + grounded.notes
    return Report(code_path=prepared.code_path, source=source, grounding_notes=notes, code=target,
                  review=review, grounded=grounded, runs=runs, reconciliation=reconciliation, options=options,
                  diagnostics=tuple(diagnostics),
                  labels=compare(labels, reconciliation, lexicon, code=target) if labels else None)
