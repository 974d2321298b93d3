"""The JSON report: the documented, versioned shape, byte-identical for the same inputs."""

from __future__ import annotations

from crosscheck.formats.base import ReportFormat
from crosscheck.formats.json_text import dumps
from crosscheck.results.report import Report


def render(report: Report, color: bool = False) -> str:
    """Sorted keys, two-space indent, no timestamps, a final newline."""
    return dumps(report.to_dict())


FORMAT = ReportFormat(name="json", suffix="json", order=20, render=render)
"""``--format json``, registered as the entry point ``json`` of ``crosscheck.formats``."""
