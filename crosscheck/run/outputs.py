"""Writing reports to disk (atomically): one file per format, and the summary over a folder of them.

A file that cannot be written is one :class:`~crosscheck.errors.OutputError` naming it and why
(:func:`crosscheck.atomic.write_output`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from crosscheck.atomic import write_output
from crosscheck.formats import render, suffix
from crosscheck.formats.json_text import dumps
from crosscheck.results.outcome import PairOutcome, summary_rows
from crosscheck.results.report import Report


def write_reports(report: Report, folder: Path, name: str, formats: Iterable[str]) -> tuple[str, ...]:
    """Write ``report`` as ``folder/name.<suffix>`` in each format named; the file names written, in order."""
    return write_rendered({fmt: render(report, fmt) for fmt in formats}, folder, name)


STEM_BYTES = 200
"""The longest report file name before its suffix, in UTF-8 bytes: with the longest suffix, the name stays
within the 255 bytes file systems allow."""
HASH_CHARS = 16
"""Hex digits of the hash that ends a shortened name (64 bits: two ids of a batch do not share one)."""


def report_stem(name: str) -> str:
    """The file name (before ``.<suffix>``) of the reports of the pair named ``name``: ``name`` itself when it
    fits in :data:`STEM_BYTES`, else as much of its start as fits with ``-`` and a hash of all of it (ids
    that differ only past the limit get different names). Every report file of a pair is named by this
    alone; the summary and the index pages link the names it gives."""
    encoded = name.encode("utf-8", "surrogateescape")
    if len(encoded) <= STEM_BYTES:
        return name
    digest = hashlib.sha256(encoded).hexdigest()[:HASH_CHARS]
    start = encoded[:STEM_BYTES - HASH_CHARS - 1].decode("utf-8", "ignore")
    return f"{start}-{digest}"


def write_rendered(texts: Mapping[str, str], folder: Path, name: str) -> tuple[str, ...]:
    """Write already rendered reports, by format name, as ``folder/<stem>.<suffix>`` (the stem is
    :func:`report_stem` of ``name``); the file names written, in order."""
    written = []
    stem = report_stem(name)
    for fmt, text in texts.items():
        filename = f"{stem}.{suffix(fmt)}"
        write_output(folder / filename, text)
        written.append(filename)
    return tuple(written)


def write_summary(outcomes: Sequence[PairOutcome], output_dir: Path, title: str) -> None:
    """``index.html`` (links to every report) and ``summary.json`` (one row per pair) in ``output_dir``."""
    # Imported when used, like every format: a command that writes no summary (or --help) does not load them.
    from crosscheck.formats.index_html import index_page

    rows = summary_rows(outcomes)
    write_output(output_dir / "index.html", index_page(rows, title))
    write_output(output_dir / "summary.json", dumps(rows))


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
    write_output(output_dir / "index.html", summary_html(groups, rows, title))
    write_output(output_dir / "summary.csv", summary_csv(groups))
    write_output(output_dir / "summary.json", summary_json(groups, rows))
