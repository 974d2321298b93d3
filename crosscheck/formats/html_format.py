"""The HTML report: one self-contained page, to read a check in a browser.

The page (``templates/report.html.j2``) has a header (the headline first: what is
wrong with the review's claims, coloured by the worst of it, see
:mod:`crosscheck.results.headline`; then the verdict and why; code and review,
metrics, analyzers, code source, grounding notes, diagnostics), the claims table, the findings table, and the code of every file
with line numbers. Each code line is rendered once, with an ``id`` (``L-<file index>-<line>``) and the markers of
what is there: a claim's anchor where it was found (its ``actual_line``; a citation
of a line that could not be compared, ``unchecked``, at the cited line), a finding at
its first line; the lines they span are highlighted. Markers link to the claim's or
finding's row, and the rows link back to the code; anchors that were not found
(``absent``) have no place and are only listed in their claim's row.

Filters: one checkbox per claim outcome and per finding status present in the
report. Claim rows, finding rows and code markers carry ``data-filter``
(``claim:<outcome>``, ``finding:<status>``); a highlighted line carries the keys of
everything spanning it in ``data-keys``. The page's one inline script hides what
is unchecked and re-highlights lines; without JavaScript the filters stay hidden
and everything is shown.

Security: every text of the report goes through jinja2's autoescaping (never
``|safe``), or, for the code listing built here, through the same ``escape`` of
markupsafe, with control characters and lone surrogates removed first; the page
loads nothing (no fonts, scripts, images or styles from anywhere), and its
Content-Security-Policy allows only the inline style and the one script, by its
sha256 (:data:`SCRIPT_HASH`), so injected markup could not run a script even if it
got through (the page's shell: :mod:`crosscheck.formats.page`). The output is deterministic: no timestamps, report order, stable ids.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

from crosscheck.formats.base import ReportFormat
from crosscheck.formats.markdown_format import outcome_order
from crosscheck.formats.page import render_page, script_hash, tone
from crosscheck.formats.untrusted import is_printable, one_line, printable
from crosscheck.grounding.model import Status
from crosscheck.models import SourceFile
from crosscheck.reconcile.model import FindingStatus
from crosscheck.results.headline import OUTCOME_MEANINGS, headline, outcome_label
from crosscheck.results.report import Report, finding_state, match_text

SCRIPT = """
(function () {
  "use strict";
  var boxes = Array.prototype.slice.call(document.querySelectorAll("#filters input[type=checkbox]"));
  function apply() {
    var off = {};
    boxes.forEach(function (box) { off[box.value] = !box.checked; });
    document.querySelectorAll("[data-filter]").forEach(function (el) {
      el.hidden = off[el.getAttribute("data-filter")] === true;
    });
    document.querySelectorAll("[data-keys]").forEach(function (el) {
      var keys = el.getAttribute("data-keys").split(" ");
      el.classList.toggle("hit", keys.some(function (key) { return off[key] !== true; }));
    });
  }
  boxes.forEach(function (box) { box.addEventListener("change", apply); });
  document.getElementById("filters").hidden = false;
  apply();
  document.body.setAttribute("data-ready", "1");
})();
"""
"""The page's only script: the filters. Trusted, constant text; the CSP admits it by its hash."""
SCRIPT_HASH = script_hash(SCRIPT)
TITLE_LIMIT = 120
_NOT_ID = re.compile(r"[^A-Za-z0-9_-]")
_PLACED_BY_CITED_LINE = {Status.UNCHECKED.value}


@dataclass(frozen=True)
class Marker:
    """A claim or finding shown at a code line."""

    label: str
    href: str
    key: str
    tone: str
    title: str


@dataclass
class Line:
    """What is marked at one code line."""

    markers: list[Marker] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Place:
    """Where a citation or finding is in the code: a file (by index) and lines."""

    file: int
    first: int
    last: int

    @property
    def href(self) -> str:
        return f"#{line_id(self.file, self.first)}"


def line_id(file: int, line: int) -> str:
    """The ``id`` of a code line on the page."""
    return f"L-{file}-{line}"


def row_id(kind: str, item_id: object) -> str:
    """The ``id`` of a claim's or finding's table row (``claim-C2``, ``finding-F3``)."""
    return f"{kind}-{_NOT_ID.sub('_', str(item_id))}"


def _scrub(value: Any) -> Any:
    """Every string of the report without control characters (tab and newline kept) or lone surrogates."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def _citation_place(citation: dict[str, Any], files: dict[str, int], sizes: list[int]) -> Place | None:
    """Where a citation is in the code: where it was found, or the cited line of an unchecked one; None if
    it has no place (absent, or a line past the end)."""
    if citation["status"] == Status.ABSENT.value or citation["path"] not in files:
        return None
    first = citation["actual_line"]
    if first is None and citation["status"] in _PLACED_BY_CITED_LINE:
        first = citation["line"]
    if first is None:
        return None
    index = files[citation["path"]]
    span = (citation["end_line"] or citation["line"] or 0) - (citation["line"] or 0)
    return _clamped(index, first, first + span, sizes)


def _clamped(index: int, first: int, last: int, sizes: list[int]) -> Place | None:
    if not 1 <= first <= sizes[index]:
        return None
    return Place(index, first, min(max(last, first), sizes[index]))


def _cited_lines(citation: dict[str, Any]) -> str:
    """The lines a citation cites (``L12``, ``L12-14``), or ``""``."""
    first, last = citation["line"], citation["end_line"]
    if first is None:
        return ""
    return f"L{first}" + (f"-{last}" if last not in (None, first) else "")


def _claims(data: dict[str, Any], files: dict[str, int], sizes: list[int]) -> list[dict[str, Any]]:
    """The claims, each with its citations placed, its row id and filter key."""
    claims = []
    for c in data["claims"]:
        citations = []
        for g in c["citations"]:
            place = _citation_place(g, files, sizes)
            lines, code = _cited_lines(g), one_line(g["code"] or "", 60)
            citations.append({"role": g["role"], "lines": lines, "code": code, "status": g["status"],
                              "cited": " ".join(p for p in (lines, code) if p) or g["kind"],
                              "tone": tone(g["status"]), "place": place})
        claims.append(c | {"row": row_id("claim", c["id"]), "key": f"claim:{c['outcome']}", "tone": tone(c["outcome"]),
                           "summary": one_line(c["title"] or c["text"], TITLE_LIMIT), "placed": citations,
                           "links": [{"id": m["finding"], "href": "#" + row_id("finding", m["finding"]),
                                      "why": match_text(m, with_id=False)} for m in c["matches"]]})
    return claims


def _findings(data: dict[str, Any], files: dict[str, int], sizes: list[int]) -> list[dict[str, Any]]:
    """The findings, each with its place, row id and filter key."""
    findings = []
    for f in data["findings"]:
        place = _clamped(files[f["path"]], f["line"], f["end_line"] or f["line"], sizes) if f["path"] in files else None
        findings.append(f | {"row": row_id("finding", f["id"]), "key": f"finding:{f['status']}",
                             "tone": tone(f["status"]), "place": place, "state": finding_state(f),
                             "links": [{"id": c, "href": "#" + row_id("claim", c)} for c in f["claims"]]})
    return findings


def _mark(marked: dict[tuple[int, int], Line], place: Place, marker: Marker) -> None:
    """``marker`` at the first line of ``place``, its filter key on every line of it."""
    for number in range(place.first, place.last + 1):
        line = marked.setdefault((place.file, number), Line())
        if number == place.first and all(m.href != marker.href for m in line.markers):
            line.markers.append(marker)
        if marker.key not in line.keys:
            line.keys.append(marker.key)


def _code(report: Report, claims: list[dict[str, Any]], findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every code file with its listing: each line once, with the markers of the claims' anchors and findings."""
    marked: dict[tuple[int, int], Line] = {}
    for c in claims:
        for g in c["placed"]:
            if g["role"] == "anchor" and g["place"] is not None:
                _mark(marked, g["place"], Marker(c["id"], "#" + c["row"], c["key"], c["tone"],
                                                 f"{c['id']} {c['outcome']}: cites {g['cited']} ({g['status']})"))
    for f in findings:
        if f["place"] is not None:
            _mark(marked, f["place"], Marker(f["id"], "#" + f["row"], f["key"], f["tone"],
                                             f"{f['id']} {f['status']}: {f['analyzer']} {one_line(f['rule_id'], 80)} "
                                             f"({f['severity']})"))
    return [{"index": i, "path": printable(report.code_file_path(f.path)), "listing": _listing(i, f, marked)}
            for i, f in enumerate(report.code.files)]


def _listing(index: int, source: SourceFile, marked: dict[tuple[int, int], Line]) -> Markup:
    """A file's lines as HTML, one ``div`` a line, built here rather than in the template: a line is one
    formatted string instead of a template loop's turn (a 1,000-line file takes a tenth of the time). Every
    text goes through markupsafe's ``escape``, the function jinja2's autoescaping calls."""
    if is_printable(source.text):  # most files: escaped at once (escaping neither makes nor takes line breaks)
        texts = str(escape(source.text)).splitlines()
    else:
        texts = [str(escape(printable(text))) for text in source.lines]
    parts = [f'<div class="l" id="{line_id(index, number)}"><span class="n">{number}</span><code>{text}</code></div>\n'
             for number, text in enumerate(texts, 1)]
    for (file, number), line in marked.items():
        if file != index or number > len(texts):
            continue
        markers = "".join(f'<a class="mk {escape(m.tone)}" href="{escape(m.href)}" data-filter="{escape(m.key)}" '
                          f'title="{escape(m.title)}">{escape(m.label)}</a>' for m in line.markers)
        keys = f' data-keys="{escape(" ".join(line.keys))}"' if line.keys else ""
        parts[number - 1] = (f'<div class="l{" hit" if line.keys else ""}" id="{line_id(index, number)}"{keys}>'
                             f'<span class="n">{number}</span><code>{texts[number - 1]}</code>{markers}</div>\n')
    return Markup("".join(parts))  # noqa: S704 - every piece of it is escaped above


def _filters(claims: list[dict[str, Any]], findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One filter per claim outcome and per finding status present, with its count."""
    outcomes = outcome_order([c["outcome"] for c in claims])
    statuses = [s.value for s in FindingStatus]
    present = list(dict.fromkeys(f["status"] for f in findings))
    ordered = [s for s in statuses if s in present] + [s for s in present if s not in statuses]
    return ([{"key": f"claim:{o}", "label": f"{outcome_label(o)} claims", "count": sum(c["outcome"] == o for c in claims),
              "tone": tone(o), "title": OUTCOME_MEANINGS.get(o)} for o in outcomes]
            + [{"key": f"finding:{s}", "label": f"{s} findings", "count": sum(f["status"] == s for f in findings),
                "tone": tone(s), "title": None} for s in ordered])


def render(report: Report, color: bool = False) -> str:
    """The report as one self-contained HTML page, ending in a newline."""
    data = _scrub(report.to_dict())
    files = {f.path: i for i, f in enumerate(report.code.files)}
    sizes = [f.line_count for f in report.code.files]
    claims = _claims(data, files, sizes)
    findings = _findings(data, files, sizes)
    review_path = printable(data["review"]["path"])
    return render_page("report.html.j2", title=f"crosscheck: {review_path}", script=SCRIPT, data=data,
                       claims=claims, findings=findings, files=_code(report, claims, findings),
                       filters=_filters(claims, findings), code_path=printable(report.code_path),
                       review_path=review_path, headline=headline(data), outcome_label=outcome_label,
                       meanings=OUTCOME_MEANINGS)


FORMAT = ReportFormat(name="html", suffix="html", order=60, render=render)
"""``--format html``, registered as the entry point ``html`` of ``crosscheck.formats``."""
