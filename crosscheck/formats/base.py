"""The one small interface every report format plugin implements: :class:`ReportFormat`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only named in annotations: finding formats (for --help) does not load the whole pipeline
    from crosscheck.results.report import Report

Renderer = Callable[["Report", bool], str]
"""``render(report, color)``: the whole report as text, ending in a newline; ``color`` only matters to terminal
formats."""


@dataclass(frozen=True)
class ReportFormat:
    """A way of writing a :class:`~crosscheck.results.report.Report` out as text.

    A format only renders: every decision (outcomes, verdict, metrics) is already in the report.
    A plugin registers an instance as an entry point of the group ``crosscheck.formats``, named
    :attr:`name`: ``csv = "mypackage.report:FORMAT"`` with ``FORMAT = ReportFormat("csv", "csv", render)``.
    """

    name: str
    """Short stable name, also the entry-point name and what ``--format`` takes (``json``, ``sarif``)."""
    suffix: str
    """File name extension (no leading dot) of the report in a folder of reports: ``<pair>.<suffix>``."""
    render: Renderer
    order: int = 1000
    """Where the format comes among the formats written by default (lower first, then by name). The built-in
    ones are 10 to 90 in steps of 10, their historical order, so a plugin can go between them; by default
    a plugin comes after them."""
    default: bool = True
    """Written by default into a folder of reports (``check --output-dir``, ``batch``) when no format is
    chosen. The formats made for one CI system's own channel (GitHub workflow commands, a GitLab Code
    Quality artifact, a job summary) are not: they are asked for by name."""
