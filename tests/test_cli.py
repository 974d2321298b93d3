"""The command line as users see it: outputs, exit codes, one-line errors."""

from __future__ import annotations

import json

from click.testing import CliRunner

from crosscheck import analyzers
from crosscheck.cli import cli
from crosscheck.models import AnalyzerRun, RunStatus

from conftest import CASES

CODE = str(CASES / "confirmed_exact" / "code.py")
REVIEW = str(CASES / "confirmed_exact" / "review.md")


def _run(*args, input=None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def test_check_prints_a_text_report():
    result = _run("check", CODE, REVIEW)
    assert result.exit_code == 0, result.output
    assert "Verdict: stated defects" in result.output and "confirmed" in result.output
    assert "\x1b[" not in result.output  # no colour when not on a terminal


def test_check_json_to_a_file_is_valid_and_reproducible(tmp_path, validate_report):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    assert _run("check", CODE, REVIEW, "--format", "json", "--output", str(first)).exit_code == 0
    assert _run("check", CODE, REVIEW, "--format", "json", "--output", str(second)).exit_code == 0
    assert first.read_bytes() == second.read_bytes()
    data = json.loads(first.read_text())
    validate_report(data)
    assert all(a["duration_s"] is None for a in data["analyzers"])
    assert sorted(tmp_path.iterdir()) == [first, second]  # no temporary files left behind


def test_timings_are_only_there_when_asked(validate_report):
    result = _run("check", CODE, REVIEW, "--format", "json", "--timings")
    data = json.loads(result.output)
    validate_report(data)
    assert all(isinstance(a["duration_s"], float) for a in data["analyzers"])


def test_review_from_stdin():
    result = _run("check", CODE, "-", "--format", "json", "--analyzer", "bandit",
                  input=open(REVIEW, encoding="utf-8").read())
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["review"]["path"] == "-" and len(data["claims"]) == 2
    assert [a["name"] for a in data["analyzers"]] == ["bandit"]


def test_missing_code_path_is_one_line_and_exit_2(tmp_path):
    result = _run("check", str(tmp_path / "nope.py"), REVIEW)
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "does not exist" in result.output
    assert "Traceback" not in result.output


def test_missing_review_and_binary_review(tmp_path):
    result = _run("check", CODE, str(tmp_path / "nope.md"))
    assert result.exit_code == 2 and "review file" in result.output
    binary = tmp_path / "blob.md"
    binary.write_bytes(b"\x00\x01\x02binary")
    result = _run("check", CODE, str(binary))
    assert result.exit_code == 2 and "binary" in result.output


def test_unknown_analyzer_and_bad_option():
    result = _run("check", CODE, REVIEW, "--analyzer", "nope")
    assert result.exit_code == 2 and "unknown analyzer 'nope'" in result.output
    assert _run("check", CODE, REVIEW, "--format", "yaml").exit_code == 2


def test_no_analyzer_result_is_exit_2(monkeypatch):
    def failing(plugins, target, options):
        return tuple(AnalyzerRun(p.name, "", RunStatus.FAILED, message="crashed") for p in plugins)

    monkeypatch.setattr(analyzers, "run_all", failing)
    result = _run("check", CODE, REVIEW)
    assert result.exit_code == 2
    assert "no analyzer produced a result" in result.output and result.output.count("\n") == 1


def test_one_failed_analyzer_still_gives_a_report(monkeypatch):
    real = analyzers.run_all

    def half(plugins, target, options):
        runs = real([p for p in plugins if p.name == "bandit"], target, options)
        return runs + (AnalyzerRun("semgrep", "", RunStatus.FAILED, message="semgrep crashed"),)

    monkeypatch.setattr(analyzers, "run_all", half)
    result = _run("check", CODE, REVIEW, "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert {a["name"]: a["status"] for a in data["analyzers"]} == {"bandit": "ok", "semgrep": "failed"}
    assert any("semgrep failed" in d for d in data["diagnostics"])


def test_demo_runs_the_embedded_samples(tmp_path, validate_report):
    result = _run("demo", "--output-dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "Summary:" in result.output and "quickstart" in result.output
    validate_report(json.loads((tmp_path / "quickstart.json").read_text()))
    assert (tmp_path / "quickstart.txt").read_text().startswith("crosscheck ")
