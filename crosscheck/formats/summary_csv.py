"""The dataset summary of a batch as CSV (``summary.csv``): one line per group of :mod:`crosscheck.results.dataset`.

Byte-identical for the same input: a fixed column order, numbers to 4 decimals, an
empty cell where a value is undefined, ``\\n`` line ends. Text cells starting with
``=``, ``+``, ``-``, ``@``, tab or carriage return get a leading ``'`` so
spreadsheets do not run them as formulas (metadata is untrusted text).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from crosscheck.formats.untrusted import printable
from crosscheck.results.dataset import AGREEMENT_FIELDS, SCORE_FIELDS, SIDES, Group, group_rows

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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
