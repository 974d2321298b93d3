"""The outcome of each pair in a run over several, and the one row per pair that summaries show."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from crosscheck.results.gates import GateSpec, failed_gates, met_gates
from crosscheck.results.report import Report


@dataclass(frozen=True)
class PairOutcome:
    """What became of one pair in a run over several: its report, or why there is none."""

    id: str
    code: str
    """The code as reports name it (a path relative to the manifest, or an upstream path)."""
    review: str
    report: Report | None
    error: str | None
    """Why the pair could not be checked; None when it was."""
    files: tuple[str, ...] = ()
    """Report files written for this pair, relative to the output folder."""
    metadata: tuple[tuple[str, str], ...] = ()
    """The pair's free metadata from the manifest (model, prompt, run, ...), in manifest order."""
    summary: PairSummary | None = None
    """Its summary row and gate counts, when already computed: for a pair whose reports came from the
    cache (then ``report`` is None), or that a batch has just put into the cache."""

    def gate_lines(self, gates: Iterable[GateSpec]) -> tuple[str, ...]:
        """The gates of ``gates`` the pair meets (see :func:`crosscheck.results.gates.failed_gates`)."""
        if self.report is not None:
            return failed_gates(self.report, gates)
        return met_gates(dict(self.summary.gates), gates) if self.summary is not None else ()

    def analyzer_statuses(self) -> dict[str, str]:
        """Each analyzer's run status (``ok``, ``partial``, ``failed``, ``missing``) for a checked pair."""
        if self.report is not None:
            return {run.name: run.status.value for run in self.report.runs}
        statuses = self.summary.row.get("analyzers") if self.summary is not None else None
        return {str(k): str(v) for k, v in statuses.items()} if isinstance(statuses, Mapping) else {}


@dataclass(frozen=True)
class PairSummary:
    """What a batch keeps of a checked pair besides its report files: enough to summarise it and gate on it."""

    row: Mapping[str, object]
    """Its :func:`summary_rows` row."""
    gates: tuple[tuple[str, int], ...]
    """:func:`crosscheck.results.gates.gate_counts` of its report."""


def summary_rows(outcomes: Sequence[PairOutcome]) -> list[dict[str, object]]:
    """One plain row per pair: what the summary table and the index page show."""
    rows: list[dict[str, object]] = []
    for outcome in outcomes:
        if outcome.summary is not None:
            rows.append(dict(outcome.summary.row))
            continue
        row: dict[str, object] = {"id": outcome.id, "code": outcome.code, "review": outcome.review,
                                  "files": list(outcome.files), "error": outcome.error,
                                  "metadata": dict(outcome.metadata)}
        if outcome.report is not None:
            data = outcome.report.to_dict()
            metrics = data["metrics"]
            source = data["code"]["source"]
            row |= {
                "verdict": data["verdict"]["stated"],
                "consistency": data["verdict"]["consistency"],
                "claims": metrics["claims"]["total"],
                "outcomes": {k: v for k, v in metrics["outcomes"].items() if v},
                "findings": metrics["findings"]["total"],
                "missed": metrics["findings"].get("missed", 0),
                "grounding_rate": metrics["grounding_rate"],
                "metrics": {key: metrics[key] for key in ("claim_precision", "finding_recall", "grounding_rate",
                                                          "specificity", "verdict_consistent")},
                "all_outcomes": dict(metrics["outcomes"]),
                "finding_statuses": {k: v for k, v in metrics["findings"].items() if k not in ("total", "relevant")},
                "relevant": metrics["findings"]["relevant"],
                "analyzers": {run["name"]: run["status"] for run in data["analyzers"]},
                "labels": None if data["labels"] is None else {
                    side: {k: data["labels"][side][k] for k in ("true_positives", "false_positives",
                                                                "false_negatives", "precision", "recall", "f1")}
                    for side in ("review", "analyzers")} | {"agreement": data["labels"]["agreement"]},
                "source": "local" if source is None else
                f"{source['kind']} {source['revision']}{'' if source['exact'] else ' (not the reviewed revision)'}",
            }
        rows.append(row)
    return rows
