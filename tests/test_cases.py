"""End-to-end cases: real bandit and semgrep on small code + review pairs.

Each folder under ``tests/cases/`` holds ``code.py``, ``review.md`` and
``expected.json``; every claim's kind, outcome and citation statuses, every
finding's status, and the verdict are asserted.
"""

from __future__ import annotations

import json

import pytest

from conftest import CASES
from crosscheck.formats import Format, render
from crosscheck.run import pipeline

CASE_NAMES = sorted(p.name for p in CASES.iterdir() if (p / "expected.json").is_file())


def test_there_are_enough_cases():
    assert len(CASE_NAMES) >= 6


@pytest.fixture(scope="module")
def reports():
    return {name: pipeline.run(str(CASES / name / "code.py"), str(CASES / name / "review.md")) for name in CASE_NAMES}


@pytest.mark.parametrize("name", CASE_NAMES)
def test_case(name, reports, validate_report):
    expected = json.loads((CASES / name / "expected.json").read_text(encoding="utf-8"))
    data = json.loads(render(reports[name], Format.JSON))
    validate_report(data)
    assert {"stated": data["verdict"]["stated"], "consistency": data["verdict"]["consistency"]} == expected["verdict"]
    claims = {
        c["id"]: {
            "kind": c["kind"],
            "outcome": c["outcome"],
            "citations": [[x["code"] if x["code"] is not None else x["line"], x["role"], x["status"]]
                          for x in c["citations"]],
        }
        for c in data["claims"]
    }
    assert claims == expected["claims"]
    findings = [{"analyzer": f["analyzer"], "rule_id": f["rule_id"], "line": f["line"], "status": f["status"]}
                for f in data["findings"]]
    assert findings == expected["findings"]
    assert all(a["status"] in ("ok", "partial") for a in data["analyzers"])


def test_cases_cover_every_outcome(reports):
    outcomes = {c.outcome.value for r in reports.values() for c in r.reconciliation.claims}
    consistencies = {r.reconciliation.verdict.consistency.value for r in reports.values()}
    statuses = {f.status.value for r in reports.values() for f in r.reconciliation.findings}
    assert outcomes >= {"confirmed", "unsupported", "ungrounded", "generic", "contradicted"}
    assert consistencies >= {"consistent", "contradicted", "self-contradictory"}
    assert statuses == {"matched", "missed"}


def test_unparseable_code_is_grounded_as_text_and_says_so(reports):
    report = reports["python2_fallback"]
    assert [f.parser for f in report.grounded.files] == ["text"]
    assert any("plain text" in d for d in report.diagnostics)
    bandit = next(r for r in report.runs if r.name == "bandit")
    assert bandit.status.value == "partial" and bandit.errors
