"""The JSON report: the documented, versioned shape, byte-identical for the same inputs."""

from __future__ import annotations

import json

from crosscheck.formats.base import ReportFormat
from crosscheck.results.report import Report


def render(report: Report, color: bool = False) -> str:
    """Sorted keys, two-space indent, no timestamps, a final newline."""
    return json.dumps(report.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


FORMAT = ReportFormat(name="json", suffix="json", order=20, render=render)
"""``--format json``, registered as the entry point ``json`` of ``crosscheck.formats``."""
