"""The text report: tables drawn with rich in colour on a terminal, plain lines otherwise.

Without colour (a file, a pipe, ``NO_COLOR``) the report is built as plain strings: one
block per claim and per finding, nothing cut short, and a fraction of the cost of laying
out tables (a batch writes one per pair). In colour, rich draws the tables.

Review text and analyzer messages are untrusted: control characters (ANSI
escape sequences among them) are replaced before anything reaches the terminal,
and text is passed to rich as plain ``Text``, never as markup.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from crosscheck.formats.base import ReportFormat
from crosscheck.formats.untrusted import one_line
from crosscheck.results.headline import OUTCOME_MEANINGS, headline, outcome_label, row_headline
from crosscheck.results.outcome import PairOutcome, summary_rows
from crosscheck.results.report import Report, finding_state, match_text

if TYPE_CHECKING:  # rich is imported where it is used: the plain report, written to files, needs none of it
    from rich.console import Console, RenderableType
    from rich.table import Table
    from rich.text import Text

_OUTCOME_STYLE = {
    "confirmed": "green", "upheld": "green", "unsupported": "yellow", "generic": "dim",
    "ungrounded": "bold red", "contradicted": "bold red", "matched": "green", "missed": "bold red",
    "suppressed": "dim",
    "consistent": "green", "self-contradictory": "bold red", "undetermined": "yellow",
}
_LEVEL_STYLE = {"good": "bold green", "warn": "bold yellow", "bad": "bold red"}
"""The headline's style by its level."""
WIDTH = 120
"""Columns of the tables when the terminal's width is not known (output to a pipe, no ``COLUMNS``)."""


def clean(text: object, limit: int = 0) -> str:
    """Untrusted text made safe for a terminal: no control characters, one line (see :func:`one_line`)."""
    return one_line(text, limit)


def _styled(value: str, shown: str | None = None) -> Text:
    """``value`` in its style, shown as ``shown`` (by default itself)."""
    from rich.text import Text
    return Text(value if shown is None else shown, style=_OUTCOME_STYLE.get(value, ""))


def _ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _score(score: dict[str, Any]) -> str:
    return (f"precision {_ratio(score['precision'])}, recall {_ratio(score['recall'])}, "
            f"F1 {_ratio(score['f1'])}")


def _anchor_parts(claim: dict[str, Any], limit: int) -> list[str]:
    """Each citation of a claim with its grounding status: "L12 subprocess.run(...): exact @L14"."""
    parts = []
    for c in claim["citations"]:
        where = f"L{c['line']}" + (f"-{c['end_line']}" if c["end_line"] not in (None, c["line"]) else "") \
            if c["line"] is not None else ""
        what = clean(c["code"], limit) if c["code"] else ""
        moved = f" @L{c['actual_line']}" if c["actual_line"] else ""
        tag = {"suggestion": "suggests ", "negated": "says unused: "}.get(c["role"], "")
        parts.append(f"{tag}{' '.join(p for p in (where, what) if p)}: {c['status']}{moved}")
    return parts


def _console(buffer: io.StringIO, color: bool) -> Console:
    """A console drawing for the terminal it will be printed on: its width (``COLUMNS``, else the terminal's,
    else :data:`WIDTH`)."""
    from rich.console import Console
    return Console(file=buffer, width=shutil.get_terminal_size((WIDTH, 24)).columns, force_terminal=color, no_color=not color,
                   color_system="standard" if color else None, highlight=False, emoji=False)


def render(report: Report, color: bool = False) -> str:
    """The whole report as text: rich's tables in colour, plain lines without (see the module)."""
    data = report.to_dict()
    if not color:
        return _plain(data)
    buffer = io.StringIO()
    console = _console(buffer, color)
    _print_header(console, data)
    console.print(_claims_table(data["claims"]))
    console.print(_findings_table(data["findings"]) if data["findings"] else "Findings: none")
    _print_footer(console, data)
    return buffer.getvalue()


def _plain(data: dict[str, Any]) -> str:
    """The report as plain lines: the header, one block per claim and per finding, the footer."""
    lines = _header_lines(data)
    lines += ["", f"Claims ({len(data['claims'])})"]
    for c in data["claims"]:
        lines.append(f"{c['id']}  {c['kind']}  {outcome_label(c['outcome'])}  " + (" ".join(f"CWE-{n}" for n in c["cwe"]) or "-"))
        lines.append(f"    claim: {clean(c['title'] or c['text'])}")
        lines.append(f"    why: {clean(c['reason'])}")
        lines += [f"    anchor: {anchor}" for anchor in _anchor_parts(c, 0)]
        lines += [f"    match: {clean(match_text(m))}" for m in c["matches"]]
    lines += ["", f"Findings ({len(data['findings'])})" if data["findings"] else "Findings: none"]
    for f in data["findings"]:
        lines.append(f"{f['id']}  {f['severity']}  {f['analyzer']}  {clean(f['rule_id'])}  "
                     f"{clean(f['path'])}:{f['line']}  " + (" ".join(f"CWE-{n}" for n in f["cwe"]) or "-"))
        lines.append(f"    status: {clean(finding_state(f))}" + (f"; claims {', '.join(f['claims'])}" if f["claims"] else ""))
        lines.append(f"    message: {clean(f['message'])}")
    lines.append("")
    lines += [text for text, _ in _footer(data)]
    return "\n".join(lines) + "\n"


def _header_lines(data: dict[str, Any], limit: int = 0) -> list[str]:
    """The headline (what is wrong with the claims, see :mod:`crosscheck.results.headline`), the verdict,
    what was checked, the analyzers and where the code came from."""
    verdict = data["verdict"]
    lines = [f"crosscheck {data['tool']['version']}: {headline(data).text}",
             f"Verdict: stated {verdict['stated']} \u2192 {verdict['consistency']} ({clean(verdict['reason'])})",
             f"Checked: {clean(data['code']['path'])} vs {clean(data['review']['path'])}",
             "Analyzers: " + ", ".join(
                 f"{a['name']} {a['version'] or '?'} {a['status']} ({a['findings']} findings)"
                 + (f" - {clean(a['message'], limit)}" if a["message"] else "") for a in data["analyzers"])]
    source = data["code"]["source"]
    if source:
        exact = "the reviewed revision" if source["exact"] else "NOT the reviewed revision"
        lines.append(f"Code source: {clean(source['revision'])} via {source['kind']} "
                     f"({clean(source['location'], limit)}), {exact}")
    return lines


def _print_header(console: Console, data: dict[str, Any]) -> None:
    """:func:`_header_lines`, the headline in its level's colour, the verdict's consistency in its own."""
    from rich.text import Text
    _, _, *rest = _header_lines(data, limit=80)
    top = headline(data)
    first = Text(f"crosscheck {data['tool']['version']}: ", style="bold")
    first.append(top.text, style=_LEVEL_STYLE[top.level])
    console.print(first)
    verdict = data["verdict"]
    line = Text("Verdict: stated ")
    line.append(verdict["stated"], style="bold")
    line.append(" \u2192 ")
    line.append_text(_styled(verdict["consistency"]))
    line.append(f" ({clean(verdict['reason'])})")
    console.print(line)
    for text in rest:
        console.print(Text(text))


def _claims_table(claims: list[dict[str, Any]]) -> Table:
    """One row per claim: its outcome, CWEs, anchors and why."""
    from rich.table import Table
    from rich.text import Text
    table = Table(title="Claims", title_justify="left", expand=True)
    for column in ("id", "kind", "outcome", "CWE"):
        table.add_column(column, no_wrap=True)
    table.add_column("anchors: status", max_width=40, overflow="fold")
    table.add_column("claim / reason", ratio=1, overflow="fold")
    for c in claims:
        title = clean(c["title"] or c["text"], 60)
        body = Text(title + "\n")
        body.append(clean(c["reason"], 90), style="dim")
        for m in c["matches"]:
            body.append("\n" + clean(match_text(m), 90), style="dim")
        table.add_row(c["id"], c["kind"], _styled(c["outcome"], outcome_label(c["outcome"])),
                      "\n".join(f"CWE-{n}" for n in c["cwe"][:4]) or "-", "\n".join(_anchor_parts(c, 28)) or "-",
                      body)
    return table


def _findings_table(findings: list[dict[str, Any]]) -> Table:
    """One row per analyzer finding: where, which rule, its status and message."""
    from rich.table import Table
    from rich.text import Text
    table = Table(title="Findings", title_justify="left", expand=True)
    for column in ("id", "severity", "analyzer", "CWE", "where"):
        table.add_column(column, no_wrap=True)
    table.add_column("rule", max_width=24, overflow="fold")
    table.add_column("status", max_width=14, overflow="fold")
    table.add_column("message", ratio=1, min_width=30, overflow="fold")
    for f in findings:
        status = _styled(f["status"])
        if f["test_context"]:
            status.append(", test code")
        if f.get("outside_change"):
            status.append(", outside the change")
        if f["claims"]:
            status.append(" " + ",".join(f["claims"]), style="dim")
        message = Text(clean(f["message"], 90))
        if f["suppression"]:
            message.append(f"\n{'audited: ' if f['status'] != 'suppressed' else ''}{clean(f['suppression'])}",
                           style="dim")
        table.add_row(f["id"], f["severity"], f["analyzer"], "\n".join(f"CWE-{n}" for n in f["cwe"]) or "-",
                      f"{clean(f['path'], 40)}:{f['line']}", clean(f["rule_id"]), status, message)
    return table


def _print_footer(console: Console, data: dict[str, Any]) -> None:
    from rich.text import Text
    for text, style in _footer(data):
        console.print(Text(text, style=style))


def _footer(data: dict[str, Any]) -> list[tuple[str, str]]:
    """The metrics, unverified suggestions, the comparison with labels, and the notes, with their style."""
    m = data["metrics"]
    lines = [(f"Metrics: claim precision {_ratio(m['claim_precision'])}, finding recall "
              f"{_ratio(m['finding_recall'])}, grounding rate {_ratio(m['grounding_rate'])}, specificity "
              f"{_ratio(m['specificity'])}; outcomes "
              + ", ".join(f"{outcome_label(k)} {v}" for k, v in m["outcomes"].items() if v),
              "")]
    unverified = [f"{clean(c['code'], 40)} ({claim['id']})" for claim in data["claims"] for c in claim["citations"]
                  if c["role"] == "suggestion" and c["status"] == "absent"]
    if unverified:
        lines.append(("Unverified suggestions (recommended APIs found nowhere in the code or its imports): "
                      + ", ".join(unverified), "yellow"))
    labels = data["labels"]
    if labels:
        lines.append((f"Labels ({clean(labels['file'])}, {len(labels['defects'])} known defects): "
                      f"review {_score(labels['review'])}; analyzers {_score(labels['analyzers'])}; found by both "
                      f"{labels['agreement']['both']}, review only {labels['agreement']['review_only']}, "
                      f"analyzers only {labels['agreement']['analyzers_only']}, "
                      f"neither {labels['agreement']['neither']}", ""))
    lines += [("Note: " + clean(note), "yellow")
              for note in data["grounding"]["notes"] + data["diagnostics"] + (labels["notes"] if labels else [])]
    return lines


_SUMMARY_COLUMNS = (("pair", None), ("claims' truth", 4), ("verdict", 2), ("missed", None), ("grounded", None),
                    ("claims by outcome", 3), ("code source", 2))
"""The summary table's columns and their shares of the width left by those sized to their content."""
NARROW = 100
"""Below this many columns the summary table leaves out the claims by outcome and the code source (each pair's
report and the index page give them)."""


def render_summary(outcomes: Sequence[PairOutcome], color: bool = False) -> str:
    """One table row per pair of a run over several pairs: the pair, its headline (what is wrong with the
    review's claims, in its level's colour), the verdict, the findings missed of all, the share of cited
    anchors grounded; on a terminal wide enough, the claims by outcome and where the code came from."""
    from rich.table import Table
    from rich.text import Text
    buffer = io.StringIO()
    console = _console(buffer, color)
    columns = _SUMMARY_COLUMNS[:5] if console.width < NARROW else _SUMMARY_COLUMNS
    table = Table(title="Summary", title_justify="left", expand=True, caption_justify="left",
                  caption=f"upheld: {OUTCOME_MEANINGS['upheld']}" if len(columns) > 5 else None)
    for column, ratio in columns:
        table.add_column(column, overflow="fold", ratio=ratio, no_wrap=ratio is None)
    for row in summary_rows(outcomes):
        top = row_headline(row)
        cells: list[RenderableType]
        if top is None:
            cells = [Text("not checked", style="bold red"), clean(row["error"], 200)]
        else:
            verdict = Text(f"{row['verdict']} \u2192 ")
            verdict.append_text(_styled(str(row["consistency"])))
            rate = row["grounding_rate"]
            cells = [Text(top.text, style=_LEVEL_STYLE[top.level]), verdict, f"{row['missed']} of {row['findings']}",
                     _ratio(rate if isinstance(rate, float) else None),
                     ", ".join(f"{k} {v}" for k, v in row["outcomes"].items()) or "none",  # type: ignore[attr-defined]
                     clean(row["source"])]
        table.add_row(clean(row["id"]), *cells[:len(columns) - 1])
    console.print(table)
    return buffer.getvalue()


FORMAT = ReportFormat(name="text", suffix="txt", order=10, render=render)
"""``--format text``, registered as the entry point ``text`` of ``crosscheck.formats``."""
