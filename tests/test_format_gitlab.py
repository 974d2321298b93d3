"""The ``gitlab`` format: a GitLab Code Quality report, valid by the fields GitLab documents, with unique and
stable fingerprints, on a real pull request checked by the real analyzers."""

from __future__ import annotations

import dataclasses
import json
import shutil

import jsonschema
import pytest
import test_format_github
from test_format_github import ODD, WEB

from conftest import CASES, REPO
from crosscheck.formats import render
from crosscheck.results.report import Report
from crosscheck.run import pipeline

report = test_format_github.report
"""The report on the pull request of :mod:`test_format_github`, shared by the three formats' tests."""
in_repo = test_format_github.in_repo

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

CODE_QUALITY = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "properties": {
                    "path": {"type": "string", "minLength": 1, "not": {"pattern": r"^(\./|/)"}},
                    "lines": {
                        "type": "object",
                        "required": ["begin"],
                        "properties": {"begin": {"type": "integer", "minimum": 1},
                                       "end": {"type": "integer", "minimum": 1}},
                    },
                },
            },
        },
    },
}
"""GitLab's Code Quality report format (docs.gitlab.com, "Code Quality report format"): an array of issues,
each with a description, the check's name, a unique fingerprint, one of five severities, and a location
whose path is relative to the repository's root (no ``./``) and whose lines begin at a line."""


def _issues(report: Report) -> list[dict]:
    output = render(report, "gitlab")
    issues = json.loads(output)
    jsonschema.Draft202012Validator(CODE_QUALITY).validate(issues)
    assert output == json.dumps(issues, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    fingerprints = [i["fingerprint"] for i in issues]
    assert len(set(fingerprints)) == len(fingerprints)
    return issues


def test_the_report_is_valid_sorted_and_holds_what_needs_attention(report, in_repo):
    issues = _issues(report)
    got = [(i["location"]["path"], i["location"]["lines"]["begin"], i["check_name"], i["severity"]) for i in issues]
    assert got == [
        ("app/run.py", 1, "crosscheck/claim/unsupported", "info"),  # stale C1: no place, so the code's first file
        ("app/run.py", 17, "bandit/B324", "critical"),
        ("app/run.py", 17, "crosscheck/claim/contradicted", "critical"),
        ("app/run.py", 17, "semgrep/hashlib-weak-hash", "major"),
        ("app/run.py", 20, "crosscheck/claim/unsupported", "info"),
        ("app/run.py", 21, "crosscheck/claim/ungrounded", "major"),
        (ODD, 2, "bandit/B307", "major"),
        (ODD, 2, "semgrep/eval-exec-non-literal", "major"),
    ]  # nothing on line 5: its findings and the claim there are outside the change
    ungrounded = next(i for i in issues if i["check_name"] == "crosscheck/claim/ungrounded")
    assert ungrounded["description"].startswith("C6 (ungrounded): SQL injection: `cursor.execute(query % blob)`")
    assert ungrounded["description"].endswith(f"Comment: {WEB}#discussion_r13 by eve")
    assert "\n" not in ungrounded["description"]
    assert render(report, "gitlab") == render(report, "gitlab")


def test_fingerprints_stay_when_lines_move_and_differ_for_the_same_code_twice(report, in_repo):
    before = {i["check_name"] + i["location"]["path"]: i["fingerprint"] for i in _issues(report)
              if i["check_name"].startswith(("bandit/", "semgrep/"))}
    rec = report.reconciliation
    moved = [dataclasses.replace(f, finding=dataclasses.replace(f.finding, line=f.finding.line + 10,
                                                                end_line=f.finding.end_line + 10))
             for f in rec.findings]
    after = {i["check_name"] + i["location"]["path"]: i["fingerprint"] for i in _issues(
        dataclasses.replace(report, reconciliation=dataclasses.replace(rec, findings=tuple(moved))))
        if i["check_name"].startswith(("bandit/", "semgrep/"))}
    assert after == before

    b324 = next(f for f in rec.findings if f.finding.rule_id == "B324")
    twice = (*rec.findings, dataclasses.replace(b324, id="F99", finding=dataclasses.replace(b324.finding, line=40,
                                                                                             end_line=40)))
    issues = _issues(dataclasses.replace(report, reconciliation=dataclasses.replace(rec, findings=twice)))
    assert [i["location"]["lines"]["begin"] for i in issues if i["check_name"] == "bandit/B324"] == [17, 40]


def test_the_verdict_is_placed_in_the_review_file(monkeypatch):
    monkeypatch.chdir(REPO)
    pair = CASES / "missed_findings"
    issues = _issues(pipeline.run(str(pair / "code.py"), str(pair / "review.md")))
    verdict = next(i for i in issues if i["check_name"] == "crosscheck/verdict/contradicted")
    assert verdict["severity"] == "critical"
    assert verdict["location"] == {"path": "tests/cases/missed_findings/review.md", "lines": {"begin": 3, "end": 3}}
