"""The report: everything one check established, ready for any formatter.

Formatters only render a :class:`Report`; they compute nothing. ``to_dict`` is
the single place that decides the JSON shape (``schema/report.schema.json``),
and the other formats read the same values.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

from crosscheck import __version__
from crosscheck.grounding.model import GroundedReview, Grounding
from crosscheck.load.change import Change
from crosscheck.load.code import ReviewText
from crosscheck.models import AnalyzerRun, ChangeScope, CodeTarget, Options
from crosscheck.reconcile.labels import LabelComparison, comparison_dict
from crosscheck.reconcile.model import ClaimResult, FindingResult, Match, Reconciliation
from crosscheck.reconcile.testcode import DEFAULT_TEST_PATTERNS

if TYPE_CHECKING:  # a report only reads it: the fetcher (urllib, ssl) is loaded when code is fetched
    from crosscheck.load.sources import Provenance

SCHEMA_VERSION = "1.3"


def repo_path(path: str) -> str:
    """``path`` as reports name it: relative to the working directory when it lies there, posix-style,
    without ``./``; ``-`` (standard input) stays ``-``."""
    if path == "-":
        return path
    native = os.path.normpath(path)
    if os.path.isabs(native):
        cwd = Path.cwd()
        for candidate in (Path(native), Path(native).resolve()):
            if candidate.is_relative_to(cwd) and candidate != cwd:
                return candidate.relative_to(cwd).as_posix()
    return PurePath(native).as_posix()


@dataclass(frozen=True)
class Report:
    """The result of checking one code + review pair."""

    code_path: str
    """The code path as the user gave it, or the upstream path of fetched code."""
    source: Provenance | None
    """Where fetched code came from; None for code given as a local path."""
    grounding_notes: tuple[str, ...]
    """Notes on the grounding: revision drift, and code that is not the reviewed revision."""
    code: CodeTarget
    review: ReviewText
    grounded: GroundedReview
    runs: tuple[AnalyzerRun, ...]
    reconciliation: Reconciliation
    options: Options
    diagnostics: tuple[str, ...]
    """Problems met along the way that did not stop the check."""
    labels: LabelComparison | None = None
    """The comparison with ground-truth labels, when a label file was given."""
    change: Change | None = None
    """The pull request's change the review was checked against (pull-request mode), if any."""

    @property
    def all_diagnostics(self) -> tuple[str, ...]:
        """Every problem met that did not stop the check: files of the code that could not be read, then
        the :attr:`diagnostics`."""
        return self.code.skipped + self.diagnostics

    def code_file_path(self, path: str) -> str:
        """The :func:`repo_path` of a code file, from its path relative to the code root."""
        return repo_path(os.path.join(self.code_path, path) if self.code.is_dir else self.code_path)

    def review_file_path(self) -> str:
        """The :func:`repo_path` of the file the review was read from (``-`` for standard input): what a CI
        system is pointed at; :attr:`ReviewText.path` is the path as given, or as a batch's manifest names it."""
        return repo_path(self.review.file or self.review.path)

    def to_dict(self) -> dict[str, Any]:
        """The report as plain data, in the documented JSON shape."""
        rec = self.reconciliation
        return {
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "crosscheck", "version": __version__},
            "code": {
                "path": self.code_path,
                "files": [
                    {"path": f.path, "sha256": f.sha256, "lines": f.line_count, "parser": _parser(self.grounded, f.path)}
                    for f in self.code.files
                ],
                "sha256": self.code.files[0].sha256 if not self.code.is_dir else None,
                "source": _source(self.source) if self.source else None,
            },
            "review": {"path": self.review.path, "sha256": self.review.sha256, "encoding": self.review.encoding,
                       "lines": self.grounded.review.line_count},
            "options": {"min_severity": self.options.min_severity.value, "audit": self.options.audit,
                        "test_patterns": list(self.options.test_patterns or DEFAULT_TEST_PATTERNS),
                        "test_findings": self.options.test_findings},
            "verdict": {
                "stated": rec.verdict.stated.value,
                "consistency": rec.verdict.consistency.value,
                "reason": rec.verdict.reason,
                "evidence": [{"stated": e.stated.value, "line": e.line, "text": e.text} for e in rec.verdict.evidence],
            },
            "claims": [_claim(c, self.change is not None) for c in rec.claims],
            "findings": [_finding(f, self.change is not None) for f in rec.findings],
            "analyzers": [
                {
                    "name": r.name,
                    "version": r.version,
                    "status": r.status.value,
                    "message": r.message,
                    "errors": list(r.errors),
                    "findings": len(r.findings),
                    "duration_s": round(r.duration_s, 3) if self.options.timings else None,
                }
                for r in sorted(self.runs, key=lambda r: r.name)
            ],
            "grounding": {
                "notes": list(self.grounding_notes),
                "files": [{"path": f.path, "parser": f.parser, "error": f.error} for f in self.grounded.files],
            },
            "metrics": {
                "claims": dict(rec.metrics.claims_by_kind) | {"total": len(rec.claims)},
                "outcomes": dict(rec.metrics.claims_by_outcome),
                "findings": dict(rec.metrics.findings_by_status)
                | {"total": len(rec.findings), "relevant": rec.metrics.findings_relevant},
                "claim_precision": rec.metrics.claim_precision,
                "finding_recall": rec.metrics.finding_recall,
                "grounding_rate": rec.metrics.grounding_rate,
                "specificity": rec.metrics.specificity,
                "unverified_suggestions": rec.metrics.unverified_suggestions,
                "verdict_consistent": rec.metrics.verdict_consistent,
            },
            "labels": comparison_dict(self.labels) if self.labels else None,
            "diagnostics": list(self.all_diagnostics),
        } | ({"change": _change(self.change, self.options.scope)} if self.change else {})


def match_dict(match: Match) -> dict[str, Any]:
    """One match of a claim, in the report's JSON shape."""
    return {"finding": match.finding, "cwe": match.cwe, "location": match.location,
            "vocabulary": list(match.vocabulary)}


def match_text(match: Mapping[str, Any], *, with_id: bool = True) -> str:
    """One match of a report's claim (its JSON shape) in words: "F3: CWE-89; at line 58; words: md5"."""
    signals = [match["cwe"], match["location"]]
    if match["vocabulary"]:
        signals.append("words: " + ", ".join(match["vocabulary"]))
    return (f"{match['finding']}: " if with_id else "") + "; ".join(s for s in signals if s)


def finding_state(finding: Mapping[str, Any]) -> str:
    """A report finding's status with what qualifies it: "missed", "suppressed (# nosec)", "missed, test code"."""
    state = str(finding["status"])
    if finding["suppression"]:
        state += f" ({finding['suppression']})" if state == "suppressed" else f" (audited: {finding['suppression']})"
    if finding["test_context"]:
        state += ", test code"
    if finding.get("outside_change"):
        state += ", outside the change"
    return state


def _change(change: Change, scope: ChangeScope) -> dict[str, Any]:
    return {"base": change.base, "head": change.head, "scope": scope.value,
            "files": [{"path": f.path, "status": f.status, "old_path": f.old_path,
                       "added_lines": _ranges(f.added_lines)} for f in change.files]}


def _ranges(lines: frozenset[int]) -> list[list[int]]:
    """Line numbers as sorted [first, last] runs: 1, 2, 3, 7 -> [[1, 3], [7, 7]]."""
    runs: list[list[int]] = []
    for n in sorted(lines):
        if runs and runs[-1][1] == n - 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return runs


def _source(source: Provenance) -> dict[str, Any]:
    return {"kind": source.source.value, "exact": source.exact, "revision": source.revision,
            "location": source.location, "sha256": source.sha256, "note": source.note,
            "attempts": list(source.attempts)}


def _parser(grounded: GroundedReview, path: str) -> str | None:
    return next((f.parser for f in grounded.files if f.path == path), None)


def _citation(g: Grounding) -> dict[str, Any]:
    c = g.citation
    return {
        "kind": c.kind.value,
        "role": c.role.value,
        "line": c.line,
        "end_line": c.end_line,
        "code": c.code,
        "file": c.file,
        "review_line": c.review_line,
        "status": g.status.value,
        "path": g.path,
        "actual_line": g.actual_line,
        "score": g.score,
    } | ({"platform": True} if c.platform else {})


def _claim(result: ClaimResult, pr: bool) -> dict[str, Any]:
    claim = result.grounded.claim
    return {
        "id": claim.id,
        "title": claim.title,
        "text": claim.text,
        "span": {"start_line": claim.start_line, "end_line": claim.end_line},
        "kind": claim.kind.value,
        "hedge": claim.hedge.value,
        "cwe": list(claim.cwe),
        "citations": [_citation(g) for g in result.grounded.groundings],
        "outcome": result.outcome.value,
        "reason": result.reason,
        "findings": list(result.findings),
        "matches": [match_dict(m) for m in result.matches],
    } | ({"outside_change": result.outside_change} if pr else {}) | (
        {"comment": {"url": claim.comment, "author": claim.author}} if claim.comment else {})


def _finding(result: FindingResult, pr: bool) -> dict[str, Any]:
    f = result.finding
    return {
        "id": result.id,
        "analyzer": f.analyzer,
        "rule_id": f.rule_id,
        "cwe": list(f.cwe),
        "severity": f.severity.value,
        "confidence": f.confidence.value,
        "path": f.path,
        "line": f.line,
        "end_line": f.end_line,
        "message": f.message,
        "snippet": f.snippet,
        "fingerprint": f.fingerprint,
        "status": result.status.value,
        "relevant": result.relevant,
        "suppression": f.suppression,
        "test_context": result.test_context,
        "claims": list(result.claims),
    } | ({"outside_change": result.outside_change} if pr else {})
