"""A new analyzer is its module and one entry point: what it knows of itself travels with its runs.

The plugin here is defined in this module and registered only by an ``EntryPoint``
built in the test; no other file names it, yet its information URI reaches the
SARIF log and its test-noise rule the test-code policy, checked directly and
through a batch's cache.
"""

from __future__ import annotations

import importlib.metadata

import pytest

from crosscheck import analyzers
from crosscheck.analyzers.bandit import BanditAnalyzer
from crosscheck.analyzers.base import Analyzer, completed_run, fingerprint
from crosscheck.analyzers.ruff import RuffAnalyzer, rules
from crosscheck.analyzers.semgrep import SemgrepAnalyzer
from crosscheck.errors import PluginError
from crosscheck.formats import sarif_format
from crosscheck.load.code import load_code, load_review
from crosscheck.models import AnalyzerInfo, CodeTarget, Confidence, Finding, Options, Severity
from crosscheck.run import pipeline
from crosscheck.run.cache import AnalysisCache, analyze

MARKER = "XYZZY"
URI = "https://example.org/marker-analyzer"


class MarkerAnalyzer(Analyzer):
    """Reports every line holding the marker: rule MK1 (noise in tests) on a comment, MK2 elsewhere."""

    name = "marker"
    information_uri = URI
    test_noise = frozenset({"MK1"})

    def help_uris(self):
        return {"MK1": f"{URI}/MK1"}

    def cache_key(self, options):
        return "marker 1"

    def run(self, target, options):
        findings = []
        for source in target.files:
            for number, line in enumerate(source.lines, start=1):
                if MARKER in line:
                    rule = "MK1" if line.lstrip().startswith("#") else "MK2"
                    findings.append(Finding(
                        analyzer=self.name, rule_id=rule, cwe=(798,), severity=Severity.HIGH,
                        confidence=Confidence.HIGH, path=source.path, line=number, end_line=number,
                        message=f"marker: {MARKER} found", snippet=line,
                        fingerprint=fingerprint(self.name, rule, source.path, line)))
        return completed_run(self.name, "1.0", findings, (), 0.0)


class BrokenMetadata(MarkerAnalyzer):
    def help_uris(self):
        raise RuntimeError("no table")


def _eps(**plugins: str) -> list[importlib.metadata.EntryPoint]:
    return [importlib.metadata.EntryPoint(name=name, value=f"test_analyzer_plugins:{cls}", group=analyzers.GROUP)
            for name, cls in plugins.items()]


@pytest.fixture()
def only_marker(monkeypatch):
    """The installed plugins are the marker one alone, found through its entry point."""
    find = analyzers.available
    monkeypatch.setattr(analyzers, "available", lambda entry_points=None: find(_eps(marker="MarkerAnalyzer")))


@pytest.fixture()
def project(tmp_path):
    (tmp_path / "app.py").write_text(f"# {MARKER}\nKEY = '{MARKER}'\n", encoding="utf-8")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_app.py").write_text(f"# {MARKER}\nKEY = '{MARKER}'\nTESTED = True\n", encoding="utf-8")
    review = tmp_path / "review.md"
    review.write_text("No security defects are detected in the code.\n", encoding="utf-8")
    return tmp_path


def _test_context(report) -> dict[tuple[str, str], bool]:
    return {(f["path"], f["rule_id"]): f["test_context"] for f in report.to_dict()["findings"]}


def _check_sarif(report, validate_sarif) -> None:
    log = validate_sarif(sarif_format.render(report, all_results=True))  # test-code findings included
    run = next(r for r in log["runs"] if r["tool"]["driver"]["name"] == "marker")
    assert run["tool"]["driver"]["informationUri"] == URI
    assert {rule["id"]: rule.get("helpUri") for rule in run["tool"]["driver"]["rules"]} == {
        "MK1": f"{URI}/MK1", "MK2": None}
    in_test = {(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], r["ruleId"]):
               r["properties"]["test_context"] for r in run["results"]}
    assert in_test == {("app.py", "MK1"): False, ("app.py", "MK2"): False,
                       ("tests/test_app.py", "MK1"): True, ("tests/test_app.py", "MK2"): False}


def test_a_plugin_known_only_by_its_entry_point_carries_its_metadata(only_marker, project, validate_sarif,
                                                                    monkeypatch):
    monkeypatch.chdir(project)
    report = pipeline.run(str(project), str(project / "review.md"))
    assert [r.name for r in report.runs] == ["marker"]
    assert report.runs[0].info == AnalyzerInfo(URI, frozenset({"MK1"}), (("MK1", f"{URI}/MK1"),))
    assert _test_context(report) == {("app.py", "MK1"): False, ("app.py", "MK2"): False,
                                     ("tests/test_app.py", "MK1"): True, ("tests/test_app.py", "MK2"): False}
    _check_sarif(report, validate_sarif)


def test_runs_rebuilt_from_the_cache_carry_the_metadata_too(only_marker, project, tmp_path_factory,
                                                            validate_sarif, monkeypatch):
    monkeypatch.chdir(project)
    plugins = analyzers.load(())
    target: CodeTarget = load_code(str(project))
    cache = AnalysisCache(tmp_path_factory.mktemp("cache"))
    cold = analyze(plugins, [target], Options(), cache)
    warm = analyze(plugins, [target], Options(), cache)
    assert (cold.analyzed, warm.cached) == (2, 2)
    assert cold.runs_for(target) == warm.runs_for(target)
    prepared = pipeline.prepare(target, load_review(str(project / "review.md")), str(project))
    report = pipeline.conclude(prepared, warm.runs_for(target), Options())
    assert report.runs[0].info == plugins[0].info()
    assert _test_context(report)[("tests/test_app.py", "MK1")] is True
    _check_sarif(report, validate_sarif)


def test_a_crashed_run_still_carries_its_plugins_metadata(project):
    class Crashing(MarkerAnalyzer):
        def run(self, target, options):
            raise RuntimeError("boom")

    [run] = analyzers.run_all([Crashing()], load_code(str(project)), Options())
    assert run.status.value == "failed" and run.info.information_uri == URI


def test_a_plugin_whose_metadata_cannot_be_read_is_named_when_loaded():
    with pytest.raises(PluginError, match="'odd'.*unreadable metadata: no table"):
        analyzers.load([], _eps(odd="BrokenMetadata"))


def test_the_builtin_plugins_own_their_metadata():
    bandit, semgrep, ruff = BanditAnalyzer().info(), SemgrepAnalyzer().info(), RuffAnalyzer().info()
    assert (bandit.information_uri, semgrep.information_uri, ruff.information_uri) == (
        "https://github.com/PyCQA/bandit", "https://semgrep.dev", "https://docs.astral.sh/ruff/")
    assert bandit.help_uri("B101") == "https://bandit.readthedocs.io/en/latest/plugins/b101_assert_used.html"
    assert bandit.help_uri("B304") == bandit.help_uri("B305")  # one page for both
    assert ruff.help_uri("S101") == "https://docs.astral.sh/ruff/rules/assert"
    assert semgrep.help_uris == () and bandit.help_uri("B999") == ""
    assert "B101" in bandit.test_noise and "hardcoded-credential" in semgrep.test_noise
    assert {rules()[code].bandit for code in ruff.test_noise} == bandit.test_noise  # as ruff ports them
