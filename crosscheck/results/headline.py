"""The headline of a report: the truth of the review's claims first, the verdict after.

A verdict that holds says little when the review cites code that is not there, or misses
most findings; so every human-readable report opens with :func:`headline`: what is wrong
("2 of 11 claims cite code that is not there · 1 assurance contradicted · 8 findings
missed"), or plainly that nothing is, and a level (``good``, ``warn``, ``bad``: the worst
outcome) to colour it by. The verdict is one line after it.

The machine-readable outcome names (JSON, SARIF) stay as they are; :func:`outcome_label`
names an outcome for a reader ("upheld" means only that no analyzer refutes the claim).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

GOOD, WARN, BAD = "good", "warn", "bad"
NOTHING_WRONG = "every claim's cited code is there; no finding missed"
OUTCOME_LABELS = {"upheld": "upheld (no analyzer refutes it)"}
"""How an outcome is named to a reader where its bare name would mislead."""
OUTCOME_MEANINGS = {
    "upheld": "no analyzer refutes this assurance; that is not proof it is true (analyzers see only some defects)",
}
"""What an outcome means, for a legend or a tooltip."""


@dataclass(frozen=True)
class Headline:
    """What a reader should see first: the parts (each a finished phrase) and the level colouring them."""

    parts: tuple[str, ...]
    level: str
    """``good``, ``warn`` or ``bad``: the worst of the parts."""

    @property
    def text(self) -> str:
        """The parts on one line, joined by a middle dot."""
        return " \u00b7 ".join(self.parts)


def outcome_label(outcome: str) -> str:
    """An outcome's name as a reader sees it: "upheld (no analyzer refutes it)", any other unchanged."""
    return OUTCOME_LABELS.get(outcome, outcome)


def _count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def headline_of(*, claims: int, outcomes: Mapping[str, Any], missed: int, consistency: str) -> Headline:
    """The headline from a report's counts: its claims, claims by outcome, missed findings and the
    verdict's consistency (see the module)."""
    bad: list[str] = []
    ungrounded = _count(outcomes.get("ungrounded"))
    if ungrounded:
        verb = "cites" if ungrounded == 1 else "cite"
        bad.append(f"{ungrounded} of {_plural(claims, 'claim', 'claims')} {verb} code that is not there")
    contradicted = _count(outcomes.get("contradicted"))
    if contradicted:
        bad.append(_plural(contradicted, "assurance", "assurances") + " contradicted")
    if missed:
        bad.append(_plural(missed, "finding", "findings") + " missed")
    if consistency == "self-contradictory":
        bad.append("the review contradicts itself")
    elif consistency == "contradicted":
        bad.append("the analyzers contradict its verdict")
    warn: list[str] = []
    unsupported = _count(outcomes.get("unsupported"))
    if unsupported:
        warn.append(_plural(unsupported, "defect claim", "defect claims") + " not backed by any analyzer")
    if consistency == "undetermined":
        warn.append("its verdict could not be determined")
    if bad:
        return Headline(tuple(bad + warn), BAD)
    if warn:
        return Headline(tuple(warn), WARN)
    return Headline((NOTHING_WRONG,), GOOD)


def headline(data: Mapping[str, Any]) -> Headline:
    """The headline of a report, from its :meth:`~crosscheck.results.report.Report.to_dict`."""
    metrics = data["metrics"]
    return headline_of(claims=_count(metrics["claims"].get("total")), outcomes=metrics["outcomes"],
                       missed=_count(metrics["findings"].get("missed")), consistency=str(data["verdict"]["consistency"]))


def row_headline(row: Mapping[str, object]) -> Headline | None:
    """The headline of a summary row (:func:`~crosscheck.results.outcome.summary_rows`), or None for a pair
    that was not checked."""
    if row.get("error") is not None or "consistency" not in row:
        return None
    outcomes = row.get("all_outcomes") or row.get("outcomes")
    return headline_of(claims=_count(row.get("claims")), outcomes=outcomes if isinstance(outcomes, Mapping) else {},
                       missed=_count(row.get("missed")), consistency=str(row.get("consistency")))
