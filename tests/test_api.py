"""The Python API: crosscheck.check() returns the same report the command line renders."""

from __future__ import annotations

import doctest
import json

import pytest

import crosscheck
from conftest import CASES, REPO
from crosscheck import api
from crosscheck.errors import InputError

CODE = CASES / "confirmed_exact" / "code.py"
REVIEW = CASES / "confirmed_exact" / "review.md"


def test_check_from_a_file_and_from_text_agree(validate_report):
    from_file = crosscheck.check(CODE, REVIEW, analyzers=["bandit"])
    from_text = crosscheck.check(str(CODE), review_text=REVIEW.read_text(encoding="utf-8"), analyzers=["bandit"])
    assert isinstance(from_file, crosscheck.Report)
    assert [c.outcome for c in from_file.reconciliation.claims] == [c.outcome for c in from_text.reconciliation.claims]
    assert from_text.to_dict()["review"]["path"] == "<text>"
    validate_report(json.loads(crosscheck.render(from_file, "json")))


def test_api_errors_are_crosscheck_errors():
    with pytest.raises(InputError, match="exactly one"):
        crosscheck.check(CODE)
    with pytest.raises(InputError, match="exactly one"):
        crosscheck.check(CODE, REVIEW, review_text="x")
    with pytest.raises(InputError, match="min_severity"):
        crosscheck.check(CODE, REVIEW, min_severity="critical")
    report = crosscheck.check(CODE, review_text="No security defects are detected in the code.", analyzers=["bandit"])
    with pytest.raises(InputError, match="unknown format"):
        crosscheck.render(report, "pdf")


def test_the_documented_example_runs(monkeypatch):
    monkeypatch.chdir(REPO)
    result = doctest.testmod(api, raise_on_error=False)
    assert result.attempted >= 4 and result.failed == 0
