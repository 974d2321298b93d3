"""The numbers of a batch run's dataset summary: pairs grouped by their metadata, with per-group statistics.

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

The renderings of these numbers are formats: :mod:`crosscheck.formats.summary_csv`,
:mod:`crosscheck.formats.summary_json` and :mod:`crosscheck.formats.dataset_html`.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from crosscheck.reconcile.labels import Agreement, Score, score
from crosscheck.reconcile.model import OUTCOME_ORDER, Consistency, FindingStatus
from crosscheck.review.model import StatedVerdict

Row = Mapping[str, object]
"""One pair's row, as :func:`~crosscheck.results.outcome.summary_rows` makes it."""

OVERALL = "all pairs"
"""The label of the group of every pair."""
MISSING = "(none)"
"""How the value of a grouping key that a pair lacks is shown."""
METRICS = ("claim_precision", "finding_recall", "grounding_rate", "specificity", "verdict_consistent")
"""The per-review metrics aggregated per group, in column order."""
OUTCOMES = tuple(o.value for o in OUTCOME_ORDER)
"""Claim outcomes, most telling first (the report's order)."""
STATUSES = tuple(s.value for s in FindingStatus)
VERDICTS = tuple(v.value for v in StatedVerdict)
CONSISTENCIES = tuple(c.value for c in Consistency)
SIDES = ("review", "analyzers")
SCORE_FIELDS = ("true_positives", "false_positives", "false_negatives", "precision", "recall", "f1")
AGREEMENT_FIELDS = ("both", "review_only", "analyzers_only", "neither")

_DIGITS = re.compile(r"([0-9]+)")


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
    return tuple(dict.fromkeys(str(k) for row in rows for k in as_mapping(row.get("metadata"))))


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
    metadata = as_mapping(row.get("metadata"))
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
        return cls(_known_first(OUTCOMES, (k for r in checked for k in outcome_counts(r))),
                   _known_first(STATUSES, (k for r in checked for k in as_mapping(r.get("finding_statuses")))),
                   _known_first(VERDICTS, (str(r.get("verdict")) for r in checked if r.get("verdict") is not None)),
                   _known_first(CONSISTENCIES, (str(r.get("consistency")) for r in checked
                                                if r.get("consistency") is not None)))


def _known_first(known: tuple[str, ...], seen: Iterable[object]) -> tuple[str, ...]:
    return known + tuple(dict.fromkeys(n for n in (str(s) for s in seen) if n not in known))


def _group(keys: tuple[str, ...], values: tuple[str, ...], overall: bool, rows: Sequence[Row],
           names: _Names) -> Group:
    checked = [r for r in rows if r.get("error") is None]
    outcomes = _sums(names.outcomes, (outcome_counts(r) for r in checked))
    statuses = _sums(names.statuses, (as_mapping(r.get("finding_statuses")) for r in checked))
    return Group(
        keys=keys, values=values, overall=overall, pairs=len(rows), checked=len(checked),
        not_checked=len(rows) - len(checked),
        claims=sum(as_count(r.get("claims")) for r in checked), outcomes=outcomes,
        findings=sum(as_count(r.get("findings")) for r in checked), relevant=sum(as_count(r.get("relevant")) for r in checked),
        finding_statuses=statuses,
        verdicts=_tally(names.verdicts, (r.get("verdict") for r in checked)),
        consistency=_tally(names.consistencies, (r.get("consistency") for r in checked)),
        metrics=tuple((m, _stats([as_metric(as_mapping(r.get("metrics")).get(m)) for r in checked])) for m in METRICS),
        labels=_label_totals([as_mapping(r.get("labels")) for r in checked if isinstance(r.get("labels"), Mapping)]),
    )


def outcome_counts(row: Row) -> Mapping[str, object]:
    """A row's claims by outcome: ``all_outcomes``, or the non-zero ``outcomes`` of an older row."""
    counts = row.get("all_outcomes")
    return as_mapping(counts if counts is not None else row.get("outcomes"))


def _sums(names: tuple[str, ...], counts: Iterable[Mapping[str, object]]) -> tuple[tuple[str, int], ...]:
    totals = dict.fromkeys(names, 0)
    for count in counts:
        for name, value in count.items():
            totals[str(name)] = totals.get(str(name), 0) + as_count(value)
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
    agreement = {f: sum(as_count(as_mapping(lab.get("agreement")).get(f)) for lab in labels) for f in AGREEMENT_FIELDS}
    review, analyzers = (_summed([as_mapping(lab.get(side)) for lab in labels]) for side in SIDES)
    return LabelTotals(len(labels), review, analyzers, Agreement(**agreement))


def _summed(scores: Sequence[Mapping[str, object]]) -> Score:
    """One side's scores summed over pairs, with the micro precision, recall and F1 of the sums."""
    tp, fp, fn = (sum(as_count(s.get(f)) for s in scores) for f in ("true_positives", "false_positives", "false_negatives"))
    return score(tp, fp, fn)


def as_mapping(value: object) -> Mapping[str, object]:
    """A row's field that should be a mapping, or an empty one (rows may come from older or hand-made files)."""
    return value if isinstance(value, Mapping) else {}


def as_count(value: object) -> int:
    """A row's field that should be a count, or 0."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def as_metric(value: object) -> float | None:
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
