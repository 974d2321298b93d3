"""Gates: conditions on a report that make the command fail (exit 1), for CI and pre-commit.

A gate is an outcome name, optionally with a severity for the gates that are about
findings: ``missed:high`` is met only by a missed finding of high severity, and
``contradicted:high`` only by an assurance or verdict that a high-severity finding
contradicts. Without a severity, ``missed`` and ``contradicted`` count what the
report counts as relevant (at or above ``--min-severity``, not suppressed, not
test-context noise unless test findings are asked for).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from crosscheck.errors import InputError
from crosscheck.models import Gate, Severity

if TYPE_CHECKING:  # the command line parses --fail-on before any stage is loaded (see _count)
    from crosscheck.reconcile.model import FindingResult
    from crosscheck.results.report import Report

SEVERITY_GATES = frozenset({Gate.MISSED, Gate.CONTRADICTED})
"""The gates about findings, which take a severity."""


@dataclass(frozen=True)
class GateSpec:
    """One ``--fail-on`` value: a gate, and for finding gates an optional severity floor."""

    gate: Gate
    severity: Severity | None = None

    def __str__(self) -> str:
        return self.gate.value + (f":{self.severity.value}" if self.severity else "")

    def sort_key(self) -> tuple[int, int]:
        """Gates in the order of :class:`Gate`, each without a severity first, then low to high."""
        return list(Gate).index(self.gate), self.severity.rank if self.severity else -1


def parse_gate(text: str) -> GateSpec:
    """``OUTCOME`` or ``OUTCOME:SEVERITY`` as a :class:`GateSpec`; :class:`InputError` when it is neither."""
    name, _, severity = text.strip().partition(":")
    try:
        gate = Gate(name)
    except ValueError:
        raise InputError(f"unknown outcome {name!r} (known: {', '.join(g.value for g in Gate)})") from None
    if not severity:
        if text.strip().endswith(":"):
            raise InputError(f"{text!r}: a severity (low, medium, high) must follow the ':'")
        return GateSpec(gate)
    if gate not in SEVERITY_GATES:
        raise InputError(f"{text!r}: only missed and contradicted take a severity")
    if severity not in {s.value for s in Severity}:
        raise InputError(f"{text!r}: severity must be one of low, medium, high, not {severity!r}")
    return GateSpec(gate, Severity(severity))


ALL_GATES = tuple(sorted({GateSpec(g) for g in Gate} | {GateSpec(g, s) for g in SEVERITY_GATES for s in Severity},
                         key=GateSpec.sort_key))
"""Every gate ``--fail-on`` can name."""


def failed_gates(report: Report, gates: Iterable[GateSpec]) -> tuple[str, ...]:
    """One line per gate that ``report`` meets, in a fixed order; empty when it passes."""
    return met_gates({str(spec): _count(report, spec) for spec in set(gates)}, gates)


def gate_counts(report: Report) -> dict[str, int]:
    """How often ``report`` meets each of :data:`ALL_GATES`, by the gate's name (``"missed:high"``):
    what a cached report keeps so gates can be decided without it."""
    return {str(spec): _count(report, spec) for spec in ALL_GATES}


def met_gates(counts: Mapping[str, int], gates: Iterable[GateSpec]) -> tuple[str, ...]:
    """One line per gate of ``gates`` with a non-zero count in ``counts``, in a fixed order."""
    return tuple(f"{spec}: {counts[str(spec)]}" for spec in sorted(set(gates), key=GateSpec.sort_key)
                 if counts.get(str(spec)))


def _count(report: Report, spec: GateSpec) -> int:
    from crosscheck.reconcile.model import FindingStatus, Outcome  # loaded with the report already

    rec = report.reconciliation
    outcomes = [c.outcome for c in rec.claims]
    consistency = rec.verdict.consistency.value
    by_id = {f.id: f for f in rec.findings}
    if spec.severity is None:
        def counts(f: FindingResult) -> bool:
            return f.relevant
    else:
        floor = spec.severity.rank

        def counts(f: FindingResult) -> bool:
            return (f.finding.severity.rank >= floor and f.status is not FindingStatus.SUPPRESSED
                    and (report.options.test_findings or not f.test_context) and not f.outside_change)
    if spec.gate is Gate.MISSED:
        return sum(f.status is FindingStatus.MISSED and counts(f) for f in rec.findings)
    if spec.gate is Gate.CONTRADICTED:
        claims = sum(c.outcome is Outcome.CONTRADICTED and any(counts(by_id[i]) for i in c.findings)
                     for c in rec.claims)
        verdict = consistency == "contradicted" and (
            spec.severity is None or not rec.findings or any(counts(f) for f in rec.findings))
        return claims + verdict
    return {
        Gate.UNGROUNDED: outcomes.count(Outcome.UNGROUNDED),
        Gate.UNSUPPORTED: outcomes.count(Outcome.UNSUPPORTED),
        Gate.SELF_CONTRADICTORY: int(consistency == "self-contradictory"),
        Gate.UNDETERMINED: int(consistency == "undetermined"),
    }[spec.gate]
