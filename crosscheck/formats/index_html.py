"""The index page of a folder of reports (``index.html`` of ``check --output-dir``): one row per pair, linking
its reports."""

from __future__ import annotations

from collections.abc import Sequence

from crosscheck.formats.page import render_page
from crosscheck.results.headline import outcome_label, row_headline


def index_page(rows: Sequence[dict[str, object]], title: str) -> str:
    """A self-contained HTML page of the :func:`~crosscheck.results.outcome.summary_rows`, linking every pair's reports;
    all text escaped. Each checked pair leads with its headline (:mod:`crosscheck.results.headline`), coloured by
    its level, before the verdict."""
    return render_page("index.html.j2", title=title, script=None, outcome_label=outcome_label,
                       rows=[{**row, "headline": row_headline(row)} for row in rows])
