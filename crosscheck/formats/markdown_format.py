"""The Markdown report: a short summary for a pull-request comment (GitHub, GitLab).

A heading with the headline (what is wrong with the review's claims, see
:mod:`crosscheck.results.headline`), the verdict and its reason, one line of metrics, then the claims
grouped by outcome (the most telling outcomes first: contradicted, ungrounded,
unsupported, confirmed, upheld, generic; an outcome the reconciliation gains later
comes after them, so nothing is dropped), the findings the review missed (the most
severe first), the analyzers that did not run cleanly, and the grounding notes and
diagnostics. Each section holds at most :data:`SECTION_LIMIT` items and the whole
comment at most about :data:`BUDGET` characters, well under GitHub's 65536; what is
left out is counted ("… and 12 more").

Review text, analyzer messages, rule ids and paths are untrusted, and a comment is
rendered with links, images, mentions and some raw HTML; so each such text is
made one line without control characters, shortened, and then:

- ``&``, ``<`` and ``>`` become entities: no raw HTML gets through, and the comment
  holds no ``<`` at all;
- Markdown punctuation is backslash-escaped: backslash, backtick, ``*``, ``[``,
  ``]``, ``#``, ``!``, ``|``, ``~`` and ``$`` always, ``_`` unless inside a word,
  ``.`` and ``:`` before a non-space; so no link, image, emphasis, code, math or
  strikethrough can be made, and no bare URL, ``www.`` host or ``:emoji:`` is
  autolinked (``(`` needs nothing once ``[`` and ``]`` are escaped, and every line
  starts with crosscheck's own text, so line-start markers need nothing either);
- ``@`` and ``#`` before a word character are followed by a word joiner (U+2060), so
  a review can neither mention (and notify) anyone nor reference an issue;
- quoted code goes in a backtick span whose fence is longer than any run of
  backticks inside it; code holding ``&``, ``<`` or ``>`` (where a span would show
  entities literally) is escaped like text instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from crosscheck.formats.base import ReportFormat
from crosscheck.formats.untrusted import one_line, printable
from crosscheck.grounding.model import Status
from crosscheck.models import RunStatus, Severity
from crosscheck.reconcile.model import OUTCOME_ORDER, FindingStatus
from crosscheck.results.headline import headline, outcome_label
from crosscheck.results.report import Report

SECTION_LIMIT = 50
BUDGET = 60_000
"""Characters the comment may take; GitHub refuses comments over 65536."""
TITLE_LIMIT = 120
REASON_LIMIT = 160
MESSAGE_LIMIT = 120
CODE_LIMIT = 40
NOTE_LIMIT = 300
ANCHOR_LIMIT = 4

_PUNCTUATION = re.compile(r"[\\`*\[\]#!|~$]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])|[.:](?=\S)")
"""What could start Markdown: always these; ``_`` unless inside a word (where it cannot emphasise); ``.``
and ``:`` before a non-space (``www.``, ``http:``, ``:emoji:``; not at the end of a sentence)."""
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_HTML = re.compile("[&<>]")
_REFERENCE = re.compile(r"([@#])(?=\w)")
_BACKTICKS = re.compile("`+")
_SEVERITY_RANK = {s.value: s.rank for s in Severity}


def text(value: object, limit: int = 0) -> str:
    """Untrusted text as inert Markdown on one line, shortened to ``limit`` characters first."""
    flat = one_line(printable(value), limit)
    escaped = _PUNCTUATION.sub(lambda m: "\\" + m[0], _HTML.sub(lambda m: _ENTITIES[m[0]], flat))
    return _REFERENCE.sub("\\1\u2060", escaped)


def code(value: object, limit: int = CODE_LIMIT) -> str:
    """Untrusted code as a backtick span on one line (or as escaped text if it holds ``&``, ``<`` or ``>``)."""
    flat = one_line(printable(value), limit)
    if not flat:
        return ""
    if _HTML.search(flat):
        return text(flat)
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(flat)), default=0) + 1)
    pad = " " if flat[0] in "` " or flat[-1] in "` " else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def _ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _line_span(first: int, last: int | None) -> str:
    return f"L{first}" + (f"-{last}" if last not in (None, first) else "")


def _anchor(citation: dict[str, Any]) -> str:
    """One citation: what it cites, its status, and where it really is when that differs."""
    cited = [_line_span(citation["line"], citation["end_line"])] if citation["line"] is not None else []
    if citation["code"]:
        cited.append(code(citation["code"]))
    actual = citation["actual_line"]
    where = f" at L{actual}" if actual is not None and actual != citation["line"] else ""
    return f"{' '.join(cited) or '?'} {text(citation['status'])}{where}"


def _anchors(claim: dict[str, Any]) -> str:
    anchors = [c for c in claim["citations"] if c["role"] == "anchor"]
    shown = [_anchor(c) for c in anchors[:ANCHOR_LIMIT]]
    if len(anchors) > ANCHOR_LIMIT:
        shown.append(f"{len(anchors) - ANCHOR_LIMIT} more")
    return "; ".join(shown)


def _claim(claim: dict[str, Any]) -> str:
    parts = [f"**{text(claim['id'])}** {text(claim['title'] or claim['text'], TITLE_LIMIT)}"]
    if claim["cwe"]:
        parts.append(", ".join(f"CWE-{int(n)}" for n in claim["cwe"][:4]))
    anchors = _anchors(claim)
    if anchors:
        parts.append(anchors)
    reason = text(claim["reason"], REASON_LIMIT)
    if claim["findings"]:
        reason += f" ({', '.join(text(f) for f in claim['findings'])})"
    parts.append(f"_{reason}_" if reason else "")
    return "- " + " \u00b7 ".join(p for p in parts if p)


def _finding(report: Report, finding: dict[str, Any]) -> str:
    where = code(f"{report.code_file_path(finding['path'])}:{finding['line']}", 0)
    cwe = "".join(f", CWE-{int(n)}" for n in finding["cwe"][:4])
    parts = [f"**{text(finding['id'])}** {text(finding['analyzer'])} {code(finding['rule_id'], 80)} "
             f"({text(finding['severity'])}{cwe})", where, text(finding["message"], MESSAGE_LIMIT)]
    if finding.get("test_context"):
        parts.append("in test code")
    if finding.get("outside_change"):
        parts.append("outside the change")
    elif not finding["relevant"]:
        parts.append("below the severity threshold")
    return "- " + " \u00b7 ".join(p for p in parts if p)


def outcome_order(outcomes: Iterable[str]) -> list[str]:
    """The distinct ``outcomes``, in :data:`OUTCOME_ORDER`, then any others in order of appearance."""
    present = list(dict.fromkeys(str(o) for o in outcomes))
    known = [o.value for o in OUTCOME_ORDER if o.value in present]
    return known + [o for o in present if o not in known]


class _Comment:
    """The comment's lines, kept within :data:`BUDGET` characters."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.size = 0

    def add(self, *lines: str) -> None:
        """Lines that must be there (headings, counts)."""
        for line in lines:
            self.lines.append(line)
            self.size += len(line) + 1

    def section(self, heading: str, items: Iterable[str], total: int) -> None:
        """A heading and up to :data:`SECTION_LIMIT` bullets, as many as fit; then how many were left out."""
        self.add("", heading, "")
        shown = 0
        for item in items:
            if shown == SECTION_LIMIT or self.size + len(item) + 1 > BUDGET:
                break
            self.add(item)
            shown += 1
        if shown < total:
            self.add(f"- \u2026 and {total - shown} more")


def render(report: Report, color: bool = False) -> str:
    """The report as GitHub-flavoured Markdown for a pull-request comment, ending in a newline."""
    data = report.to_dict()
    verdict, metrics = data["verdict"], data["metrics"]
    comment = _Comment()
    comment.add(f"### crosscheck: {text(headline(data).text)}", "")
    comment.add(f"**Verdict:** stated {text(verdict['stated'])} \u2192 {text(verdict['consistency'])} "
                f"\u2014 {text(verdict['reason'], NOTE_LIMIT)}", "")
    comment.add(f"Claim precision **{_ratio(metrics['claim_precision'])}** \u00b7 "
                f"finding recall **{_ratio(metrics['finding_recall'])}** \u00b7 "
                f"grounding rate **{_ratio(metrics['grounding_rate'])}** \u00b7 "
                f"specificity **{_ratio(metrics['specificity'])}** \u00b7 "
                f"{len(data['claims'])} claim(s), {len(data['findings'])} finding(s)", "")
    comment.add(f"Code {code(data['code']['path'], 0)} \u00b7 review {code(data['review']['path'], 0)}")

    for outcome in outcome_order(c["outcome"] for c in data["claims"]):
        claims = [c for c in data["claims"] if c["outcome"] == outcome]
        comment.section(f"#### {text(outcome_label(outcome)).capitalize()} claims ({len(claims)})", map(_claim, claims),
                        len(claims))

    missed = [f for f in data["findings"] if f["status"] == FindingStatus.MISSED.value]
    missed.sort(key=lambda f: (not f["relevant"], -_SEVERITY_RANK.get(f["severity"], -1)))
    if missed:
        comment.section(f"#### Missed findings ({len(missed)})", (_finding(report, f) for f in missed), len(missed))

    troubled = [a for a in data["analyzers"] if a["status"] != RunStatus.OK.value]
    if troubled:
        comment.section("#### Analyzers", (
            f"- **{text(a['name'])}** {text(a['status'])}" + (f": {text(a['message'], NOTE_LIMIT)}" if a["message"] else "")
            + "".join(f"; {text(e, NOTE_LIMIT)}" for e in a["errors"][:3]) for a in troubled), len(troubled))

    notes = data["grounding"]["notes"] + data["diagnostics"]
    if notes:
        comment.section("#### Notes", (f"- {text(n, NOTE_LIMIT)}" for n in notes), len(notes))

    unverified = [c for claim in data["claims"] for c in claim["citations"]
                  if c["role"] == "suggestion" and c["status"] == Status.ABSENT.value]
    if unverified:
        names = ", ".join(code(c["code"]) for c in unverified[:10]) + (" \u2026" if len(unverified) > 10 else "")
        comment.add("", f"Suggested APIs found nowhere in the code or its imports: {names}")
    return "\n".join(comment.lines) + "\n"


FORMAT = ReportFormat(name="markdown", suffix="md", order=50, render=render)
"""``--format markdown``, registered as the entry point ``markdown`` of ``crosscheck.formats``."""
