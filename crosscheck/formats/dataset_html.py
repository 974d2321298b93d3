"""The dataset summary of a batch as one self-contained HTML page (``index.html`` of ``crosscheck batch``).

The page (``templates/batch.html.j2``) shows the groups of :mod:`crosscheck.results.dataset`
in a table, inline SVG plots (claim outcomes per group as stacked bars, grounding rate
per group as mean and median on a min-max whisker, and with labels the review's against
the analyzers' precision and recall as grouped bars), and the per-pair table. Like the
report page it loads nothing, every text goes through jinja2's autoescaping with
control characters removed first, links to pair reports are percent-encoded relative
paths, and its Content-Security-Policy admits only the inline style and its one script
(a filter of the per-pair table by group) by hash (the shell: :mod:`crosscheck.formats.page`).
The page is byte-identical for the same input: no timestamps, stable order, fixed float formatting.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

from crosscheck.formats.page import render_page, script_hash, tone
from crosscheck.formats.untrusted import one_line, printable
from crosscheck.reconcile.labels import Score
from crosscheck.results.dataset import (
    AGREEMENT_FIELDS,
    METRICS,
    SIDES,
    Group,
    Row,
    as_count,
    as_mapping,
    as_metric,
    group_values,
    metadata_keys,
    outcome_counts,
    shown_value,
)
from crosscheck.results.headline import OUTCOME_MEANINGS, Headline, outcome_label, row_headline

METRIC_NAMES = {"claim_precision": "claim precision", "finding_recall": "finding recall",
                "grounding_rate": "grounding rate", "specificity": "specificity",
                "verdict_consistent": "verdict stands"}
"""How each of :data:`~crosscheck.results.dataset.METRICS` is named on the page."""
PALETTE = {"contradicted": "#D55E00", "ungrounded": "#CC79A7", "unsupported": "#E69F00",
           "confirmed": "#009E73", "upheld": "#0072B2", "generic": "#999999"}
"""Fill of each claim outcome in the plots: the Okabe-Ito colours, which stay apart under the common
colour-vision deficiencies; warm for the report's bad and warning tones, cool for its good ones,
grey for generic. An outcome not listed is drawn in :data:`OTHER_FILL`."""
OTHER_FILL = "#555555"
SIDE_FILLS = {"review": "#0072B2", "analyzers": "#E69F00"}
"""Fill of the review's and the analyzers' bars in the label plot."""

SCRIPT = """
(function () {
  "use strict";
  var select = document.getElementById("group-filter");
  var rows = Array.prototype.slice.call(document.querySelectorAll("#pairs tbody tr"));
  function apply() {
    var group = select.value;
    var shown = 0;
    rows.forEach(function (row) {
      row.hidden = group !== "" && row.getAttribute("data-group") !== group;
      if (!row.hidden) { shown += 1; }
    });
    document.getElementById("shown").textContent = String(shown);
  }
  select.addEventListener("change", apply);
  document.getElementById("pair-filter").hidden = false;
  apply();
  document.body.setAttribute("data-ready", "1");
})();
"""
"""The page's only script: shows the pairs of one group. Trusted, constant text; the CSP admits it by its hash."""
SCRIPT_HASH = script_hash(SCRIPT)
"""What admits :data:`SCRIPT` in the page's Content-Security-Policy."""


# Plot geometry, in SVG user units.
_LABEL_W = 230.0
_PLOT_W = 460.0
_NOTE_W = 190.0
_TOP = 24.0
_ROW = 26.0
_BAR = 16.0
_PANEL_W = 220.0
_PANEL_GAP = 60.0
_SIDE_BAR = 10.0
_LABEL_ROW = 2 * _SIDE_BAR + 10.0
_LABEL_CHARS = 34


def summary_html(groups: Sequence[Group], rows: Sequence[Row], title: str) -> str:
    """The batch summary as one self-contained HTML page, ending in a newline (contents: module docs)."""
    keys = groups[0].keys if groups else ()
    index = {g.values: n for n, g in enumerate(groups) if not g.overall}
    pairs = [_pair(r, keys, index) for r in rows]
    meta_keys = metadata_keys(rows)
    return render_page(
        "batch.html.j2", title=printable(title), script=SCRIPT,
        keys=[printable(k) for k in keys], groups=[_group_view(n, g) for n, g in enumerate(groups)],
        rows=pairs, meta_keys=[printable(k) for k in meta_keys],
        checked=sum(1 for r in rows if r.get("error") is None), outcome_chart=_outcome_chart(groups),
        grounding_chart=_metric_chart(groups, "grounding_rate"), label_chart=_label_chart(groups),
        legend=[{"name": outcome_label(n), "fill": _fill(n), "title": OUTCOME_MEANINGS.get(n)}
                for n, _ in (groups[0].outcomes if groups else ())],
        side_fills=SIDE_FILLS, metric_names=METRIC_NAMES)


def _fill(outcome: str) -> str:
    return PALETTE.get(outcome, OTHER_FILL)


def _ratio_text(value: float | None, places: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{places}f}"


def _px(value: float) -> str:
    return f"{value:.1f}"


def _counts_text(counts: Iterable[tuple[str, int]]) -> str:
    return ", ".join(f"{name} {count}" for name, count in counts if count) or "none"


def _group_view(number: int, group: Group) -> dict[str, Any]:
    """What the group table shows of a group."""
    labels = group.labels
    sides = []
    if labels is not None:
        for side in SIDES:
            s: Score = getattr(labels, side)
            sides.append({"scores": f"P {_ratio_text(s.precision)} · R {_ratio_text(s.recall)} · "
                                    f"F1 {_ratio_text(s.f1)}",
                          "counts": f"TP {s.true_positives} · FP {s.false_positives} · FN {s.false_negatives}"})
    return {
        "id": f"g{number}", "overall": group.overall, "label": printable(group.label),
        "cells": [printable(shown_value(v)) for v in group.values], "pairs": group.pairs, "checked": group.checked,
        "not_checked": group.not_checked, "claims": group.claims,
        "outcomes": [{"name": outcome_label(n), "count": c, "fill": _fill(n)} for n, c in group.outcomes if c],
        "findings": group.findings, "relevant": group.relevant,
        "statuses": [{"name": n, "count": c, "tone": tone(n)} for n, c in group.finding_statuses if c],
        "consistency": [{"name": n, "count": c, "tone": tone(n)} for n, c in group.consistency if c],
        "metrics": [{"mean": _ratio_text(s.mean), "detail": [] if not s.defined else
                     [f"median {_ratio_text(s.median)}", f"{_ratio_text(s.minimum)}–{_ratio_text(s.maximum)}",
                      f"n={s.defined}"]} for _, s in group.metrics],
        "labels": None if labels is None else {"pairs": labels.pairs, "sides": sides, "agreement": _counts_text(
            (f.replace("_", " "), getattr(labels.agreement, f)) for f in AGREEMENT_FIELDS)},
    }


def _pair(row: Row, keys: Sequence[str], index: Mapping[tuple[str, ...], int]) -> dict[str, Any]:
    """What the per-pair table shows of a row; every text without control characters."""
    listed = row.get("files")
    files = [str(f) for f in listed] if isinstance(listed, list | tuple) else []
    target = next((f for f in files if f.endswith(".html")), files[0] if files else None)
    metadata = as_mapping(row.get("metadata"))
    metrics = as_mapping(row.get("metrics"))
    labels = as_mapping(row.get("labels"))
    group = index.get(group_values(row, keys))
    error = row.get("error")
    return {
        "id": printable(row.get("id", "")), "href": None if target is None else _href(target),
        "group": "" if group is None else f"g{group}",
        "metadata": {printable(k): printable(v) for k, v in metadata.items()},
        "code": printable(row.get("code", "")), "error": None if error is None else printable(error),
        "verdict": printable(row.get("verdict", "")), "consistency": printable(row.get("consistency", "")),
        "headline": row_headline(row) or Headline(("not checked",), "bad"),
        "outcomes": [{"name": printable(outcome_label(str(n))), "count": as_count(c), "fill": _fill(str(n))}
                     for n, c in outcome_counts(row).items() if as_count(c)],
        "findings": as_count(row.get("findings")), "missed": as_count(row.get("missed")),
        "metrics": [_ratio_text(as_metric(metrics.get(m))) for m in METRICS[:4]],
        "labels": None if not labels else [
            f"{side} P {_ratio_text(as_metric(as_mapping(labels.get(side)).get('precision')))}"
            f" R {_ratio_text(as_metric(as_mapping(labels.get(side)).get('recall')))}" for side in SIDES],
    }


def _href(path: str) -> str:
    """A relative link to a report file: percent-encoded, so no scheme (``javascript:``), host, query or
    fragment can come from the file name."""
    return "./" + quote(printable(path).replace("\\", "/").lstrip("/"), safe="/")


def _row_label(group: Group) -> dict[str, str]:
    label = printable(group.label)
    return {"text": one_line(label, _LABEL_CHARS), "full": label, "weight": "bold" if group.overall else "normal"}


def _axis(left: float, width: float, bottom: float, ticks: Sequence[tuple[float, str]]) -> list[dict[str, str]]:
    """Grid lines from the top of the plot down to ``bottom``, each with its text below."""
    return [{"x": _px(left + width * at), "y1": _px(_TOP - 6), "y2": _px(bottom), "text_y": _px(bottom + 14),
             "text": text} for at, text in ticks]


def _outcome_chart(groups: Sequence[Group]) -> dict[str, Any]:
    """The stacked bars of claim outcomes: one bar per group, as shares of its claims."""
    bars = []
    for n, group in enumerate(groups):
        y = _TOP + n * _ROW
        segments, before = [], 0
        for name, count in group.outcomes:
            if not count:
                continue
            x0 = _LABEL_W + _PLOT_W * before / group.claims
            before += count
            x1 = _LABEL_W + _PLOT_W * before / group.claims
            share = 100 * count / group.claims
            segments.append({"x": _px(x0), "width": _px(x1 - x0), "fill": _fill(name),
                             "title": f"{printable(group.label)}: {count} {printable(name)} of {group.claims} "
                                      f"claim(s) ({share:.1f}%)"})
        bars.append({"y": _px(y), "text_y": _px(y + _BAR / 2 + 4), "label": _row_label(group), "segments": segments,
                     "note": f"{group.claims} claim(s), {group.checked} pair(s)" if group.claims else
                     ("no claims" if group.checked else "no pair checked"), "overall": group.overall,
                     "rule_y": _px(y - (_ROW - _BAR) / 2)})
    height = _TOP + len(groups) * _ROW
    return {"width": _px(_LABEL_W + _PLOT_W + _NOTE_W), "height": _px(height + 20), "bar_h": _px(_BAR),
            "note_x": _px(_LABEL_W + _PLOT_W + 8), "label_x": _px(_LABEL_W - 8), "bars": bars,
            "rule_x1": "0.0", "rule_x2": _px(_LABEL_W + _PLOT_W + _NOTE_W),
            "axis": _axis(_LABEL_W, _PLOT_W, height, [(t / 4, f"{25 * t}%") for t in range(5)])}


def _metric_chart(groups: Sequence[Group], metric: str) -> dict[str, Any]:
    """One metric per group: its range over the pairs (min-max whisker), its median (tick) and mean (dot)."""
    def at(value: float) -> str:
        return _px(_LABEL_W + _PLOT_W * min(max(value, 0.0), 1.0))

    rows = []
    for n, group in enumerate(groups):
        s = group.metric(metric)
        mid = _TOP + n * _ROW + _BAR / 2
        row: dict[str, Any] = {"label": _row_label(group), "text_y": _px(mid + 4), "mid": _px(mid),
                               "top": _px(mid - 5), "bottom": _px(mid + 5), "overall": group.overall,
                               "rule_y": _px(mid - _ROW / 2), "shape": None}
        if s.mean is None or s.median is None or s.minimum is None or s.maximum is None:
            row["note"] = "n/a (no pair defines it)"
        else:
            row["note"] = f"mean {s.mean:.2f}, median {s.median:.2f}, n={s.defined}"
            row["shape"] = {"low": at(s.minimum), "high": at(s.maximum), "mean": at(s.mean), "median": at(s.median),
                            "title": f"{printable(group.label)}: {METRIC_NAMES[metric]} mean {s.mean:.4f}, "
                                     f"median {s.median:.4f}, min {s.minimum:.4f}, max {s.maximum:.4f} "
                                     f"over {s.defined} pair(s)"}
        rows.append(row)
    height = _TOP + len(groups) * _ROW
    return {"width": _px(_LABEL_W + _PLOT_W + _NOTE_W), "height": _px(height + 20), "label_x": _px(_LABEL_W - 8),
            "note_x": _px(_LABEL_W + _PLOT_W + 8), "rows": rows, "rule_x2": _px(_LABEL_W + _PLOT_W + _NOTE_W),
            "axis": _axis(_LABEL_W, _PLOT_W, height, [(t / 4, f"{t / 4:.2f}") for t in range(5)]),
            "name": METRIC_NAMES[metric]}


def _label_chart(groups: Sequence[Group]) -> dict[str, Any] | None:
    """Two panels, precision and recall: per group, a bar for the review and one for the analyzers."""
    if all(g.labels is None for g in groups):
        return None
    panels = [(name, _LABEL_W + k * (_PANEL_W + _PANEL_GAP)) for k, name in enumerate(("precision", "recall"))]
    rows = []
    for n, group in enumerate(groups):
        y = _TOP + n * _LABEL_ROW
        labels = group.labels
        row: dict[str, Any] = {"label": _row_label(group), "text_y": _px(y + _SIDE_BAR + 4), "bars": [],
                               "overall": group.overall, "rule_y": _px(y - 5), "note": None}
        if labels is None:
            row["note"] = {"x": _px(_LABEL_W), "text": "no labels"}
        else:
            for name, left in panels:
                for k, side in enumerate(SIDES):
                    side_score: Score = getattr(labels, side)
                    value = side_score.precision if name == "precision" else side_score.recall
                    bar_y = y + k * _SIDE_BAR
                    width = 0.0 if value is None else _PANEL_W * value
                    row["bars"].append({
                        "x": _px(left), "y": _px(bar_y), "width": _px(width), "fill": SIDE_FILLS[side],
                        "text_x": _px(left + width + 4), "text_y": _px(bar_y + _SIDE_BAR - 1),
                        "text": _ratio_text(value),
                        "title": f"{printable(group.label)}: {side} {name} {_ratio_text(value, 4)} "
                                 f"(TP {side_score.true_positives}, FP {side_score.false_positives}, FN {side_score.false_negatives}"
                                 f", {labels.pairs} labelled pair(s))"})
        rows.append(row)
    height = _TOP + len(groups) * _LABEL_ROW
    width = _LABEL_W + 2 * (_PANEL_W + _PANEL_GAP)
    return {"width": _px(width), "height": _px(height + 20), "label_x": _px(_LABEL_W - 8), "rows": rows,
            "rule_x2": _px(width),
            "panels": [{"name": name, "x": _px(left), "title_x": _px(left + _PANEL_W / 2),
                        "axis": _axis(left, _PANEL_W, height, [(t / 2, f"{t / 2:.1f}") for t in range(3)])}
                       for name, left in panels]}
