"""The JUnit XML format, on reports of real bandit and semgrep runs: structure, counts, goldens, hostile text,
validity against Jenkins' xunit schema (``schemas/junit-10.xsd``), and the GitLab variant's ``file`` and ``line``.

Reports are built from the repository root with relative paths, so locations
and goldens do not depend on the machine. Regenerate the goldens with
``CROSSCHECK_UPDATE_GOLDEN=1``; the test then fails saying it wrote them.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
import xmlschema
from junitparser import JUnitXml

from conftest import CASES, GOLDEN, REPO, assert_golden
from crosscheck import formats
from crosscheck.formats.junit_format import GITLAB_FORMAT, render, render_gitlab, xml_safe
from crosscheck.load.code import ReviewText
from crosscheck.load.manifest import load_manifest
from crosscheck.models import Options
from crosscheck.reconcile.model import Consistency, FindingStatus, Outcome
from crosscheck.results.report import Report, repo_path
from crosscheck.run import pipeline
from crosscheck.run.batch import run_batch

QUICKSTART = ("samples/quickstart/invoices.py", "samples/quickstart/review.md")
PAIRS = {"quickstart": QUICKSTART} | {
    case.name: (f"tests/cases/{case.name}/code.py", f"tests/cases/{case.name}/review.md")
    for case in sorted(CASES.iterdir()) if (case / "review.md").is_file()
}
SUITES = ["claims", "missed findings", "verdict"]
XSD = xmlschema.XMLSchema(Path(__file__).resolve().parent / "schemas" / "junit-10.xsd")
"""Jenkins' xunit plugin schema, the one of issue #19."""


def schema_errors(xml: str) -> list[str]:
    """What the xsd says is wrong with ``xml``, one line each (none: it validates)."""
    return [f"{e.path}: {e.reason}" for e in XSD.iter_errors(xml)]


def location(case: ET.Element) -> tuple[str, str]:
    """The (file, line) ``case`` points at: the first line of its body, ``location: <file>:<line>``."""
    body = next(r for r in case if r.tag in ("failure", "skipped", "system-out")).text or ""
    first = body.split("\n", 1)[0]
    assert first.startswith("location: "), body
    file, _, line = first.removeprefix("location: ").rpartition(":")
    return file, line


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


def check(xml: str, report: Report, gitlab: bool = False) -> ET.Element:
    """Both parsers accept ``xml``; counts, attributes and pass/fail/skip agree with the report; every case
    names its place in its body, and in ``file`` and ``line`` exactly when ``gitlab``; without them, ``xml``
    validates against the xsd."""
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?>\n') and xml.endswith("\n")
    if not gitlab:
        assert schema_errors(xml) == []
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
        assert element.get("skipped") == (None if element is root else str(tags.count("skipped")))
        assert element.get("errors") == "0"
        assert element.get("time") is None
    for suite in root.findall("testsuite"):
        for case in suite.findall("testcase"):
            assert case.get("classname", "").startswith("crosscheck.") and case.get("name")
            file, line = location(case)
            assert file and int(line) >= 1
            assert (case.get("file"), case.get("line")) == ((file, line) if gitlab else (None, None))
            result = next((r for r in case if r.tag in ("failure", "skipped")), None)
            if result is not None:
                assert result.get("message") and (result.text or "").strip()
            seen.append((suite.get("name", ""), None if result is None else result.tag,
                         None if result is None else result.get("type")))
    assert seen == expected(report)

    parsed = JUnitXml.fromstring(xml.encode("utf-8"))  # what the GitHub test-report actions read
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
        assert location(case)[0] == code
    for case in root.findall("testsuite[@name='claims']/testcase"):
        assert location(case)[0] in PAIRS[name]


def test_quickstart_outcomes(reports: Callable[[str], Report]) -> None:
    root = check(render(reports("quickstart")), reports("quickstart"))
    by_title = {c.get("name", "").split(" ", 1)[1].rsplit(":", 1)[0]: c
                for c in root.findall("testsuite[@name='claims']/testcase")}
    for title, kind in (("Unsafe YAML Loading", "ungrounded"), ("Debug Mode Enabled", "ungrounded"),
                        ("Password Hashing", "contradicted")):
        failures = by_title[title].findall("failure")
        assert len(failures) == 1 and failures[0].get("type") == kind
    assert "yaml.load(raw)" in (by_title["Unsafe YAML Loading"].find("failure").text or "")  # type: ignore[union-attr]
    assert location(by_title["Unsafe YAML Loading"])[0] == "samples/quickstart/review.md"
    sql = by_title["SQL Injection (CWE-89)"]
    assert sql.get("name") == "C2 SQL Injection (CWE-89)"  # no outcome: the name stays when the outcome changes
    assert sql.find("failure") is None and sql.find("skipped") is None
    assert location(sql) == ("samples/quickstart/invoices.py", "25")
    idor = by_title["Insecure Direct Object Reference (IDOR)"]
    assert idor.find("failure") is None and "cannot settle" in (idor.findtext("system-out") or "")
    assert by_title["Rate Limiting"].find("skipped") is not None
    pickle = case_named(root, "missed findings", "F9 bandit B301")
    failure = pickle.find("failure")
    assert failure is not None and failure.get("type") == "B301" and "Pickle" in (failure.get("message") or "")
    assert location(pickle) == ("samples/quickstart/invoices.py", "47")
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
    xml = render(timed)
    assert schema_errors(xml) == []
    root = ET.fromstring(xml.encode("utf-8"))
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
    files = {location(c)[0] for c in root.findall("testsuite[@name='missed findings']/testcase")}
    assert files == {"tests/cases/missed_findings/code.py"}


def _without_file_attributes(xml: str) -> str:
    root = ET.fromstring(xml.encode("utf-8"))
    for case in root.iter("testcase"):
        del case.attrib["file"], case.attrib["line"]
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_gitlab_variant_is_junit_with_file_and_line_on_every_case(reports: Callable[[str], Report], name: str) -> None:
    """GitLab's test report reads ``file`` (and shows it) on ``testcase``; the variant adds it, with ``line``,
    to the same report, and nothing else: the xsd rejects exactly those two attributes on every case."""
    report = reports(name)
    xml = render(report, file_attributes=True)
    assert render_gitlab(report) == xml and GITLAB_FORMAT.render(report, False) == xml
    root = check(xml, report, gitlab=True)
    assert _without_file_attributes(xml) == render(report)
    errors = schema_errors(xml)
    assert len(errors) == 2 * len(list(root.iter("testcase")))
    assert all("/testcase" in e and e.endswith(("'file' attribute not allowed for element",
                                                 "'line' attribute not allowed for element")) for e in errors)


def test_gitlab_variant_points_gitlab_at_the_code(reports: Callable[[str], Report]) -> None:
    root = ET.fromstring(render_gitlab(reports("quickstart")).encode("utf-8"))
    sql = case_named(root, "claims", "C2 SQL Injection")
    assert (sql.get("file"), sql.get("line")) == ("samples/quickstart/invoices.py", "25")
    pickle = case_named(root, "missed findings", "F9 bandit B301")
    assert (pickle.get("file"), pickle.get("line")) == ("samples/quickstart/invoices.py", "47")
    yaml = case_named(root, "claims", "C6 Unsafe YAML Loading")
    assert yaml.get("file") == "samples/quickstart/review.md"


def test_gitlab_variant_is_a_format_asked_for_by_name() -> None:
    """Registered as the entry point ``junit-gitlab`` (as ``pyproject.toml`` names it), it loads as that
    format and is written into a folder of reports only when asked for, under its own suffix, so a folder
    with both variants keeps both and ``*.junit.xml`` (Jenkins) never picks the GitLab one."""
    entry = importlib.metadata.EntryPoint(name="junit-gitlab", group=formats.GROUP,
                                          value="crosscheck.formats.junit_format:GITLAB_FORMAT")
    loaded = formats.load("junit-gitlab", [entry])
    assert loaded is GITLAB_FORMAT and loaded.name == "junit-gitlab" and not loaded.default
    assert loaded.suffix == "junit-gitlab.xml" and not f"x.{loaded.suffix}".endswith(".junit.xml")


def test_batch_junit_reports_validate_against_the_xsd(tmp_path: Path) -> None:
    """``crosscheck batch`` writes one JUnit file per pair (and no summary in JUnit): every one validates."""
    pairs = ["quickstart", "contradicted_assurance", "missed_findings", "hallucinated_anchors"]
    lines = ["id,code,review"]
    for name in pairs:
        code, review = PAIRS[name]
        shutil.copytree(REPO / Path(code).parent, tmp_path / "data" / name)
        lines.append(f"{name},{name}/{Path(code).name},{name}/{Path(review).name}")
    (tmp_path / "data" / "pairs.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    manifest = load_manifest(tmp_path / "data" / "pairs.csv")
    result = run_batch(manifest, Options(), None, output_dir=tmp_path / "out", formats=("junit",), cache=None)
    assert [o.error for o in result.outcomes] == [None] * len(pairs)
    written = sorted(p.name for p in (tmp_path / "out").glob("*.xml"))
    assert written == sorted(f"{name}.junit.xml" for name in pairs)
    for outcome in result.outcomes:
        xml = (tmp_path / "out" / f"{outcome.id}.junit.xml").read_text(encoding="utf-8")
        assert outcome.report is not None and check(xml, outcome.report).find("testsuite/testcase") is not None
