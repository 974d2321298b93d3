"""The dataset summary of a batch as JSON (``summary.json``): the groups of :mod:`crosscheck.results.dataset`
and the per-pair rows, byte-identical for the same input."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from crosscheck import __version__
from crosscheck.results.dataset import AGREEMENT_FIELDS, SCORE_FIELDS, SIDES, Group, Row


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
