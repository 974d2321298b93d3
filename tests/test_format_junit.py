"""The JUnit XML format, on reports of real bandit and semgrep runs: structure, counts, goldens, hostile text.

Reports are built from the repository root with relative paths, so ``file`` attributes
and goldens do not depend on the machine. Regenerate the goldens with
``CROSSCHECK_UPDATE_GOLDEN=1``; the test then fails saying it wrote them.
"""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from junitparser import JUnitXml

from conftest import CASES, GOLDEN, REPO, assert_golden
from crosscheck.formats.junit_format import render, xml_safe
from crosscheck.load.code import ReviewText
from crosscheck.reconcile.model import Consistency, FindingStatus, Outcome
from crosscheck.results.report import Report, repo_path
from crosscheck.run import pipeline

QUICKSTART = ("samples/quickstart/invoices.py", "samples/quickstart/review.md")
PAIRS = {"quickstart": QUICKSTART} | {
    case.name: (f"tests/cases/{case.name}/code.py", f"tests/cases/{case.name}/review.md")
    for case in sorted(CASES.iterdir()) if (case / "review.md").is_file()
}
SUITES = ["claims", "missed findings", "verdict"]


pytestmark = pytest.mark.usefixtures("at_repo_root")


@pytest.fixture(scope="module")
def reports(checked_at_root: Callable[[str, str], Report]) -> Callable[[str], Report]:
    """Each pair's report by name, checked once per session."""
    return lambda name: checked_at_root(*PAIRS[name])


def expected(report: Report) -> list[tuple[str, str | None, str | None]]:
    """(suite, result tag or None for a pass, failure type) of every test case, from the report itself."""
    rec = report.reconciliation
    cases: list[tuple[str, str | None, str | None]] = []
    for c in rec.claims:
        if c.outcome in (Outcome.UNGROUNDED, Outcome.CONTRADICTED):
            cases.append(("claims", "failure", c.outcome.value))
        else:
            cases.append(("claims", "skipped" if c.outcome is Outcome.GENERIC else None, None))
    for f in rec.findings:
        if f.status is FindingStatus.MISSED:
            cases.append(("missed findings", "failure", f.finding.rule_id) if f.relevant
                         else ("missed findings", "skipped", None))
    consistency = rec.verdict.consistency
    if consistency in (Consistency.CONTRADICTED, Consistency.SELF_CONTRADICTORY):
        cases.append(("verdict", "failure", consistency.value))
    else:
        cases.append(("verdict", "skipped" if consistency is Consistency.UNDETERMINED else None, None))
    return cases


def check(xml: str, report: Report) -> ET.Element:
    """Both parsers accept ``xml``; counts, attributes and pass/fail/skip agree with the report."""
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?>\n') and xml.endswith("\n")
    root = ET.fromstring(xml.encode("utf-8"))
    assert root.tag == "testsuites" and root.get("name") == "crosscheck"
    assert [s.get("name") for s in root.findall("testsuite")] == SUITES
    seen: list[tuple[str, str | None, str | None]] = []
    for element in [root, *root.findall("testsuite")]:
        cases = element.iter("testcase")
        results = [[r for r in case if r.tag in ("failure", "skipped", "error")] for case in cases]
        assert all(len(r) <= 1 for r in results)
        tags = [r[0].tag if r else None for r in results]
        assert element.get("tests") == str(len(tags))
        assert element.get("failures") == str(tags.count("failure"))
        assert element.get("skipped") == str(tags.count("skipped"))
        assert element.get("errors") == "0"
        assert element.get("time") is None
    for suite in root.findall("testsuite"):
        for case in suite.findall("testcase"):
            assert case.get("classname", "").startswith("crosscheck.") and case.get("name")
            assert case.get("file") and int(case.get("line", "0")) >= 1
            result = next((r for r in case if r.tag in ("failure", "skipped")), None)
            if result is not None:
                assert result.get("message") and (result.text or "").strip()
            seen.append((suite.get("name", ""), None if result is None else result.tag,
                         None if result is None else result.get("type")))
    assert seen == expected(report)

    parsed = JUnitXml.fromstring(xml.encode("utf-8"))
    suites = list(parsed)
    assert [s.name for s in suites] == SUITES
    for suite in suites:
        cases = list(suite)
        assert suite.tests == len(cases)
        assert suite.failures == sum(c.is_failure for c in cases)
        assert suite.skipped == sum(c.is_skipped for c in cases)
        assert suite.errors == 0
        assert all(len(c.result) == 1 for c in cases if c.is_failure)
    assert parsed.tests == sum(s.tests for s in suites) and parsed.failures == sum(s.failures for s in suites)
    return root


def case_named(root: ET.Element, suite: str, prefix: str) -> ET.Element:
    matches = [c for s in root.findall("testsuite") if s.get("name") == suite
               for c in s.findall("testcase") if c.get("name", "").startswith(prefix)]
    assert len(matches) == 1, [c.get("name") for c in matches]
    return matches[0]


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_structure_and_counts_match_the_report(reports: Callable[[str], Report], name: str) -> None:
    report = reports(name)
    root = check(render(report), report)
    code = PAIRS[name][0]
    for case in root.findall("testsuite[@name='missed findings']/testcase"):
        assert case.get("file") == code
    for case in root.findall("testsuite[@name='claims']/testcase"):
        assert case.get("file") in PAIRS[name]


def test_quickstart_outcomes(reports: Callable[[str], Report]) -> None:
    root = check(render(reports("quickstart")), reports("quickstart"))
    by_title = {c.get("name", "").split(" ", 1)[1].rsplit(":", 1)[0]: c
                for c in root.findall("testsuite[@name='claims']/testcase")}
    for title, kind in (("Unsafe YAML Loading", "ungrounded"), ("Debug Mode Enabled", "ungrounded"),
                        ("Password Hashing", "contradicted")):
        failures = by_title[title].findall("failure")
        assert len(failures) == 1 and failures[0].get("type") == kind
    assert "yaml.load(raw)" in (by_title["Unsafe YAML Loading"].find("failure").text or "")  # type: ignore[union-attr]
    assert by_title["Unsafe YAML Loading"].get("file") == "samples/quickstart/review.md"
    sql = by_title["SQL Injection (CWE-89)"]
    assert sql.get("name") == "C2 SQL Injection (CWE-89)"  # no outcome: the name stays when the outcome changes
    assert sql.find("failure") is None and sql.find("skipped") is None
    assert (sql.get("file"), sql.get("line")) == ("samples/quickstart/invoices.py", "25")
    idor = by_title["Insecure Direct Object Reference (IDOR)"]
    assert idor.find("failure") is None and "cannot settle" in (idor.findtext("system-out") or "")
    assert by_title["Rate Limiting"].find("skipped") is not None
    pickle = case_named(root, "missed findings", "F9 bandit B301")
    failure = pickle.find("failure")
    assert failure is not None and failure.get("type") == "B301" and "Pickle" in (failure.get("message") or "")
    assert (pickle.get("file"), pickle.get("line")) == ("samples/quickstart/invoices.py", "47")
    assert "pickle.loads(blob)" in (failure.text or "") and "CWE-502" in (failure.text or "")
    low = case_named(root, "missed findings", "F1 bandit B403").find("skipped")
    assert low is not None and (low.get("message") or "").startswith("below --min-severity medium")
    verdict = case_named(root, "verdict", "verdict")
    assert verdict.get("name") == "verdict defects: consistent" and verdict.find("failure") is None


def test_no_analyzer_versions_or_timestamps(reports: Callable[[str], Report]) -> None:
    report = reports("quickstart")
    xml = render(report)
    for run in report.runs:
        assert run.version and run.version not in xml
    assert "timestamp" not in xml and "hostname" not in xml


def test_timings_add_time_to_testsuites_only(reports: Callable[[str], Report]) -> None:
    report = reports("quickstart")
    timed = dataclasses.replace(report, options=dataclasses.replace(report.options, timings=True))
    root = ET.fromstring(render(timed).encode("utf-8"))
    assert float(root.get("time", "-1")) >= 0
    assert not [e for e in root.iter() if e is not root and "time" in e.attrib]


def test_byte_identical_across_separate_runs(reports: Callable[[str], Report]) -> None:
    first = render(reports("quickstart"))
    assert render(pipeline.run(*QUICKSTART)) == first == render(reports("quickstart"))


@pytest.mark.parametrize("name", ["quickstart", "contradicted_assurance"])
def test_golden(reports: Callable[[str], Report], name: str) -> None:
    assert_golden(GOLDEN / f"{name}.junit.xml", render(reports(name)))


HOSTILE = "<script>alert(1)</script> & \"q\" ]]> \x1b[31mred\x1b[0m nul\x00here"


def test_hostile_review_gives_well_formed_xml(tmp_path: Path) -> None:
    code = tmp_path / "app.py"
    code.write_text("import os\nimport pickle\n\n\ndef run(cmd, blob):\n    os.system(cmd)\n"
                    "    return pickle.loads(blob)\n", encoding="utf-8")
    text = (f"1. **Command Injection {HOSTILE}:** In line 6, `os.system(cmd)` runs {HOSTILE} in a shell.\n"
            f"2. **Debug {HOSTILE}\ud800:** line 99 enables `app.debug`.\n")
    # A review file with NUL bytes is refused as binary, so the text goes in as already read.
    review = ReviewText(path=str(tmp_path / "review.md"), sha256="0" * 64, text=text, encoding="utf-8")
    report = pipeline.run_text(str(code), review)
    missed = next(f for f in report.reconciliation.findings if f.status is FindingStatus.MISSED and f.relevant)
    hostile_finding = dataclasses.replace(missed, finding=dataclasses.replace(missed.finding, message=HOSTILE + "\ud800\ufffe"))
    findings = tuple(hostile_finding if f is missed else f for f in report.reconciliation.findings)
    report = dataclasses.replace(report, reconciliation=dataclasses.replace(report.reconciliation, findings=findings))
    xml = render(report)
    xml.encode("utf-8")
    assert "\x1b" not in xml and "\x00" not in xml and "<script>" not in xml
    root = check(xml, report)
    clean = "<script>alert(1)</script> & \"q\" ]]> [31mred[0m nulhere"
    names = [c.get("name", "") for c in root.iter("testcase")]
    assert any(clean in n for n in names)
    bodies = "".join(e.text or "" for e in root.iter() if e.tag in ("failure", "skipped", "system-out"))
    assert clean in bodies
    failure = case_named(root, "missed findings", missed.id).find("failure")
    assert failure is not None and failure.get("message") == clean


def test_xml_safe_and_repo_path() -> None:
    assert xml_safe("a\x00b\x1b[1mc\x0b\td\ne\r\ud800\ufffe\uffff\x7f") == "ab[1mc\td\ne\r\x7f"
    assert repo_path("./samples//quickstart/../quickstart/invoices.py") == "samples/quickstart/invoices.py"
    assert repo_path(str(REPO / "samples" / "quickstart" / "review.md")) == "samples/quickstart/review.md"
    assert repo_path("-") == "-"
    assert repo_path("/elsewhere/x.py") == "/elsewhere/x.py"


def test_code_given_as_a_directory_gives_repository_relative_files() -> None:
    report = pipeline.run("./tests/cases/missed_findings/", "tests/cases/missed_findings/review.md")
    root = check(render(report), report)
    files = {c.get("file") for c in root.findall("testsuite[@name='missed findings']/testcase")}
    assert files == {"tests/cases/missed_findings/code.py"}
