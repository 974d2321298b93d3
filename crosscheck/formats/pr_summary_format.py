"""A compact Markdown summary of a pull request's review, for a GitHub Actions job summary
(``$GITHUB_STEP_SUMMARY``) or any other place that shows Markdown.

A heading (the change checked, or the code and the review), the headline (what is wrong with the review's
claims, :mod:`crosscheck.results.headline`), the verdict, a table of counts (claims by
outcome, missed findings), then the items that need attention, as :mod:`crosscheck.formats.attention`
selects them: contradicted claims, ungrounded claims, findings the review missed on the change, and the
pull-request comments whose code is gone (stale). A claim names its comment, as a link when the comment has
an address; a finding is named by ``path:line``. Analyzers that did not run cleanly close it.

GitHub takes at most 1 MiB of summary per step, so the summary stops at :data:`BUDGET` bytes (UTF-8), the
rest of that MiB left for what else the step writes. The lists share the room evenly (a list that needs
less than its share leaves the rest to the others); each keeps the items that fit in its share, whole
lines only, and says how many it leaves out ("… 12 more not shown").

Review text, analyzer messages, paths, authors and comment addresses are untrusted. Text is made inert
Markdown by the Markdown report's own escaping (:func:`crosscheck.formats.markdown_format.text` and
``code``): no raw HTML, no link, image, emphasis or table cell made by the review, no mention. A link is
made only to an ``http`` or ``https`` address with a plain host name, its address percent-encoded beyond
the characters an address needs, so it cannot close the link or open another; its text is crosscheck's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import quote

from crosscheck.formats import attention
from crosscheck.formats.base import ReportFormat
from crosscheck.formats.markdown_format import code, text
from crosscheck.formats.untrusted import printable
from crosscheck.models import RunStatus
from crosscheck.reconcile.model import OUTCOME_ORDER, FindingStatus, Outcome
from crosscheck.results.headline import headline
from crosscheck.results.report import Report

MAX_BYTES = 2**20
"""GitHub's limit of a step's job summary: 1 MiB."""
BUDGET = MAX_BYTES - 64 * 2**10
"""Bytes the summary may take: 1 MiB less a margin of 64 KiB."""
SECTION_RESERVE = 256
"""Bytes a list keeps for its "more not shown" line."""
SUMMARY_LIMIT = 200
REASON_LIMIT = 300
_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:[/?#]|$)", re.IGNORECASE)
"""An address a link may go to: http(s), a plain host name (no user part, which could pass for the host)."""
_URL_SAFE = "-._~:/?#@&+,;=%"
"""What an address keeps as it is; everything else is percent-encoded (parentheses, brackets, quotes,
backslash, backtick, ``|``, ``<``, ``>``, ``*``, ``$``, ``!``, spaces and non-ASCII)."""


def link(label: str, url: str) -> str:
    """A Markdown link with crosscheck's own ``label`` to ``url`` if it is an http(s) address, else ``url``
    as inert text."""
    address = printable(url).strip()
    if not _URL.match(address):
        return text(address, REASON_LIMIT)
    return f"[{label}]({quote(address, safe=_URL_SAFE)})"


def _comment(comment: str, author: str) -> str:
    by = f" by {text(author, 80)}" if author else ""
    return f"{link('comment', comment)}{by}" if comment else ""


def _where(place: attention.Place | None) -> str:
    return code(f"{place.path}:{place.line}", 0) if place else "no place in the code"


def _claim(item: attention.Item) -> str:
    parts = [f"- **{text(item.id)}** {_where(item.place)}", text(item.summary, SUMMARY_LIMIT),
             f"_{text(item.reason, REASON_LIMIT)}_", _comment(item.comment, item.author)]
    return " \u00b7 ".join(p for p in parts if p)


def _finding(item: attention.Item) -> str:
    analyzer, _, rule = item.rule.partition("/")
    cwe = f", {attention.cwe_text(item.cwe)}" if item.cwe else ""
    return (f"- **{text(item.id)}** {_where(item.place)} \u00b7 {text(analyzer)} {code(rule, 80)} "
            f"({text(item.severity)}{cwe}): {text(item.summary, SUMMARY_LIMIT)}")


def _stale(stale: attention.StaleComment) -> str:
    made_on = code(stale.file, 0) if stale.file else "a file"
    line = f" line {stale.line}" if stale.line is not None else ""
    what = link("comment", stale.comment) if stale.comment else "a comment"
    by = f" by {text(stale.author, 80)}" if stale.author else ""
    return f"- {what}{by}: made on {made_on}{line}, whose code is no longer in the code"


def _size(lines: Sequence[str]) -> int:
    """Bytes ``lines`` take in the summary, each with its newline."""
    return sum(len(line.encode("utf-8")) + 1 for line in lines)


def shares(needs: Sequence[int], room: int) -> list[int]:
    """Bytes of ``room`` for each list that ``needs`` so many: equal shares, what a list needs less than its
    share left to the others (so a short list is shown whole, and the long ones split the rest evenly)."""
    given = [0] * len(needs)
    left = room
    for count, i in enumerate(sorted(range(len(needs)), key=lambda i: needs[i])):
        given[i] = min(needs[i], left // (len(needs) - count))
        left -= given[i]
    return given


class _Summary:
    """The summary's lines, kept within :data:`BUDGET` bytes."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.size = 0
        self.budget = BUDGET

    def add(self, *lines: str) -> None:
        """Lines that must be there (headings, counts)."""
        for line in lines:
            self.lines.append(line)
            self.size += _size([line])

    def section(self, heading: str, items: Sequence[str], limit: int) -> None:
        """A heading and as many of ``items`` as fit in ``limit`` bytes of summary (with room for a line saying
        how many were left out), then that line."""
        self.add("", heading, "")
        shown = 0
        for item in items:
            if self.size + len(item.encode("utf-8")) + 1 + SECTION_RESERVE > limit:
                break
            self.add(item)
            shown += 1
        if shown < len(items):
            self.add(f"- \u2026 {len(items) - shown} more not shown")


def _heading(report: Report) -> str:
    change = report.change
    if change is None:
        return (f"### crosscheck: {code(report.code_path, 0) or 'the code'} vs "
                f"{code(report.review.path, 0) or 'the review'}")
    base = code(change.base, 80) if change.base else "the diff"
    head = f" \u2192 {code(change.head[:12])}" if change.head else ""
    return f"### crosscheck: the review of the change from {base}{head} ({text(report.options.scope.value)} scope)"


def _counts(report: Report) -> list[str]:
    rec = report.reconciliation
    counts = dict(rec.metrics.claims_by_outcome)
    rows = [f"| {o.value} claims | {counts.get(o.value, 0)} |" for o in OUTCOME_ORDER]
    missed = sum(1 for f in rec.findings if f.status is FindingStatus.MISSED and f.relevant)
    on = " on the change" if report.change is not None else ""
    rows.append(f"| findings missed{on} | {missed} of {len(rec.findings)} |")
    if report.change is not None:
        outside = sum(1 for c in rec.claims if c.outside_change), sum(1 for f in rec.findings if f.outside_change)
        rows.append(f"| outside the change (left out) | {outside[0]} claims, {outside[1]} findings |")
    return ["| | count |", "|---|---:|", *rows]


def render(report: Report, color: bool = False) -> str:
    """The summary as GitHub-flavoured Markdown, at most :data:`BUDGET` bytes, ending in a newline."""
    rec = report.reconciliation
    verdict = rec.verdict
    summary = _Summary()
    summary.add(_heading(report), "", f"**{text(headline(report.to_dict()).text)}**", "",
                f"**Verdict:** stated {text(verdict.stated.value)} \u2192 **{text(verdict.consistency.value)}** "
                f"\u2014 {text(verdict.reason, REASON_LIMIT)}", "", *_counts(report))
    chosen = attention.items(report)
    claims = [i for i in chosen if i.subject is attention.Subject.CLAIM]
    sections = [
        ("Contradicted claims", [_claim(i) for i in claims if i.status == Outcome.CONTRADICTED.value]),
        ("Ungrounded claims", [_claim(i) for i in claims if i.status == Outcome.UNGROUNDED.value]),
        ("Findings missed" + (" on the change" if report.change is not None else ""),
         [_finding(i) for i in chosen if i.subject is attention.Subject.FINDING]),
        ("Stale comments", [_stale(s) for s in attention.stale_comments(report)]),
    ]
    troubled = [f"**{text(r.name)}** {text(r.status.value)}" for r in sorted(report.runs, key=lambda r: r.name)
                if r.status is not RunStatus.OK]
    tail = [f"Analyzers that did not run cleanly: {', '.join(troubled)}"] if troubled else []
    tail_size = _size(["", *tail]) + len(tail)
    shown = [(f"#### {heading} ({len(lines)})", lines) for heading, lines in sections if lines]
    needs = [_size(["", heading, "", *lines]) + SECTION_RESERVE for heading, lines in shown]
    for (heading, lines), share in zip(shown, shares(needs, summary.budget - summary.size - tail_size), strict=True):
        summary.section(heading, lines, summary.size + share)
    if not shown:
        summary.add("", "Nothing needs attention.")
    for line in tail:
        summary.add("", line)
    return "\n".join(summary.lines) + "\n"


FORMAT = ReportFormat(name="pr-summary", suffix="summary.md", order=90, default=False, render=render)
"""``--format pr-summary``, registered as the entry point ``pr-summary`` of ``crosscheck.formats``."""
