"""What the formats for a CI system's own channels (GitHub annotations, GitLab Code Quality, the pull-request
summary) put in front of a reader: the results of a report that need attention, each at its place in the code.

Selected, each with a level:

- the verdict, when it is ``contradicted`` or ``self-contradictory``: ``error``, at no place in the code;
- a ``contradicted`` claim: ``error``; an ``ungrounded`` claim: ``warning``; an ``unsupported`` claim (a
  defect claim no analyzer finding backs, which static analysis cannot settle): ``notice``;
- a ``missed`` finding that is relevant (at or above the severity threshold, not suppressed, not test-code
  noise, on the change): ``error`` when its severity is high, else ``warning``.

Left out: what asks for no action (``confirmed``, ``upheld`` and ``generic`` claims; matched, suppressed or
irrelevant findings) and, in pull-request mode, every claim and finding outside the change: they are not
the change's. Every one of these facts is the report's; this module only picks and orders them.

A claim's place is its first located anchor, the platform's anchor of its comment first (the line the
comment sits on, which is in the pull request's diff): where the cited code really is (``exact``, ``near``,
``moved``), or the cited lines of an ``unchecked`` line citation. A claim with none has no place. Paths are
the report's (:meth:`~crosscheck.results.report.Report.code_file_path`): relative to the working directory,
which in CI is the repository's root.

Items come sorted: those without a place first (the verdict, then claims in review order), then by path,
line, the claims before the findings, and report order. Their text is untrusted and raw; :func:`lines` gives
it as plain one-line text without control characters, and each format escapes that for its own medium.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from crosscheck.formats.untrusted import one_line, printable
from crosscheck.grounding.model import Grounding, Status
from crosscheck.models import Severity
from crosscheck.reconcile.model import ClaimResult, Consistency, FindingResult, FindingStatus, Outcome
from crosscheck.results.report import Report

SUMMARY_LIMIT = 300
"""Characters of a claim's text or a finding's message shown."""
REASON_LIMIT = 300


class Level(str, enum.Enum):
    """How much an item needs attention: the three levels of GitHub's annotations."""

    ERROR = "error"
    WARNING = "warning"
    NOTICE = "notice"


CLAIM_LEVELS = {Outcome.CONTRADICTED: Level.ERROR, Outcome.UNGROUNDED: Level.WARNING,
                Outcome.UNSUPPORTED: Level.NOTICE}
"""The claim outcomes that need attention, and their level."""


class Subject(str, enum.Enum):
    """What an item is about."""

    VERDICT = "verdict"
    CLAIM = "claim"
    FINDING = "finding"


@dataclass(frozen=True)
class Place:
    """Lines of a file of the code, the file named as the report names it."""

    path: str
    line: int
    end_line: int


@dataclass(frozen=True)
class Item:
    """One result of the report that needs attention."""

    level: Level
    subject: Subject
    id: str
    """``verdict``, the claim's id (``C3``) or the finding's (``F7``)."""
    status: str
    """The verdict's consistency, the claim's outcome, or the finding's status (``missed``)."""
    summary: str
    """What it is: the claim's title (else its text), the finding's message, the verdict the review states."""
    reason: str
    """Why it is there: the reason the report gives."""
    place: Place | None
    rule: str
    """What found it: ``crosscheck/verdict/<consistency>``, ``crosscheck/claim/<outcome>``, or the finding's
    ``<analyzer>/<rule id>``."""
    identity: str
    """Stable across runs and line moves: the claim's kind, text and comment, or the finding's fingerprint."""
    review_line: int | None = None
    """The claim's first line in the review (the verdict's first evidence line), when the review is one text
    file: the lines of a comment export's text are not lines of the export's files."""
    severity: str = ""
    """The finding's severity."""
    cwe: tuple[int, ...] = ()
    comment: str = ""
    """The pull-request comment the claim was read from: its URL, else the platform's id of it."""
    author: str = ""


@dataclass(frozen=True)
class StaleComment:
    """A pull-request comment whose code (the platform's anchor) is no longer anywhere in the code."""

    comment: str
    author: str
    file: str | None
    line: int | None


def items(report: Report) -> tuple[Item, ...]:
    """The results of ``report`` that need attention, sorted (see the module docs)."""
    rec = report.reconciliation
    found: list[Item] = []
    if rec.verdict.consistency in (Consistency.CONTRADICTED, Consistency.SELF_CONTRADICTORY):
        evidence = rec.verdict.evidence
        found.append(Item(
            level=Level.ERROR, subject=Subject.VERDICT, id="verdict", status=rec.verdict.consistency.value,
            summary=rec.verdict.stated.value, reason=rec.verdict.reason, place=None,
            rule=f"crosscheck/verdict/{rec.verdict.consistency.value}", identity="verdict",
            review_line=evidence[0].line if evidence and review_file(report) else None))
    paths = _Paths(report)
    found += [_claim(report, paths, c) for c in rec.claims if c.outcome in CLAIM_LEVELS and not c.outside_change]
    found += [_finding(paths, f) for f in rec.findings
              if f.status is FindingStatus.MISSED and f.relevant and not f.outside_change]
    ordered = sorted(enumerate(found), key=lambda pair: (
        pair[1].place is not None, pair[1].place.path if pair[1].place else "",
        pair[1].place.line if pair[1].place else 0, pair[1].subject is Subject.FINDING, pair[0]))
    return tuple(item for _, item in ordered)


class _Paths:
    """:meth:`Report.code_file_path` of each path, worked out once per path (it asks the file system)."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.known: dict[str, str] = {}

    def __call__(self, path: str) -> str:
        if path not in self.known:
            self.known[path] = self.report.code_file_path(path)
        return self.known[path]


def review_file(report: Report) -> bool:
    """Whether the review is one text file, whose lines are the review's lines (not standard input, nor a
    comment export, whose text is not the file's)."""
    return report.review.path != "-" and report.review.comments is None


def _claim(report: Report, paths: _Paths, result: ClaimResult) -> Item:
    claim = result.grounded.claim
    return Item(
        level=CLAIM_LEVELS[result.outcome], subject=Subject.CLAIM, id=claim.id,
        status=result.outcome.value, summary=claim.title or claim.text, reason=result.reason,
        place=claim_place(report, result, paths), rule=f"crosscheck/claim/{result.outcome.value}",
        identity="\x1f".join(("claim", claim.kind.value, " ".join(claim.text.split()).casefold(), claim.comment)),
        review_line=claim.start_line if review_file(report) else None, cwe=claim.cwe,
        comment=claim.comment, author=claim.author)


def _finding(paths: _Paths, result: FindingResult) -> Item:
    f = result.finding
    return Item(
        level=Level.ERROR if f.severity is Severity.HIGH else Level.WARNING, subject=Subject.FINDING,
        id=result.id, status=result.status.value, summary=f.message, reason="the review does not report it",
        place=Place(paths(f.path), f.line, max(f.line, f.end_line)),
        rule=f"{f.analyzer}/{f.rule_id}", identity=f"finding\x1f{f.analyzer}\x1f{f.rule_id}\x1f{f.fingerprint}",
        severity=f.severity.value, cwe=f.cwe)


def claim_place(report: Report, result: ClaimResult, paths: Callable[[str], str] | None = None) -> Place | None:
    """Where the claim is in the code: its first located anchor, the platform's anchor first; None if none.
    ``paths`` names a file of the code as the report does (default: :meth:`Report.code_file_path`)."""
    anchors = sorted(result.grounded.anchors, key=lambda g: not g.citation.platform)  # stable: else in order
    name = paths or report.code_file_path
    return next((p for p in (_anchor_place(report, name, g) for g in anchors) if p is not None), None)


def _anchor_place(report: Report, name: Callable[[str], str], grounding: Grounding) -> Place | None:
    lines = grounding.lines
    if grounding.path is None or lines is None:
        return None
    first, last = lines
    source = report.code.file(grounding.path)
    last = min(max(first, last), source.line_count) if source else first
    return Place(name(grounding.path), first, max(first, last))


def stale_comments(report: Report) -> tuple[StaleComment, ...]:
    """The pull-request comments whose code is gone, once each, in review order (outside the change or not:
    a stale comment is the review's state, not the code's)."""
    return tuple(StaleComment(claim.claim.comment, claim.claim.author, g.citation.file, g.citation.line)
                 for claim, g in report.grounded.comment_anchors() if g.status is Status.STALE)


def cwe_text(cwe: tuple[int, ...], limit: int = 4) -> str:
    """``CWE-327, CWE-328``: the first ``limit`` categories."""
    return ", ".join(f"CWE-{n}" for n in cwe[:limit])


def plain(text: object, limit: int = 0) -> str:
    """Untrusted text as one plain line: no control characters, no lone surrogates, shortened to ``limit``."""
    return one_line(printable(text), limit)


def lines(item: Item) -> list[str]:
    """The item in words, as plain lines (see :func:`plain`), the untrusted text shortened: what it is, why,
    and the comment it judges."""
    summary = plain(item.summary, SUMMARY_LIMIT)
    reason = plain(item.reason, REASON_LIMIT)
    if item.subject is Subject.FINDING:
        cwe = f", {cwe_text(item.cwe)}" if item.cwe else ""
        analyzer, _, rule = item.rule.partition("/")
        out = [f"{plain(analyzer)} {plain(rule)} ({item.severity}{cwe}): {summary}",
               f"{item.id} {item.status}: {reason}."]
    elif item.subject is Subject.CLAIM:
        out = [f"{item.id} ({item.status}): {summary}", f"{item.status.capitalize()}: {reason}"]
    else:
        out = [f"The review states {summary}, and its verdict is {item.status}: {reason}"]
    if item.comment:
        by = f" by {plain(item.author)}" if item.author else ""
        out.append(f"Comment: {plain(item.comment)}{by}")
    return out
