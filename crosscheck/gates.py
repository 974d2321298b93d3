"""Gates: conditions on a report that make the command fail (exit 1), for CI and pre-commit."""

from __future__ import annotations

import enum

from crosscheck.report import Report


class Gate(str, enum.Enum):
    """What ``--fail-on`` accepts."""

    UNGROUNDED = "ungrounded"
    """A claim cites code or lines that are not there."""
    UNSUPPORTED = "unsupported"
    """A specific defect claim that no finding backs."""
    CONTRADICTED = "contradicted"
    """An assurance, or the overall verdict, that a finding contradicts."""
    SELF_CONTRADICTORY = "self-contradictory"
    """The review says "no defects" and then claims defects."""
    MISSED = "missed"
    """A finding at or above the severity threshold that the review does not report."""
    UNDETERMINED = "undetermined"
    """The review states no overall verdict."""


def failed_gates(report: Report, gates: frozenset[Gate]) -> tuple[str, ...]:
    """One line per gate that ``report`` meets, in a fixed order; empty when it passes."""
    rec = report.reconciliation
    outcomes = [c.outcome.value for c in rec.claims]
    consistency = rec.verdict.consistency.value
    counts = {
        Gate.UNGROUNDED: outcomes.count("ungrounded"),
        Gate.UNSUPPORTED: outcomes.count("unsupported"),
        Gate.CONTRADICTED: outcomes.count("contradicted") + (consistency == "contradicted"),
        Gate.SELF_CONTRADICTORY: int(consistency == "self-contradictory"),
        Gate.MISSED: sum(f.relevant and f.status.value == "missed" for f in rec.findings),
        Gate.UNDETERMINED: int(consistency == "undetermined"),
    }
    return tuple(f"{gate.value}: {counts[gate]}" for gate in Gate if gate in gates and counts[gate])
