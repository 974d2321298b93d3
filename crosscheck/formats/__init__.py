"""Report formats: one module per format, chosen from a registry by name.

Formatters only render a :class:`~crosscheck.results.report.Report`; they decide nothing.
"""

from __future__ import annotations

import enum
from collections.abc import Callable

from crosscheck.formats import html_format, json_format, junit_format, markdown_format, sarif_format, text_format
from crosscheck.results.report import Report


class Format(str, enum.Enum):
    """The output formats, by the name ``--format`` takes."""

    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    JUNIT = "junit"
    MARKDOWN = "markdown"
    HTML = "html"


Renderer = Callable[[Report, bool], str]

SUFFIXES: dict[Format, str] = {
    Format.TEXT: "txt",
    Format.JSON: "json",
    Format.SARIF: "sarif",
    Format.JUNIT: "junit.xml",
    Format.MARKDOWN: "md",
    Format.HTML: "html",
}
"""The file name extension of each format, for reports written into a folder."""

RENDERERS: dict[Format, Renderer] = {
    Format.TEXT: text_format.render,
    Format.JSON: json_format.render,
    Format.SARIF: sarif_format.render,
    Format.JUNIT: junit_format.render,
    Format.MARKDOWN: markdown_format.render,
    Format.HTML: html_format.render,
}


def render(report: Report, fmt: Format, *, color: bool = False) -> str:
    """Render ``report`` in ``fmt``; ``color`` only matters to terminal formats."""
    return RENDERERS[fmt](report, color)
