"""The outcome of each pair in a run over several, and the one row per pair that summaries show."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from crosscheck.report import Report


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


def summary_rows(outcomes: Sequence[PairOutcome]) -> list[dict[str, object]]:
    """One plain row per pair: what the summary table and the index page show."""
    rows: list[dict[str, object]] = []
    for outcome in outcomes:
        row: dict[str, object] = {"id": outcome.id, "code": outcome.code, "review": outcome.review,
                                  "files": list(outcome.files), "error": outcome.error}
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
                "source": "local" if source is None else
                f"{source['kind']} {source['revision']}{'' if source['exact'] else ' (not the reviewed revision)'}",
            }
        rows.append(row)
    return rows
