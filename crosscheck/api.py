"""The Python API, for notebooks and scripts: one call checks one pair and returns the report.

>>> import crosscheck
>>> report = crosscheck.check("samples/quickstart/invoices.py", "samples/quickstart/review.md")
>>> report.reconciliation.verdict.consistency.value
'consistent'
>>> data = report.to_dict()                      # the JSON report as plain data
>>> text = crosscheck.render(report, "text")     # or "json"

Errors are :class:`crosscheck.errors.CrosscheckError` subclasses with a message
that says what to do; the API never prints.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from crosscheck.errors import InputError
from crosscheck.formats import render as _render
from crosscheck.load.code import ReviewText, load_review, sha256_bytes
from crosscheck.models import Options, Severity
from crosscheck.results.report import Report
from crosscheck.run import pipeline


def check(code: str | os.PathLike[str], review: str | os.PathLike[str] | None = None, *,
          review_text: str | None = None, analyzers: Sequence[str] = (), min_severity: str = "medium",
          rules: str | os.PathLike[str] | None = None, timeout_s: float = 600.0) -> Report:
    """Check a review against ``code`` (a Python file or folder) and return the :class:`Report`.

    Give the review as a file (``review``) or as a string (``review_text``), not both.
    ``analyzers`` limits the analyzers run (default: every installed one that is not opt-in);
    ``min_severity`` is the threshold below which findings cannot contradict a
    "no defects" verdict; ``rules`` replaces crosscheck's semgrep rule pack.
    """
    if (review is None) == (review_text is None):
        raise InputError("give the review either as a file (review=) or as text (review_text=), exactly one")
    if min_severity not in {s.value for s in Severity}:
        raise InputError(f"min_severity must be one of low, medium, high, not {min_severity!r}")
    options = Options(min_severity=Severity(min_severity), analyzers=tuple(analyzers),
                      rules=os.fspath(rules) if rules is not None else None, timeout_s=timeout_s)
    if review_text is not None:
        text = ReviewText(path="<text>", sha256=sha256_bytes(review_text.encode("utf-8")),
                          text=review_text, encoding="utf-8")
    else:
        assert review is not None
        text = load_review(os.fspath(review))
    return pipeline.run_text(os.fspath(code), text, options)


def render(report: Report, fmt: str = "text") -> str:
    """The report in one of the formats ``--format`` takes (``text``, ``json``, ... and any installed format
    plugin), without colour; :class:`InputError` naming the known formats for another name."""
    return _render(report, fmt)
