"""Writing reports to disk (atomically): one file per format, and the summary over a folder of them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from crosscheck.atomic import write_atomic
from crosscheck.formats import render, suffix
from crosscheck.formats.json_text import dumps
from crosscheck.results.outcome import PairOutcome, summary_rows
from crosscheck.results.report import Report


def write_reports(report: Report, folder: Path, name: str, formats: Iterable[str]) -> tuple[str, ...]:
    """Write ``report`` as ``folder/name.<suffix>`` in each format named; the file names written, in order."""
    return write_rendered({fmt: render(report, fmt) for fmt in formats}, folder, name)


def write_rendered(texts: Mapping[str, str], folder: Path, name: str) -> tuple[str, ...]:
    """Write already rendered reports, by format name, as ``folder/name.<suffix>``; the file names written,
    in order."""
    written = []
    for fmt, text in texts.items():
        filename = f"{name}.{suffix(fmt)}"
        write_atomic(folder / filename, text)
        written.append(filename)
    return tuple(written)


def write_summary(outcomes: Sequence[PairOutcome], output_dir: Path, title: str) -> None:
    """``index.html`` (links to every report) and ``summary.json`` (one row per pair) in ``output_dir``."""
    # Imported when used, like every format: a command that writes no summary (or --help) does not load them.
    from crosscheck.formats.index_html import index_page

    rows = summary_rows(outcomes)
    write_atomic(output_dir / "index.html", index_page(rows, title))
    write_atomic(output_dir / "summary.json", dumps(rows))


def write_batch_summary(outcomes: Sequence[PairOutcome], output_dir: Path, title: str,
                        group_by: Sequence[str] = ()) -> None:
    """The dataset summary of a batch in ``output_dir``, pairs grouped by ``group_by`` metadata keys (default:
    every key): ``index.html`` (tables, plots and a link to every pair's report), ``summary.csv`` (one line
    per group) and ``summary.json`` (the groups and one row per pair)."""
    from crosscheck.formats.dataset_html import summary_html  # when used, as in write_summary
    from crosscheck.formats.summary_csv import summary_csv
    from crosscheck.formats.summary_json import summary_json
    from crosscheck.results.dataset import group_rows

    rows = summary_rows(outcomes)
    groups = group_rows(rows, group_by)
    write_atomic(output_dir / "index.html", summary_html(groups, rows, title))
    write_atomic(output_dir / "summary.csv", summary_csv(groups))
    write_atomic(output_dir / "summary.json", summary_json(groups, rows))
