"""Reconciliation policy with the real analyzers: suppression comments, the audit switch,
the test-code policy, scopes and the rules' vocabulary as match signals, and gates with a severity.

Suppression is checked against the analyzers themselves: the lines crosscheck marks
``suppressed`` are exactly the lines bandit and semgrep leave out when they honour
their own comments.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from crosscheck.analyzers.semgrep import default_rules_dir
from crosscheck.cli import cli
from crosscheck.errors import InputError
from crosscheck.formats import Format, render, sarif_format
from crosscheck.models import Options, Severity
from crosscheck.results.gates import Gate, GateSpec, failed_gates, gate_counts, parse_gate
from crosscheck.run import pipeline

SUPPRESSED_CODE = """\
import hashlib
import subprocess


def digest(data):
    a = hashlib.md5(data)  # nosec
    b = hashlib.md5(data)  # nosec B324
    c = hashlib.md5(data)  # nosec B602
    # nosemgrep
    d = hashlib.md5(data)
    e = hashlib.md5(data)  # nosemgrep: hashlib-weak-hash
    f = hashlib.md5(data)  # nosemgrep: some-other-rule
    subprocess.call(data, shell=True)
    return a, b, c, d, e, f
"""

NO_DEFECTS = "No security defects are detected in the code.\n"


@pytest.fixture(scope="module")
def suppressed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("suppressed")
    (folder / "code.py").write_text(SUPPRESSED_CODE, encoding="utf-8")
    (folder / "review.md").write_text(NO_DEFECTS, encoding="utf-8")
    return folder


def _bin(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def _bandit_lines(path: Path) -> set[int]:
    """Lines bandit reports when it honours ``# nosec`` itself."""
    out = subprocess.run([_bin("bandit"), "-q", "-f", "json", str(path)], capture_output=True, text=True, check=False)
    return {r["line_number"] for r in json.loads(out.stdout)["results"]}


def _semgrep_lines(path: Path) -> set[int]:
    """Lines semgrep reports (crosscheck's rules) when it honours ``# nosemgrep`` itself."""
    out = subprocess.run([_bin("semgrep"), "scan", "--config", str(default_rules_dir()), "--json", "--metrics=off",
                          "--disable-version-check", "--quiet", str(path)],
                         capture_output=True, text=True, check=False)
    return {r["start"]["line"] for r in json.loads(out.stdout)["results"]}


def test_suppressed_is_exactly_what_each_analyzer_itself_leaves_out(suppressed):
    report = pipeline.run(str(suppressed / "code.py"), str(suppressed / "review.md"))
    for analyzer, honoured in (("bandit", _bandit_lines), ("semgrep", _semgrep_lines)):
        ours = [f for f in report.reconciliation.findings if f.finding.analyzer == analyzer]
        kept = {f.finding.line for f in ours if f.status.value != "suppressed"}
        assert kept == honoured(suppressed / "code.py"), analyzer
        assert {f.finding.line for f in ours if f.status.value == "suppressed"}, analyzer
    by_line = {(f.finding.analyzer, f.finding.line): f for f in report.reconciliation.findings}
    assert by_line["bandit", 6].finding.suppression == "# nosec"
    assert by_line["semgrep", 11].finding.suppression == "# nosemgrep: hashlib-weak-hash"
    assert not by_line["bandit", 8].finding.suppression  # names another test
    assert not by_line["semgrep", 12].finding.suppression  # names another rule
    assert not any(f.relevant for f in report.reconciliation.findings if f.status.value == "suppressed")


def test_audit_counts_suppressed_findings_like_any_other(suppressed):
    code, review = str(suppressed / "code.py"), str(suppressed / "review.md")
    honoured = pipeline.run(code, review)
    audited = pipeline.run(code, review, Options(audit=True))
    assert "suppressed" in {f.status.value for f in honoured.reconciliation.findings}
    assert {f.status.value for f in audited.reconciliation.findings} == {"missed"}
    assert len(audited.reconciliation.findings) == len(honoured.reconciliation.findings)
    # the comment is still reported, so an auditor sees what the code claimed
    assert any(f.finding.suppression for f in audited.reconciliation.findings)
    assert (sum(f.relevant for f in audited.reconciliation.findings)
            > sum(f.relevant for f in honoured.reconciliation.findings))


def test_a_no_defects_verdict_is_not_contradicted_by_suppressed_findings_alone(tmp_path):
    (tmp_path / "code.py").write_text("import hashlib\n\n\ndef f(d):\n    return hashlib.md5(d)  # nosec # nosemgrep\n",
                                      encoding="utf-8")
    (tmp_path / "review.md").write_text(NO_DEFECTS, encoding="utf-8")
    code, review = str(tmp_path / "code.py"), str(tmp_path / "review.md")
    assert pipeline.run(code, review).reconciliation.verdict.consistency.value == "consistent"
    audited = pipeline.run(code, review, Options(audit=True))
    assert audited.reconciliation.verdict.consistency.value == "contradicted"


TEST_CODE = """\
import random


def test_login(client):
    password = "hunter2"
    response = client.login("admin", password)
    assert response.ok
    assert random.random() < 1
"""


@pytest.fixture(scope="module")
def test_tree(tmp_path_factory):
    root = tmp_path_factory.mktemp("project")
    (root / "tests").mkdir()
    (root / "tests" / "test_login.py").write_text(TEST_CODE, encoding="utf-8")
    (root / "review.md").write_text(NO_DEFECTS, encoding="utf-8")
    return root


def test_noise_in_test_files_is_kept_but_out_of_the_verdict(test_tree):
    report = pipeline.run(str(test_tree / "tests"), str(test_tree / "review.md"), Options(min_severity=Severity.LOW))
    findings = report.reconciliation.findings
    assert {f.finding.rule_id for f in findings} >= {"B101", "B105"}
    assert all(f.test_context and not f.relevant for f in findings)
    assert report.reconciliation.verdict.consistency.value == "consistent"
    asked = pipeline.run(str(test_tree / "tests"), str(test_tree / "review.md"),
                         Options(min_severity=Severity.LOW, test_findings=True))
    assert all(f.test_context and f.relevant for f in asked.reconciliation.findings)
    assert asked.reconciliation.verdict.consistency.value == "contradicted"


def test_the_test_file_patterns_are_configurable(test_tree):
    review = str(test_tree / "review.md")
    low = Severity.LOW
    other = pipeline.run(str(test_tree / "tests"), review, Options(min_severity=low, test_patterns=("spec_*.py",)))
    assert not any(f.test_context for f in other.reconciliation.findings)
    assert other.reconciliation.verdict.consistency.value == "contradicted"
    # a single file is named by its name: test_login.py matches the default test_*.py
    single = pipeline.run(str(test_tree / "tests" / "test_login.py"), review, Options(min_severity=low))
    assert all(f.test_context for f in single.reconciliation.findings)


SCOPED_CODE = """\
\"\"\"Deployment helpers.\"\"\"

import subprocess

TIMEOUT = 60


def deploy(host, branch):
    \"\"\"Deploy ``branch`` to ``host``.\"\"\"
    target = f"{host}:/srv/app"
    steps = [
        "git fetch",
        f"git checkout {branch}",
    ]
    for step in steps:
        print(step)
    return subprocess.run(f"rsync -a . {target}", shell=True)


def cleanup(path):
    return subprocess.run(f"rm -rf {path}", shell=True)
"""


def test_a_claim_about_a_function_takes_findings_in_it_and_not_in_the_next_one(tmp_path):
    (tmp_path / "code.py").write_text(SCOPED_CODE, encoding="utf-8")
    (tmp_path / "review.md").write_text(
        "Security defects found:\n\n1. Command injection in `deploy()`: the host is pasted into a shell command.\n",
        encoding="utf-8")
    report = pipeline.run(str(tmp_path / "code.py"), str(tmp_path / "review.md"))
    claim = report.reconciliation.claims[0]
    assert claim.outcome.value == "confirmed"
    by_id = {f.id: f for f in report.reconciliation.findings}
    assert {by_id[m.finding].finding.line for m in claim.matches} == {17}
    assert all(m.location == "in the same function as line 8 (deploy)" for m in claim.matches)
    assert all(m.cwe for m in claim.matches)
    assert {f.status.value for f in report.reconciliation.findings if f.finding.line == 21} == {"missed"}


def test_the_rules_vocabulary_ties_a_claim_whose_category_does_not_agree(tmp_path):
    (tmp_path / "code.py").write_text("def delete(user, item):\n    assert user.is_admin\n    item.delete()\n",
                                      encoding="utf-8")
    (tmp_path / "review.md").write_text(
        "Security defects found:\n\n1. Line 2: the check is done with `assert` (CWE-79).\n",
        encoding="utf-8")
    report = pipeline.run(str(tmp_path / "code.py"), str(tmp_path / "review.md"), Options(min_severity=Severity.LOW))
    claim = report.reconciliation.claims[0]
    assert claim.grounded.claim.cwe == (79,)
    assert claim.outcome.value == "confirmed"
    assert [(m.cwe, m.location, m.vocabulary) for m in claim.matches] == [("", "at line 2", ("assert",))]
    assert "the rule's words: assert" in claim.reason


def test_fail_on_takes_a_severity_for_finding_gates_only(suppressed):
    assert parse_gate("missed:high") == GateSpec(Gate.MISSED, Severity.HIGH)
    assert parse_gate("ungrounded") == GateSpec(Gate.UNGROUNDED)
    for bad in ("ungrounded:high", "missed:urgent", "missed:", "nonsense"):
        with pytest.raises(InputError):
            parse_gate(bad)
    report = pipeline.run(str(suppressed / "code.py"), str(suppressed / "review.md"))
    severities = {f.finding.severity for f in report.reconciliation.findings if f.status.value == "missed"}
    assert severities == {Severity.LOW, Severity.MEDIUM, Severity.HIGH}  # md5: high for bandit, medium for semgrep
    assert failed_gates(report, {parse_gate("missed:high")}) == ("missed:high: 6",)
    assert failed_gates(report, {parse_gate("missed")})[0].startswith("missed: ")
    assert failed_gates(report, {parse_gate("contradicted:high")}) == ("contradicted:high: 1",)
    both = failed_gates(report, {parse_gate("missed:high"), parse_gate("missed"), parse_gate("ungrounded")})
    assert [line.split(":")[0:2] for line in both] == [["missed", " 10"], ["missed", "high"]]
    assert gate_counts(report)["missed:high"] == 6 and gate_counts(report)["ungrounded"] == 0


def test_fail_on_severity_on_the_command_line(suppressed):
    code, review = str(suppressed / "code.py"), str(suppressed / "review.md")
    runner = CliRunner()
    result = runner.invoke(cli, ["check", code, review, "--fail-on", "missed:high"])
    assert result.exit_code == 1 and "gate met: review: missed:high: 6" in result.stderr
    result = runner.invoke(cli, ["check", code, review, "--fail-on", "ungrounded:high"])
    assert result.exit_code == 2 and "only missed and contradicted take a severity" in result.stderr
    assert "Traceback" not in result.output


def test_reports_carry_suppression_and_test_context(suppressed, test_tree, validate_report, validate_sarif):
    report = pipeline.run(str(suppressed / "code.py"), str(suppressed / "review.md"))
    data = report.to_dict()
    validate_report(data)
    assert data["metrics"]["findings"]["suppressed"] == 4
    assert data["options"]["audit"] is False
    sarif = validate_sarif(sarif_format.render(report, all_results=True))  # suppressed ones are not results by default
    results = [r for run in sarif["runs"] if run["tool"]["driver"]["name"] != "crosscheck" for r in run["results"]]
    marked = [r for r in results if "suppressions" in r]
    assert len(marked) == 4
    assert all(r["properties"]["status"] == "suppressed" and r["suppressions"][0]["kind"] == "inSource"
               for r in marked)
    assert "# nosec B324" in render(report, Format.TEXT)
    tests = pipeline.run(str(test_tree / "tests"), str(test_tree / "review.md"), Options(min_severity=Severity.LOW))
    validate_report(tests.to_dict())
    junit = render(tests, Format.JUNIT)
    assert "noise in test code (B101); --include-test-findings counts it" in junit
    assert "<failure" not in junit.split('name="missed findings"')[1].split("</testsuite>")[0]
