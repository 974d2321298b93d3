"""The SARIF format: real bandit and semgrep runs, every document validated against the official schema.

Golden files: ``tests/golden/*.sarif``, compared with analyzer versions masked.
Regenerate them with ``CROSSCHECK_UPDATE_GOLDEN=1`` (the test then fails, saying it wrote them).
"""

from __future__ import annotations

import json
import re
import shutil

import pytest

from conftest import CASES, GOLDEN, REPO, assert_golden
from crosscheck import __version__
from crosscheck.formats import sarif_format
from crosscheck.load.code import ReviewText
from crosscheck.reconcile.model import Outcome
from crosscheck.run import pipeline

PAIRS = {"quickstart": ("samples/quickstart/invoices.py", "samples/quickstart/review.md")} | {
    p.name: (f"tests/cases/{p.name}/code.py", f"tests/cases/{p.name}/review.md")
    for p in sorted(CASES.iterdir()) if (p / "review.md").is_file()
}
GOLDEN_PAIRS = ("quickstart", "hallucinated_anchors")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


pytestmark = pytest.mark.usefixtures("at_repo_root")


@pytest.fixture(scope="module")
def reports(checked_at_root):
    return {name: checked_at_root(code, review) for name, (code, review) in PAIRS.items()}


@pytest.fixture(scope="module")
def documents(reports):
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(REPO)
        return {name: sarif_format.render(report) for name, report in reports.items()}


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
    data = json.loads(text)
    for run in data["runs"]:
        if run["tool"]["driver"]["name"] in ("bandit", "semgrep") and "version" in run["tool"]["driver"]:
            run["tool"]["driver"]["version"] = "X"
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_document_is_valid_sarif(name, documents, reports, validate_sarif):
    data = validate_sarif(documents[name])
    report = reports[name]
    assert data["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json" and data["version"] == "2.1.0"
    names = [r["tool"]["driver"]["name"] for r in data["runs"]]
    assert names == sorted(r.name for r in report.runs) + ["crosscheck"]
    ids = [r["automationDetails"]["id"] for r in data["runs"]]
    assert len(set(ids)) == len(ids) and any(i.startswith("crosscheck/review/") and i.endswith("/") for i in ids)
    review_run = _run(data, "crosscheck")
    assert review_run["properties"]["ai-generated"] is True
    assert review_run["tool"]["driver"]["version"] == __version__
    assert review_run["properties"]["review"]["sha256"] == report.review.sha256
    assert len(review_run["results"]) == len(report.reconciliation.claims)
    assert sum(len(r["results"]) for r in data["runs"][:-1]) == len(report.reconciliation.findings)
    for run in data["runs"]:
        rules = run["tool"]["driver"]["rules"]
        assert len({r["id"] for r in rules}) == len(rules)
        assert "%SRCROOT%" in run["originalUriBaseIds"]
        assert len(run["invocations"]) == 1
        for result in run["results"]:
            assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
            assert result["partialFingerprints"]["crosscheck/v1"]
            related = [loc["id"] for loc in result.get("relatedLocations", [])]
            assert related == list(range(1, len(related) + 1))
    assert "duration" not in documents[name]  # no timings unless asked for


def test_claim_rules_are_fixed(documents):
    rules = _run(json.loads(documents["quickstart"]), "crosscheck")["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [f"crosscheck/claim/{o.value}" for o in Outcome]
    assert {r["id"]: r["defaultConfiguration"]["level"] for r in rules} == {
        "crosscheck/claim/confirmed": "note", "crosscheck/claim/unsupported": "warning",
        "crosscheck/claim/ungrounded": "error", "crosscheck/claim/generic": "note",
        "crosscheck/claim/contradicted": "error", "crosscheck/claim/upheld": "note",
    }


def test_output_is_byte_identical_across_runs(documents):
    code, review = PAIRS["quickstart"]
    report = pipeline.run(code, review)  # a second, separate run of the same pair
    assert sarif_format.render(report) == documents["quickstart"]
    assert sarif_format.render(report) == sarif_format.render(report)


@pytest.mark.parametrize("name", GOLDEN_PAIRS)
def test_golden(name, documents):
    assert_golden(GOLDEN / f"{name}.sarif", documents[name], _masked)


def test_quickstart_findings_and_claims_are_cross_linked(documents):
    data = json.loads(documents["quickstart"])
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


def test_quickstart_levels_and_locations(documents):
    data = json.loads(documents["quickstart"])
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
    assert any("libcst" in n["message"]["text"] for n in diagnostics)


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

    data = validate_sarif(sarif_format.render(report))  # run from the repository root: outside it
    assert {u["uri"] for u in _uris(data)} == {(tmp_path / "pkg" / "code.py").as_uri(),
                                                (tmp_path / "review.md").as_uri()}
    assert all("uriBaseId" not in u for u in _uris(data))
    texts = list(_messages(data))
    assert not [t for t in texts if CONTROL.search(t)]
    claims = _run(data, "crosscheck")["results"]
    assert any("<script>alert(1)</script>" in c["message"]["text"] for c in claims)
    assert any("command injection" in c["message"]["text"] for c in claims)

    monkeypatch.chdir(tmp_path)
    data = validate_sarif(sarif_format.render(report))
    assert {u["uri"] for u in _uris(data)} == {"pkg/code.py", "review.md"}
    assert all(u["uriBaseId"] == "%SRCROOT%" for u in _uris(data))


def test_stdin_review_and_moved_claims(documents, validate_sarif):
    code, review = PAIRS["quickstart"]
    original = _run(json.loads(documents["quickstart"]), "crosscheck")["results"]
    text = "\n\n\n" + (REPO / review).read_text(encoding="utf-8")
    report = pipeline.run_text(code, ReviewText(path="-", sha256="0" * 64, text=text, encoding="utf-8"))
    data = validate_sarif(sarif_format.render(report))
    moved = _run(data, "crosscheck")["results"]
    assert [c["partialFingerprints"] for c in moved] == [c["partialFingerprints"] for c in original]
    assert len({c["partialFingerprints"]["crosscheck/v1"] for c in moved}) == len(moved)
    assert [c["properties"]["span"]["start_line"] for c in moved] == \
        [c["properties"]["span"]["start_line"] + 3 for c in original]
    # No review file to point at: claims with no anchor found have no location, links have no place.
    ungrounded = [c for c in moved if c["properties"]["outcome"] == "ungrounded"]
    assert ungrounded and all(c["locations"] == [] for c in ungrounded)
    assert all("review.md" not in u["uri"] for u in _uris(data))
    matched = [f for f in _run(data, "bandit")["results"] if f["properties"]["status"] == "matched"]
    assert matched and all("physicalLocation" not in link for f in matched for link in f["relatedLocations"])
