"""The SARIF format: real bandit and semgrep runs, every document validated against the official schema, and
against GitHub's rules by Microsoft's SARIF validator when it is installed (see ``sarif_multitool.py``).

Golden files: ``tests/golden/*.sarif``, compared with analyzer versions masked.
Regenerate them with ``CROSSCHECK_UPDATE_GOLDEN=1`` (the test then fails, saying it wrote them).
"""

from __future__ import annotations

import dataclasses
import email.message
import importlib.metadata
import json
import os
import re
import shutil
from urllib.parse import unquote

import pytest
import sarif_multitool

from conftest import CASES, GOLDEN, REPO, assert_golden
from crosscheck import __version__
from crosscheck.formats import sarif_format
from crosscheck.load.code import ReviewText
from crosscheck.load.samples import sample_manifest
from crosscheck.load.sources import Provenance, SourceKind
from crosscheck.models import Options
from crosscheck.reconcile.model import Outcome
from crosscheck.run import pipeline
from crosscheck.run.batch import check_pair

PAIRS = {"quickstart": ("samples/quickstart/invoices.py", "samples/quickstart/review.md")} | {
    p.name: (f"tests/cases/{p.name}/code.py", f"tests/cases/{p.name}/review.md")
    for p in sorted(CASES.iterdir()) if (p / "review.md").is_file()
}
GOLDEN_PAIRS = ("quickstart", "hallucinated_anchors")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
PASCAL = re.compile(r"^[A-Z][A-Za-z0-9]*$")
ACTIONABLE = {"ungrounded", "contradicted"}
SHIPPED_SAMPLES = ("quickstart", "webhook", "archive")
"""The sample pairs whose code ships with crosscheck (the others' is fetched)."""


pytestmark = pytest.mark.usefixtures("at_repo_root")


@pytest.fixture(scope="module")
def reports(checked_at_root):
    return {name: checked_at_root(code, review) for name, (code, review) in PAIRS.items()}


@pytest.fixture(scope="module")
def documents(reports):
    """Each pair's SARIF as crosscheck writes it by default: only what needs action is a result."""
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(REPO)
        return {name: sarif_format.render(report) for name, report in reports.items()}


@pytest.fixture(scope="module")
def every_result(reports):
    """Each pair's SARIF with every claim and finding a result."""
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(REPO)
        return {name: sarif_format.render(report, all_results=True) for name, report in reports.items()}


@pytest.fixture(scope="module")
def samples():
    """The shipped sample pairs checked the way ``crosscheck demo`` checks them: their reports name their
    files relative to the manifest's folder (``samples/``), not to the repository's root."""
    manifest = sample_manifest()
    pairs = {p.id: p for p in manifest.pairs}
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(REPO)
        return {name: check_pair(pairs[name], manifest, Options(), None) for name in SHIPPED_SAMPLES}


def _run(data: dict, name: str) -> dict:
    return next(r for r in data["runs"] if r["tool"]["driver"]["name"] == name)


def _messages(value, key: str = ""):
    """Every text of the document except code snippets."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k != "snippet":
                yield from _messages(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _messages(v, key)
    elif isinstance(value, str):
        yield value


def _uris(data: dict) -> list[dict]:
    found = []

    def walk(value):
        if isinstance(value, dict):
            if "artifactLocation" in value:
                found.append(value["artifactLocation"])
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(data)
    return found


def _masked(text: str) -> str:
    """The log without what depends on the installation: the analyzers' versions, and crosscheck's home page
    (its package metadata's)."""
    data = json.loads(text)
    for run in data["runs"]:
        if run["tool"]["driver"]["name"] in ("bandit", "semgrep") and "version" in run["tool"]["driver"]:
            run["tool"]["driver"]["version"] = "X"
        if run["tool"]["driver"]["name"] == "crosscheck":
            run["tool"]["driver"].pop("informationUri", None)
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_document_is_valid_sarif(name, documents, every_result, reports, validate_sarif):
    report = reports[name]
    for text in (documents[name], every_result[name]):
        data = validate_sarif(text)
        assert data["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json" and data["version"] == "2.1.0"
        names = [r["tool"]["driver"]["name"] for r in data["runs"]]
        assert names == sorted(r.name for r in report.runs) + ["crosscheck"]
        ids = [r["automationDetails"]["id"] for r in data["runs"]]
        assert len(set(ids)) == len(ids) and any(i.startswith("crosscheck/review/") and i.endswith("/") for i in ids)
        review_run = _run(data, "crosscheck")
        assert review_run["properties"]["ai-generated"] is True
        assert review_run["tool"]["driver"]["version"] == __version__
        assert review_run["properties"]["review"]["sha256"] == report.review.sha256
        for run in data["runs"]:
            rules = run["tool"]["driver"]["rules"]
            assert len({r["id"] for r in rules}) == len(rules)
            assert "%SRCROOT%" in run["originalUriBaseIds"]
            assert len(run["invocations"]) == 1
            for result in run["results"]:
                assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
                assert result["partialFingerprints"]["crosscheck/v1"]
                assert result["locations"], "GitHub refuses a result without a location"
                related = [loc["id"] for loc in result.get("relatedLocations", [])]
                assert related == list(range(1, len(related) + 1))
        assert "duration" not in text  # no timings unless asked for


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_only_what_needs_action_is_a_result_by_default(name, documents, every_result, reports):
    report, data, every = reports[name], json.loads(documents[name]), json.loads(every_result[name])
    rec = report.reconciliation
    review_run = _run(data, "crosscheck")
    claims = [r for r in review_run["results"] if r["ruleId"].startswith("crosscheck/claim/")]
    verdicts = [r for r in review_run["results"] if r["ruleId"].startswith("crosscheck/verdict/")]
    assert [c["properties"]["id"] for c in claims] == [c.grounded.claim.id for c in rec.claims
                                                       if c.outcome.value in ACTIONABLE]
    assert all(c["level"] == "error" for c in claims)
    needs_action = rec.verdict.consistency.value in ("contradicted", "self-contradictory")
    assert [v["ruleId"] for v in verdicts] == ([f"crosscheck/verdict/{rec.verdict.consistency.value}"]
                                               if needs_action else [])
    omitted = review_run["properties"]["omitted"]
    assert sorted([c["properties"]["id"] for c in claims] + [o["id"] for o in omitted]) == \
        sorted(c.grounded.claim.id for c in rec.claims)
    assert all(o["outcome"] not in ACTIONABLE for o in omitted)

    findings = {f.id: f for f in rec.findings}
    for run in data["runs"][:-1]:
        shown = [r["properties"]["id"] for r in run["results"]]
        assert all(findings[i].status.value == "missed" and findings[i].relevant for i in shown)
        hidden = [o["id"] for o in run["properties"]["omitted"]]
        assert not set(shown) & set(hidden)
        assert sorted(shown + hidden) == sorted(f.id for f in rec.findings if f.finding.analyzer == run["tool"]["driver"]["name"])

    # with every result, each claim and each finding is one, and nothing is left out
    every_review = _run(every, "crosscheck")
    assert len([r for r in every_review["results"] if r["ruleId"].startswith("crosscheck/claim/")]) == len(rec.claims)
    assert "omitted" not in every_review["properties"]
    assert sum(len(r["results"]) for r in every["runs"][:-1]) == len(rec.findings)
    assert all("properties" not in run for run in every["runs"][:-1])


def test_the_quickstart_results_are_the_ones_to_act_on(documents):
    data = json.loads(documents["quickstart"])
    claims = {r["properties"]["id"]: r["properties"]["outcome"] for r in _run(data, "crosscheck")["results"]}
    assert claims == {"C6": "ungrounded", "C7": "ungrounded", "C8": "contradicted"}
    missed = sorted((r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
                    for run in data["runs"][:-1] for r in run["results"])
    assert missed == [("B113", 51), ("B301", 47), ("B324", 38), ("hashlib-weak-hash", 38),
                      ("pickle-unsafe-deserialization", 47), ("requests-missing-timeout", 51)]
    omitted = {o["id"]: o["state"] for run in data["runs"][:-1] for o in run["properties"]["omitted"]}
    assert omitted["F3"] == "matched" and omitted["F1"] == "missed"  # F1: low severity, under the threshold


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_rules_carry_what_github_shows(name, every_result, reports):
    data = json.loads(every_result[name])
    for run in data["runs"]:
        for rule in run["tool"]["driver"]["rules"]:
            for key in ("shortDescription", "fullDescription"):
                assert rule[key]["text"].strip(), (rule["id"], key)
            assert rule["help"]["text"].strip() and rule["help"]["markdown"].strip(), rule["id"]
            assert PASCAL.match(rule["name"]) and rule["name"] != rule["id"], rule
            if "helpUri" in rule:  # the analyzer's documentation page, kept in the help too
                assert rule["helpUri"] in rule["help"]["text"] and rule["helpUri"] in rule["help"]["markdown"]
    for run in reports[name].runs:  # each analyzer's home page and rule pages, as its plugin gives them
        sarif = _run(data, run.name)
        assert sarif["tool"]["driver"].get("informationUri", "") == run.info.information_uri
        for rule in sarif["tool"]["driver"]["rules"]:
            assert rule.get("helpUri", "") == run.info.help_uri(rule["id"])


def test_rule_names_and_help_of_the_quickstart(every_result):
    data = json.loads(every_result["quickstart"])
    bandit = {r["id"]: r for r in _run(data, "bandit")["tool"]["driver"]["rules"]}
    assert bandit["B602"]["name"] == "SubprocessPopenWithShellEqualsTrue"
    assert "[CWE-78](https://cwe.mitre.org/data/definitions/78.html)" in bandit["B602"]["help"]["markdown"]
    semgrep = {r["id"]: r for r in _run(data, "semgrep")["tool"]["driver"]["rules"]}
    assert semgrep["subprocess-shell-true"]["name"] == "SubprocessShellTrue"
    assert semgrep["subprocess-shell-true"]["fullDescription"]["text"].startswith("This subprocess call runs")
    assert sarif_format.friendly_name("hardcoded_sql-expressions") == "HardcodedSqlExpressions"


def test_claim_and_verdict_rules_are_fixed(documents):
    rules = _run(json.loads(documents["quickstart"]), "crosscheck")["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [f"crosscheck/claim/{o.value}" for o in Outcome] + [
        "crosscheck/verdict/contradicted", "crosscheck/verdict/self-contradictory"]
    assert {r["id"]: (r["name"], r["defaultConfiguration"]["level"]) for r in rules} == {
        "crosscheck/claim/confirmed": ("ConfirmedClaim", "note"),
        "crosscheck/claim/unsupported": ("UnsupportedClaim", "warning"),
        "crosscheck/claim/ungrounded": ("UngroundedClaim", "error"),
        "crosscheck/claim/generic": ("GenericClaim", "note"),
        "crosscheck/claim/contradicted": ("ContradictedClaim", "error"),
        "crosscheck/claim/upheld": ("UpheldClaim", "note"),
        "crosscheck/verdict/contradicted": ("ContradictedVerdict", "error"),
        "crosscheck/verdict/self-contradictory": ("SelfContradictoryVerdict", "error"),
    }


def test_self_contradictory_verdict_is_a_result_at_its_line(documents, reports):
    data = json.loads(documents["self_contradictory"])
    assert reports["self_contradictory"].reconciliation.verdict.consistency.value == "self-contradictory"
    verdict = next(r for r in _run(data, "crosscheck")["results"] if r["ruleId"].startswith("crosscheck/verdict/"))
    assert verdict["ruleId"] == "crosscheck/verdict/self-contradictory" and verdict["level"] == "error"
    (location,) = verdict["locations"]
    evidence = verdict["properties"]["evidence"]
    assert location["physicalLocation"]["artifactLocation"]["uri"] == "tests/cases/self_contradictory/review.md"
    assert location["physicalLocation"]["region"]["startLine"] == evidence[0]["line"]
    assert any("a defect claim of the review" in loc["message"]["text"] for loc in verdict["relatedLocations"])


def test_driver_information_uri(documents, monkeypatch):
    monkeypatch.setattr(sarif_format, "information_uri", lambda: "https://example.org/crosscheck")
    report = pipeline.run(*PAIRS["confirmed_exact"])
    driver = _run(json.loads(sarif_format.render(report)), "crosscheck")["tool"]["driver"]
    assert driver["informationUri"] == "https://example.org/crosscheck"
    monkeypatch.setattr(sarif_format, "information_uri", lambda: "")
    assert "informationUri" not in _run(json.loads(sarif_format.render(report)), "crosscheck")["tool"]["driver"]


def test_information_uri_is_the_home_page_the_package_declares(monkeypatch):
    def metadata(*urls: str, home: str = ""):
        meta = email.message.Message()
        for url in urls:
            meta["Project-URL"] = url
        if home:
            meta["Home-page"] = home

        def found(name: str):
            if name != "crosscheck-x":
                raise importlib.metadata.PackageNotFoundError(name)
            return meta

        return found

    read = sarif_format.information_uri.__wrapped__  # the uncached function
    monkeypatch.setattr(importlib.metadata, "packages_distributions", lambda: {"crosscheck": ["crosscheck-x"]})
    monkeypatch.setattr(importlib.metadata, "metadata", metadata(
        "Changelog, https://example.org/changes", "Source, https://example.org/src", "Homepage, https://example.org/"))
    assert read() == "https://example.org/"
    monkeypatch.setattr(importlib.metadata, "metadata", metadata("Repository, https://example.org/repo"))
    assert read() == "https://example.org/repo"
    monkeypatch.setattr(importlib.metadata, "metadata", metadata(home="https://example.org/home"))
    assert read() == "https://example.org/home"
    monkeypatch.setattr(importlib.metadata, "metadata", metadata("Homepage, javascript:alert(1)"))
    assert read() == ""
    monkeypatch.setattr(importlib.metadata, "packages_distributions", lambda: {"other": ["crosscheck-x"]})
    monkeypatch.setattr(importlib.metadata, "metadata", metadata("Homepage, https://example.org/"))
    assert read() == ""  # only the distribution that provides the package counts


def test_output_is_byte_identical_across_runs(documents, every_result):
    code, review = PAIRS["quickstart"]
    report = pipeline.run(code, review)  # a second, separate run of the same pair
    assert sarif_format.render(report) == documents["quickstart"]
    assert sarif_format.render(report, all_results=True) == every_result["quickstart"]
    assert sarif_format.render(report) == sarif_format.render(report)


@pytest.mark.parametrize("name", GOLDEN_PAIRS)
def test_golden(name, documents):
    assert_golden(GOLDEN / f"{name}.sarif", documents[name], _masked)


def test_sample_uris_resolve_from_the_repository_root(samples, validate_sarif):
    # the samples' folder: samples/ in a checkout, the installed package's copy under tox
    root = os.path.relpath(sample_manifest().root, REPO).replace(os.sep, "/")
    for name, report in samples.items():
        assert not report.review.path.startswith("samples/")  # the report names it from the manifest's folder
        data = validate_sarif(sarif_format.render(report, all_results=True))
        uris = _uris(data)
        assert {u["uriBaseId"] for u in uris} == {"%SRCROOT%"}
        assert {unquote(u["uri"]) for u in uris} == {f"{root}/{report.code_path}", f"{root}/{report.review.path}"}
        assert all((REPO / unquote(u["uri"])).is_file() for u in uris), name
    webhook = json.loads(sarif_format.render(samples["webhook"]))  # "no defects", and twelve findings
    (verdict,) = [r for r in _run(webhook, "crosscheck")["results"] if r["ruleId"].startswith("crosscheck/verdict/")]
    assert verdict["ruleId"] == "crosscheck/verdict/contradicted"
    assert verdict["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == f"{root}/webhook/review.md"


def test_sarif_all_is_the_every_result_mode_on_the_command_line(tmp_path, every_result, validate_sarif):
    from click.testing import CliRunner

    from crosscheck.cli import cli

    out = tmp_path / "r.sarif"
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(REPO)
        result = CliRunner().invoke(cli, ["check", *PAIRS["quickstart"], "-f", "sarif-all", "-o", str(out)])
    assert result.exit_code == 1, result.output  # the default gates: its ungrounded claims
    assert out.read_text(encoding="utf-8") == every_result["quickstart"]
    data = validate_sarif(out.read_text(encoding="utf-8"))
    assert any(r["level"] == "note" for r in _run(data, "crosscheck")["results"])  # confirmed and generic claims too


def test_a_review_named_from_its_manifest_points_at_the_file_it_was_read_from(tmp_path, monkeypatch, validate_sarif):
    """Fetched code gives no folder to find the review beside: the review's location is the file that was
    read, relative to the working directory, whatever name the report shows it under."""
    monkeypatch.chdir(tmp_path)
    pairs = tmp_path / "pairs"
    pairs.mkdir()
    (pairs / "code.py").write_bytes((REPO / PAIRS["quickstart"][0]).read_bytes())
    (pairs / "002.txt").write_bytes((REPO / PAIRS["quickstart"][1]).read_bytes())
    report = pipeline.run(str(pairs / "code.py"), str(pairs / "002.txt"))
    fetched = Provenance(SourceKind.PYPI, False, "demo==1.0", "demo-1.0-py3-none-any.whl", "0" * 64, True, "", ())
    shown = dataclasses.replace(report, review=dataclasses.replace(report.review, path="002.txt"), source=fetched)
    data = validate_sarif(sarif_format.render(shown))
    reviews = {u["uri"] for u in _uris(data) if u["uri"].endswith(".txt")}
    assert reviews == {"pairs/002.txt"}
    assert _run(data, "crosscheck")["automationDetails"]["id"] == "crosscheck/review/pairs/002.txt/"


def test_quickstart_findings_and_claims_are_cross_linked(every_result):
    data = json.loads(every_result["quickstart"])
    claims = {r["properties"]["id"]: r for r in _run(data, "crosscheck")["results"]}
    c2 = claims["C2"]
    assert c2["properties"]["outcome"] == "confirmed" and c2["ruleId"] == "crosscheck/claim/confirmed"
    assert c2["level"] == "note"
    backing = [loc for loc in c2["relatedLocations"] if loc["message"]["text"].startswith("F")]
    assert {loc["message"]["text"].split(": ")[1].split()[0] for loc in backing} == {"bandit", "semgrep"}
    for loc in backing:
        place = loc["physicalLocation"]
        assert place["artifactLocation"] == {"uri": "samples/quickstart/invoices.py", "uriBaseId": "%SRCROOT%"}
        assert place["region"]["startLine"] == 25
    assert c2["locations"][0]["physicalLocation"]["region"]["startLine"] == 25
    review_link = next(loc for loc in c2["relatedLocations"] if loc["message"]["text"] == "C2 in the review")
    assert review_link["physicalLocation"]["artifactLocation"]["uri"] == "samples/quickstart/review.md"

    findings = [r for name in ("bandit", "semgrep") for r in _run(data, name)["results"]]
    at_25 = [f for f in findings if f["locations"][0]["physicalLocation"]["region"]["startLine"] == 25]
    assert at_25 and all(f["properties"]["status"] == "matched" and f["properties"]["claims"] == ["C2"]
                         for f in at_25)
    for f in at_25:
        (link,) = f["relatedLocations"]
        assert link["message"]["text"] == "C2: confirmed claim in the review"
        assert link["physicalLocation"]["region"]["startLine"] == c2["properties"]["span"]["start_line"]


def test_quickstart_levels_and_locations(documents, every_result):
    data = json.loads(every_result["quickstart"])
    findings = [r for name in ("bandit", "semgrep") for r in _run(data, name)["results"]]
    levels = {"high": "error", "medium": "warning", "low": "note"}
    assert all(f["level"] == levels[f["properties"]["severity"]] for f in findings)
    missed = [f for f in findings if f["properties"]["status"] == "missed"]
    assert missed and all("missed by the review" in f["message"]["text"] for f in missed)
    assert any(f["level"] == "error" for f in missed)  # a missed finding keeps its severity's level
    assert {json.dumps(u, sort_keys=True) for u in _uris(data)} == {
        json.dumps({"uri": "samples/quickstart/invoices.py", "uriBaseId": "%SRCROOT%"}, sort_keys=True),
        json.dumps({"uri": "samples/quickstart/review.md", "uriBaseId": "%SRCROOT%"}, sort_keys=True),
    }
    claims = {r["properties"]["id"]: r for r in _run(data, "crosscheck")["results"]}
    expected = {"confirmed": "note", "unsupported": "warning", "ungrounded": "error", "generic": "note",
                "contradicted": "error", "upheld": "note"}
    assert all(c["level"] == expected[c["properties"]["outcome"]] for c in claims.values())
    ungrounded = [c for c in claims.values() if c["properties"]["outcome"] == "ungrounded"]
    assert ungrounded
    for claim in ungrounded:  # no code to point at: the claim's own lines in the review
        (location,) = claim["locations"]
        assert location["physicalLocation"]["artifactLocation"]["uri"] == "samples/quickstart/review.md"
        assert location["physicalLocation"]["region"]["startLine"] == claim["properties"]["span"]["start_line"]
    contradicted = next(c for c in claims.values() if c["properties"]["outcome"] == "contradicted")
    assert contradicted["properties"]["findings"] and contradicted["level"] == "error"
    default = {r["properties"]["id"]: r for r in _run(json.loads(documents["quickstart"]), "crosscheck")["results"]}
    assert all(default[i] == claims[i] for i in default)  # the same result, whether others are there or not


def test_ungrounded_claim_is_located_in_the_review(documents):
    claims = {r["properties"]["id"]: r for r in _run(json.loads(documents["hallucinated_anchors"]), "crosscheck")["results"]}
    c1 = claims["C1"]  # cites `pickle.loads(data)` (absent) and `read_config()` (found at line 4)
    assert c1["properties"]["outcome"] == "ungrounded" and c1["level"] == "error"
    (location,) = c1["locations"]
    assert location["physicalLocation"]["artifactLocation"]["uri"] == "tests/cases/hallucinated_anchors/review.md"
    (found,) = c1["relatedLocations"]
    assert found["physicalLocation"]["artifactLocation"]["uri"] == "tests/cases/hallucinated_anchors/code.py"
    assert found["physicalLocation"]["region"]["startLine"] == 4
    assert found["message"]["text"] == "C1 cites `read_config()` (exact)"


def test_partial_analyzer_run_reports_its_errors(documents):
    data = json.loads(documents["python2_fallback"])
    bandit = _run(data, "bandit")["invocations"][0]
    assert bandit["executionSuccessful"] is True and bandit["properties"]["status"] == "partial"
    assert any(n["level"] == "error" for n in bandit["toolExecutionNotifications"])
    diagnostics = _run(data, "crosscheck")["invocations"][0]["toolExecutionNotifications"]
    assert any("could not be parsed as Python" in n["message"]["text"] for n in diagnostics)


def test_artifact_uris(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    assert sarif_format.artifact("./sub/../a b.py") == {"uri": "a%20b.py", "uriBaseId": "%SRCROOT%"}
    assert sarif_format.artifact(str(tmp_path / "sub" / "x.py")) == {"uri": "sub/x.py", "uriBaseId": "%SRCROOT%"}
    outside = tmp_path.parent / "elsewhere.py"
    assert sarif_format.artifact(str(outside)) == {"uri": outside.as_uri()}
    assert sarif_format.artifact("../elsewhere.py") == {"uri": outside.as_uri()}


def test_hostile_review_in_a_directory(tmp_path, monkeypatch, validate_sarif):
    (tmp_path / "pkg").mkdir()
    shutil.copy(CASES / "confirmed_exact" / "code.py", tmp_path / "pkg" / "code.py")
    text = ("Review <script>alert(1)</script>\x1b[2J\n\n"
            "- In line 6, `subprocess.run(cmd, shell=True, check=False)` \x00is \x1b[31mcommand injection\x1b[0m.\r\n"
            "- Debug mode\x07 is enabled on line 48 <img src=x onerror=alert(1)>.\n")
    (tmp_path / "review.md").write_bytes(text.encode("utf-16"))  # a BOM lets NUL through the reader
    report = pipeline.run(str(tmp_path / "pkg"), str(tmp_path / "review.md"))
    assert "\x00" in report.review.text and "\x1b" in report.review.text

    data = validate_sarif(sarif_format.render(report, all_results=True))  # from the repository root: outside it
    assert {u["uri"] for u in _uris(data)} == {(tmp_path / "pkg" / "code.py").as_uri(),
                                                (tmp_path / "review.md").as_uri()}
    assert all("uriBaseId" not in u for u in _uris(data))
    texts = list(_messages(data))
    assert not [t for t in texts if CONTROL.search(t)]
    claims = _run(data, "crosscheck")["results"]
    assert any("<script>alert(1)</script>" in c["message"]["text"] for c in claims)
    assert any("command injection" in c["message"]["text"] for c in claims)

    monkeypatch.chdir(tmp_path)
    data = validate_sarif(sarif_format.render(report, all_results=True))
    assert {u["uri"] for u in _uris(data)} == {"pkg/code.py", "review.md"}
    assert all(u["uriBaseId"] == "%SRCROOT%" for u in _uris(data))


def test_stdin_review_and_moved_claims(every_result, validate_sarif):
    code, review = PAIRS["quickstart"]
    original = _run(json.loads(every_result["quickstart"]), "crosscheck")["results"]
    text = "\n\n\n" + (REPO / review).read_text(encoding="utf-8")
    report = pipeline.run_text(code, ReviewText(path="-", sha256="0" * 64, text=text, encoding="utf-8"))
    data = validate_sarif(sarif_format.render(report, all_results=True))
    moved = _run(data, "crosscheck")["results"]
    assert [c["partialFingerprints"] for c in moved] == [c["partialFingerprints"] for c in original]
    assert len({c["partialFingerprints"]["crosscheck/v1"] for c in moved}) == len(moved)
    assert [c["properties"]["span"]["start_line"] for c in moved] == \
        [c["properties"]["span"]["start_line"] + 3 for c in original]
    # No review file to point at: claims with no anchor found are at the code's first line (GitHub needs a
    # location), and links into the review have no place.
    ungrounded = [c for c in moved if c["properties"]["outcome"] == "ungrounded"]
    assert ungrounded
    for claim in ungrounded:
        (location,) = claim["locations"]
        assert location["physicalLocation"]["artifactLocation"]["uri"] == "samples/quickstart/invoices.py"
        assert location["physicalLocation"]["region"]["startLine"] == 1
    assert all("review.md" not in u["uri"] for u in _uris(data))
    matched = [f for f in _run(data, "bandit")["results"] if f["properties"]["status"] == "matched"]
    assert matched and all("physicalLocation" not in link for f in matched for link in f["relatedLocations"])


# --- Microsoft's SARIF validator, with GitHub's rules -----------------------------------------------------------

@pytest.fixture(scope="module")
def multitool():
    """The validator's executable: skipped when it is not installed, unless it is required."""
    tool = sarif_multitool.executable()
    if tool and not (os.path.isfile(tool) and os.access(tool, os.X_OK)):
        pytest.fail(f"${sarif_multitool.ENV} is {tool!r}, which is not an executable file")
    if tool is None:
        why = (f"the SARIF validator is not installed (npm install @microsoft/sarif-multitool; set "
               f"${sarif_multitool.ENV} to its executable or put sarif-multitool on the PATH)")
        if os.environ.get(sarif_multitool.REQUIRE_ENV) == "1":
            pytest.fail(why + f"; ${sarif_multitool.REQUIRE_ENV}=1 requires it")
        pytest.skip(why)
    return tool


def test_the_sarif_validator_finds_no_error_with_githubs_rules(multitool, documents, every_result, samples,
                                                                tmp_path):
    logs = []
    for name, text in [(f"{n}.sarif", documents[n]) for n in ("quickstart", "hallucinated_anchors",
                                                                "self_contradictory", "python2_fallback")] + [
            ("quickstart-all.sarif", every_result["quickstart"])] + [
            (f"sample-{n}.sarif", sarif_format.render(report)) for n, report in samples.items()]:
        (tmp_path / name).write_text(text, encoding="utf-8")
        logs.append(tmp_path / name)
    code, review = PAIRS["quickstart"]  # a review from stdin: no review file for any location
    stdin = pipeline.run_text(code, ReviewText(path="-", sha256="0" * 64,
                                               text=(REPO / review).read_text(encoding="utf-8"), encoding="utf-8"))
    (tmp_path / "stdin.sarif").write_text(sarif_format.render(stdin), encoding="utf-8")
    logs.append(tmp_path / "stdin.sarif")

    problems = sarif_multitool.validate(multitool, logs, tmp_path / "validation.sarif")
    errors = [str(p) for p in problems if p.level == "error"]
    assert errors == [], "\n".join(errors)
