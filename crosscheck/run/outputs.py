"""Writing reports to disk (atomically): one file per format, and an index page for a folder of them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from crosscheck import __version__
from crosscheck.atomic import write_atomic
from crosscheck.formats import SUFFIXES, Format, render
from crosscheck.results.report import Report


def write_reports(report: Report, folder: Path, name: str, formats: Iterable[Format]) -> tuple[str, ...]:
    """Write ``report`` as ``folder/name.<suffix>`` in each format; the file names written, in order."""
    return write_rendered({fmt: render(report, fmt) for fmt in formats}, folder, name)


def write_rendered(texts: Mapping[Format, str], folder: Path, name: str) -> tuple[str, ...]:
    """Write already rendered reports as ``folder/name.<suffix>``; the file names written, in order."""
    written = []
    for fmt, text in texts.items():
        filename = f"{name}.{SUFFIXES[fmt]}"
        write_atomic(folder / filename, text)
        written.append(filename)
    return tuple(written)


_ENV = Environment(loader=PackageLoader("crosscheck", "templates"), autoescape=select_autoescape(default=True),
                   keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)


def index_page(rows: Sequence[dict[str, object]], title: str) -> str:
    """A self-contained HTML page of the :func:`~crosscheck.results.outcome.summary_rows`, linking every pair's reports;
    all text escaped."""
    return _ENV.get_template("index.html.j2").render(title=title, version=__version__, rows=rows)
