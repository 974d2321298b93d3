"""The dataset summary of a batch run: pairs grouped by their metadata, as CSV, JSON and one HTML page.

A batch checks many code + review pairs, each with free metadata (``model``, ``prompt``,
``run``, ...). :func:`group_rows` groups the per-pair rows of
:func:`~crosscheck.results.outcome.summary_rows` by the values of some metadata keys (by default
every key the rows have, in order of first appearance: model x prompt) and adds one
``all pairs`` group. Each :class:`Group` holds:

- how many pairs it has, how many were checked and how many could not be;
- the sums of the claim outcomes, finding statuses, stated verdicts and verdict
  consistencies of its checked pairs (every known name is listed, zeros included, so
  all groups have the same columns);
- each per-review metric (claim precision, finding recall, grounding rate,
  specificity, and whether the verdict stands, as 1 or 0) as mean, median, minimum and
  maximum over the pairs where it is defined, with how many those are (:class:`Stats`);
- with labels, the summed TP/FP/FN of the review and of the analyzers with the micro
  precision, recall and F1 of those sums, and the summed agreement (:class:`LabelTotals`).

A pair that lacks a grouping key falls in that key's value ``""``, shown as ``(none)``.
Groups are sorted by their values, numbers inside values compared as numbers
(``run-2`` before ``run-10``), ``(none)`` last; the ``all pairs`` group comes last.
Ratios are rounded to 4 places, as in the reports.

Renderings, each byte-identical for the same input (no timestamps, stable order, fixed
float formatting):

- :func:`summary_csv`: one line per group, a fixed column order, numbers to 4 decimals,
  an empty cell where a value is undefined. Text cells starting with ``=``, ``+``,
  ``-``, ``@``, tab or carriage return get a leading ``'`` so spreadsheets do not run
  them as formulas (metadata is untrusted text).
- :func:`summary_json`: the groups and the per-pair rows, sorted keys, ASCII only.
- :func:`summary_html`: one self-contained page (``templates/batch.html.j2``): the group
  table, inline SVG plots (claim outcomes per group as stacked bars, grounding rate per
  group as mean and median on a min-max whisker, and with labels the review's against
  the analyzers' precision and recall as grouped bars), and the per-pair table. Like the
  report page it loads nothing, every text goes through jinja2's autoescaping with
  control characters removed first, links to pair reports are percent-encoded relative
  paths, and its Content-Security-Policy admits only the inline style and its one
  script (a filter of the per-pair table by group) by hash.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from markupsafe import Markup

from crosscheck import __version__
from crosscheck.formats.html_format import content_security_policy, environment, script_hash, tone
from crosscheck.formats.markdown_format import OUTCOME_ORDER
from crosscheck.formats.untrusted import one_line, printable
from crosscheck.reconcile.labels import Agreement, Score, score
from crosscheck.reconcile.model import Consistency, FindingStatus
from crosscheck.review.model import StatedVerdict

Row = Mapping[str, object]
"""One pair's row, as :func:`~crosscheck.results.outcome.summary_rows` makes it."""

OVERALL = "all pairs"
"""The label of the group of every pair."""
MISSING = "(none)"
"""How the value of a grouping key that a pair lacks is shown."""
METRICS = ("claim_precision", "finding_recall", "grounding_rate", "specificity", "verdict_consistent")
"""The per-review metrics aggregated per group, in column order."""
METRIC_NAMES = {"claim_precision": "claim precision", "finding_recall": "finding recall",
                "grounding_rate": "grounding rate", "specificity": "specificity",
                "verdict_consistent": "verdict stands"}
OUTCOMES = tuple(o.value for o in OUTCOME_ORDER)
"""Claim outcomes, most telling first (the report's order)."""
STATUSES = tuple(s.value for s in FindingStatus)
VERDICTS = tuple(v.value for v in StatedVerdict)
CONSISTENCIES = tuple(c.value for c in Consistency)
SIDES = ("review", "analyzers")
SCORE_FIELDS = ("true_positives", "false_positives", "false_negatives", "precision", "recall", "f1")
AGREEMENT_FIELDS = ("both", "review_only", "analyzers_only", "neither")

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
CSP = content_security_policy(SCRIPT)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_DIGITS = re.compile(r"([0-9]+)")
_ENV = environment()

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


@dataclass(frozen=True)
class Stats:
    """One per-review metric over a group's pairs, counting only the pairs where it is defined."""

    defined: int
    """Checked pairs where the metric is defined (not None); the others have a zero denominator."""
    mean: float | None
    """Rounded to 4 places; None when no pair defines the metric."""
    median: float | None
    minimum: float | None
    maximum: float | None


@dataclass(frozen=True)
class LabelTotals:
    """A group's comparison with ground-truth labels, over its checked pairs that have labels."""

    pairs: int
    """Checked pairs with labels."""
    review: Score
    analyzers: Score
    agreement: Agreement
    """Labels found by both sides, the review only, the analyzers only, neither; summed."""


@dataclass(frozen=True)
class Group:
    """The pairs sharing the values of the grouping keys, or every pair (:attr:`overall`)."""

    keys: tuple[str, ...]
    """The grouping keys (the same for every group of one :func:`group_rows`)."""
    values: tuple[str, ...]
    """This group's value of each key, ``""`` where its pairs lack the key; empty for the overall group."""
    overall: bool
    """The group of every pair."""
    pairs: int
    checked: int
    not_checked: int
    """Pairs that could not be checked (their row has an error); they count nowhere else."""
    claims: int
    outcomes: tuple[tuple[str, int], ...]
    """Claims by outcome, summed: every known outcome (zeros too), then any other the rows hold."""
    findings: int
    relevant: int
    """Findings relevant to the verdict, summed."""
    finding_statuses: tuple[tuple[str, int], ...]
    """Findings by status (matched, missed, suppressed, then others), summed."""
    verdicts: tuple[tuple[str, int], ...]
    """Checked pairs by the verdict their review states."""
    consistency: tuple[tuple[str, int], ...]
    """Checked pairs by whether that verdict stands."""
    metrics: tuple[tuple[str, Stats], ...]
    """Each of :data:`METRICS` over the checked pairs where it is defined (``verdict_consistent`` as 1 or 0)."""
    labels: LabelTotals | None
    """None when no checked pair of the group has labels."""

    @property
    def label(self) -> str:
        """How the group is named on the page: its values joined by `` / `` (``(none)`` for a missing one),
        or ``all pairs``."""
        if self.overall:
            return OVERALL
        return " / ".join(shown_value(v) for v in self.values)

    def metric(self, name: str) -> Stats:
        """The :class:`Stats` of one of :data:`METRICS`."""
        return dict(self.metrics)[name]


def shown_value(value: str) -> str:
    """A grouping value as shown: itself, or ``(none)`` for a pair that lacks the key."""
    return value if value else MISSING


def metadata_keys(rows: Iterable[Row]) -> tuple[str, ...]:
    """Every metadata key of ``rows``, in order of first appearance: the default grouping keys."""
    return tuple(dict.fromkeys(str(k) for row in rows for k in _mapping(row.get("metadata"))))


def group_rows(rows: Sequence[Row], keys: Sequence[str] | None = None) -> tuple[Group, ...]:
    """The rows grouped by the values of the metadata ``keys`` (none given: :func:`metadata_keys`), sorted by
    those values, then the ``all pairs`` group. With no keys at all there is only the ``all pairs`` group."""
    chosen = tuple(dict.fromkeys(keys)) if keys else metadata_keys(rows)
    names = _Names.of(rows)
    buckets: dict[tuple[str, ...], list[Row]] = {}
    for row in rows:
        buckets.setdefault(group_values(row, chosen), []).append(row)
    groups = [_group(chosen, values, False, buckets[values], names) for values in sorted(buckets, key=_sort_key)]
    return (*(groups if chosen else []), _group(chosen, (), True, rows, names))


def group_values(row: Row, keys: Sequence[str]) -> tuple[str, ...]:
    """The values of ``keys`` in a row's metadata, ``""`` for a key it lacks."""
    metadata = _mapping(row.get("metadata"))
    return tuple("" if metadata.get(k) is None else str(metadata.get(k)) for k in keys)


# --- grouping ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Names:
    """The outcome and status names every group lists: the known ones, then others the rows hold."""

    outcomes: tuple[str, ...]
    statuses: tuple[str, ...]
    verdicts: tuple[str, ...]
    consistencies: tuple[str, ...]

    @classmethod
    def of(cls, rows: Sequence[Row]) -> _Names:
        checked = [r for r in rows if r.get("error") is None]
        return cls(_known_first(OUTCOMES, (k for r in checked for k in _outcome_counts(r))),
                   _known_first(STATUSES, (k for r in checked for k in _mapping(r.get("finding_statuses")))),
                   _known_first(VERDICTS, (str(r.get("verdict")) for r in checked if r.get("verdict") is not None)),
                   _known_first(CONSISTENCIES, (str(r.get("consistency")) for r in checked
                                                if r.get("consistency") is not None)))


def _known_first(known: tuple[str, ...], seen: Iterable[object]) -> tuple[str, ...]:
    return known + tuple(dict.fromkeys(n for n in (str(s) for s in seen) if n not in known))


def _group(keys: tuple[str, ...], values: tuple[str, ...], overall: bool, rows: Sequence[Row],
           names: _Names) -> Group:
    checked = [r for r in rows if r.get("error") is None]
    outcomes = _sums(names.outcomes, (_outcome_counts(r) for r in checked))
    statuses = _sums(names.statuses, (_mapping(r.get("finding_statuses")) for r in checked))
    return Group(
        keys=keys, values=values, overall=overall, pairs=len(rows), checked=len(checked),
        not_checked=len(rows) - len(checked),
        claims=sum(_int(r.get("claims")) for r in checked), outcomes=outcomes,
        findings=sum(_int(r.get("findings")) for r in checked), relevant=sum(_int(r.get("relevant")) for r in checked),
        finding_statuses=statuses,
        verdicts=_tally(names.verdicts, (r.get("verdict") for r in checked)),
        consistency=_tally(names.consistencies, (r.get("consistency") for r in checked)),
        metrics=tuple((m, _stats([_number(_mapping(r.get("metrics")).get(m)) for r in checked])) for m in METRICS),
        labels=_label_totals([_mapping(r.get("labels")) for r in checked if isinstance(r.get("labels"), Mapping)]),
    )


def _outcome_counts(row: Row) -> Mapping[str, object]:
    """A row's claims by outcome: ``all_outcomes``, or the non-zero ``outcomes`` of an older row."""
    counts = row.get("all_outcomes")
    return _mapping(counts if counts is not None else row.get("outcomes"))


def _sums(names: tuple[str, ...], counts: Iterable[Mapping[str, object]]) -> tuple[tuple[str, int], ...]:
    totals = dict.fromkeys(names, 0)
    for count in counts:
        for name, value in count.items():
            totals[str(name)] = totals.get(str(name), 0) + _int(value)
    return tuple(totals.items())


def _tally(names: tuple[str, ...], values: Iterable[object]) -> tuple[tuple[str, int], ...]:
    totals = dict.fromkeys(names, 0)
    for value in values:
        if value is not None:
            totals[str(value)] = totals.get(str(value), 0) + 1
    return tuple(totals.items())


def _stats(values: Sequence[float | None]) -> Stats:
    defined = sorted(v for v in values if v is not None)
    if not defined:
        return Stats(0, None, None, None, None)
    # fsum is correctly rounded, so the mean does not depend on the order of the pairs
    return Stats(len(defined), round(math.fsum(defined) / len(defined), 4), round(statistics.median(defined), 4),
                 round(defined[0], 4), round(defined[-1], 4))


def _label_totals(labels: Sequence[Mapping[str, object]]) -> LabelTotals | None:
    if not labels:
        return None
    agreement = {f: sum(_int(_mapping(lab.get("agreement")).get(f)) for lab in labels) for f in AGREEMENT_FIELDS}
    review, analyzers = (_summed([_mapping(lab.get(side)) for lab in labels]) for side in SIDES)
    return LabelTotals(len(labels), review, analyzers, Agreement(**agreement))


def _summed(scores: Sequence[Mapping[str, object]]) -> Score:
    """One side's scores summed over pairs, with the micro precision, recall and F1 of the sums."""
    tp, fp, fn = (sum(_int(s.get(f)) for s in scores) for f in ("true_positives", "false_positives", "false_negatives"))
    return score(tp, fp, fn)


def _mapping(value: object) -> Mapping[str, object]:
    return value if isinstance(value, Mapping) else {}


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _number(value: object) -> float | None:
    """A metric as a number: a bool as 1 or 0; None for anything undefined or not finite."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float) and math.isfinite(value):
        return float(value)
    return None


def _sort_key(values: tuple[str, ...]) -> tuple[tuple[bool, tuple[tuple[int, int, str], ...], str], ...]:
    """Missing values last; numbers inside values compared as numbers; the raw value breaks ties."""
    return tuple((v == "", tuple((0, int(part), "") if _DIGITS.fullmatch(part) else (1, 0, part)
                                 for part in _DIGITS.split(v) if part), v) for v in values)


# --- CSV and JSON -----------------------------------------------------------------------------------------------

def summary_csv(groups: Sequence[Group]) -> str:
    """One line per group under a header line; columns in a fixed order (see :func:`csv_columns`), ratios
    to 4 decimals, an empty cell where a value is undefined; ``\\n`` line ends."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(csv_columns(groups))
    for group in groups:
        writer.writerow(_csv_cells(group))
    return out.getvalue()


def csv_columns(groups: Sequence[Group]) -> list[str]:
    """The CSV header: ``group``, ``metadata.<key>`` per grouping key, the counts, ``<metric>_pairs``,
    ``_mean``, ``_median``, ``_min``, ``_max`` per metric, then the label totals."""
    first = groups[0] if groups else group_rows([])[0]
    return (["group", *(f"metadata.{k}" for k in first.keys), "pairs", "checked", "not_checked", "claims",
             *(f"outcome_{n}" for n, _ in first.outcomes), "findings", "relevant",
             *(f"finding_{n}" for n, _ in first.finding_statuses), *(f"verdict_{n}" for n, _ in first.verdicts),
             *(f"consistency_{n}" for n, _ in first.consistency),
             *(f"{m}_{s}" for m, _ in first.metrics for s in ("pairs", "mean", "median", "min", "max")),
             "labelled_pairs", *(f"{side}_{f}" for side in SIDES for f in SCORE_FIELDS),
             *(f"agreement_{f}" for f in AGREEMENT_FIELDS)])


def _csv_cells(group: Group) -> list[str]:
    labels = group.labels
    label_cells: list[object] = [None] * (1 + 2 * len(SCORE_FIELDS) + len(AGREEMENT_FIELDS))
    if labels is not None:
        label_cells = [labels.pairs, *(getattr(getattr(labels, side), f) for side in SIDES for f in SCORE_FIELDS),
                       *(getattr(labels.agreement, f) for f in AGREEMENT_FIELDS)]
    cells: list[object] = [
        group.pairs, group.checked, group.not_checked, group.claims, *(n for _, n in group.outcomes),
        group.findings, group.relevant, *(n for _, n in group.finding_statuses), *(n for _, n in group.verdicts),
        *(n for _, n in group.consistency),
        *(v for _, s in group.metrics for v in (s.defined, s.mean, s.median, s.minimum, s.maximum)),
        *label_cells]
    return [_csv_text(group.label), *(_csv_text(v) for v in (group.values or ("",) * len(group.keys))),
            *(_csv_number(c) for c in cells)]


def _csv_text(text: str) -> str:
    text = printable(text)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _csv_number(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def group_dict(group: Group) -> dict[str, Any]:
    """A group as plain JSON-ready data (what :func:`summary_json` lists)."""
    labels = group.labels
    return {
        "label": group.label, "overall": group.overall,
        "metadata": {} if group.overall else dict(zip(group.keys, group.values, strict=True)),
        "pairs": group.pairs, "checked": group.checked, "not_checked": group.not_checked,
        "claims": group.claims, "outcomes": dict(group.outcomes), "findings": group.findings,
        "relevant": group.relevant, "finding_statuses": dict(group.finding_statuses),
        "verdicts": dict(group.verdicts), "consistency": dict(group.consistency),
        "metrics": {m: {"pairs": s.defined, "mean": s.mean, "median": s.median, "min": s.minimum, "max": s.maximum}
                    for m, s in group.metrics},
        "labels": None if labels is None else {
            "pairs": labels.pairs,
            **{side: {f: getattr(getattr(labels, side), f) for f in SCORE_FIELDS} for side in SIDES},
            "agreement": {f: getattr(labels.agreement, f) for f in AGREEMENT_FIELDS}},
    }


def summary_json(groups: Sequence[Group], rows: Sequence[Row]) -> str:
    """The groups (:func:`group_dict`) and the per-pair rows as given, as JSON: sorted keys, two-space indent,
    ASCII only (any text, lone surrogates included, survives any file encoding), a final newline."""
    data = {"tool": {"name": "crosscheck", "version": __version__},
            "group_keys": list(groups[0].keys) if groups else [],
            "groups": [group_dict(g) for g in groups], "pairs": [dict(r) for r in rows]}
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=True) + "\n"


# --- HTML -------------------------------------------------------------------------------------------------------

def summary_html(groups: Sequence[Group], rows: Sequence[Row], title: str) -> str:
    """The batch summary as one self-contained HTML page, ending in a newline (contents: module docs)."""
    keys = groups[0].keys if groups else ()
    index = {g.values: n for n, g in enumerate(groups) if not g.overall}
    pairs = [_pair(r, keys, index) for r in rows]
    meta_keys = metadata_keys(rows)
    return _ENV.get_template("batch.html.j2").render(
        title=printable(title), csp=CSP, script=Markup(SCRIPT), version=__version__,
        keys=[printable(k) for k in keys], groups=[_group_view(n, g) for n, g in enumerate(groups)],
        rows=pairs, meta_keys=[printable(k) for k in meta_keys],
        checked=sum(1 for r in rows if r.get("error") is None), outcome_chart=_outcome_chart(groups),
        grounding_chart=_metric_chart(groups, "grounding_rate"), label_chart=_label_chart(groups),
        legend=[{"name": n, "fill": _fill(n)} for n, _ in (groups[0].outcomes if groups else ())],
        side_fills=SIDE_FILLS, tone=tone, metric_names=METRIC_NAMES)


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
        "outcomes": [{"name": n, "count": c, "fill": _fill(n)} for n, c in group.outcomes if c],
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
    metadata = _mapping(row.get("metadata"))
    metrics = _mapping(row.get("metrics"))
    labels = _mapping(row.get("labels"))
    group = index.get(group_values(row, keys))
    error = row.get("error")
    return {
        "id": printable(row.get("id", "")), "href": None if target is None else _href(target),
        "group": "" if group is None else f"g{group}",
        "metadata": {printable(k): printable(v) for k, v in metadata.items()},
        "code": printable(row.get("code", "")), "error": None if error is None else printable(error),
        "verdict": printable(row.get("verdict", "")), "consistency": printable(row.get("consistency", "")),
        "outcomes": [{"name": printable(n), "count": _int(c), "fill": _fill(str(n))}
                     for n, c in _outcome_counts(row).items() if _int(c)],
        "findings": _int(row.get("findings")), "missed": _int(row.get("missed")),
        "metrics": [_ratio_text(_number(metrics.get(m))) for m in METRICS[:4]],
        "labels": None if not labels else [
            f"{side} P {_ratio_text(_number(_mapping(labels.get(side)).get('precision')))}"
            f" R {_ratio_text(_number(_mapping(labels.get(side)).get('recall')))}" for side in SIDES],
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
