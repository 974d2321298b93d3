"""The command line as users see it: outputs, exit codes, one-line errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import CASES, REPO
from crosscheck import analyzers
from crosscheck.cli import cli
from crosscheck.formats import SUFFIXES
from crosscheck.models import AnalyzerRun, RunStatus

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


@pytest.mark.case("review-binary")
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


@pytest.mark.case("analyzer-all-failed")
def test_no_analyzer_result_is_exit_2(monkeypatch):
    def failing(plugins, target, options, done=None):
        return tuple(AnalyzerRun(p.name, "", RunStatus.FAILED, message="crashed") for p in plugins)

    monkeypatch.setattr(analyzers, "run_all", failing)
    result = _run("check", CODE, REVIEW)
    assert result.exit_code == 2
    assert "no analyzer produced a result" in result.output and result.output.count("\n") == 1


def test_one_failed_analyzer_still_gives_a_report(monkeypatch):
    real = analyzers.run_all

    def half(plugins, target, options, done=None):
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
    assert "Summary" in result.output and "quickstart" in result.output
    validate_report(json.loads((tmp_path / "quickstart.json").read_text()))
    assert (tmp_path / "quickstart.txt").read_text().startswith("crosscheck ")


UNGROUNDED = str(CASES / "hallucinated_anchors" / "review.md")
UNGROUNDED_CODE = str(CASES / "hallucinated_anchors" / "code.py")


def test_several_pairs_write_every_format_an_index_and_a_summary(tmp_path):
    out = tmp_path / "out"
    result = _run("check", CODE, REVIEW, UNGROUNDED_CODE, UNGROUNDED, "--output-dir", str(out))
    assert result.exit_code == 1, result.output  # review-2 cites code that is not there: the default gate
    assert "Summary" in result.stdout and result.stdout.count("crosscheck 0.") == 2  # both reports, then the table
    every = sorted(f"{name}.{suffix}" for name in ("review", "review-2") for suffix in SUFFIXES.values())
    assert sorted(p.name for p in out.iterdir()) == sorted(every + ["index.html", "summary.json"])
    rows = json.loads((out / "summary.json").read_text())
    assert [(r["id"], r["error"]) for r in rows] == [("review", None), ("review-2", None)]
    assert rows[1]["outcomes"].get("ungrounded", 0) >= 1
    assert 'href="review-2.json"' in (out / "index.html").read_text()


def test_pairs_need_an_even_count_and_several_need_a_folder_for_json(tmp_path):
    assert _run("check", CODE).exit_code == 2
    result = _run("check", CODE, REVIEW, CODE, REVIEW, "--format", "json")
    assert result.exit_code == 2 and "need --output-dir" in result.output


def test_a_manifest_with_a_broken_pair_keeps_the_others(tmp_path):
    (tmp_path / "code.py").write_text(open(CODE).read())
    (tmp_path / "review.md").write_text(open(REVIEW).read())
    manifest = tmp_path / "pairs.toml"
    manifest.write_text('[[pair]]\nid = "good"\ncode = "code.py"\nreview = "review.md"\n'
                        '[[pair]]\nid = "broken"\ncode = "missing.py"\nreview = "review.md"\n')
    result = _run("check", "--manifest", str(manifest), "--output-dir", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "1 of 2 pair(s) could not be checked: broken" in result.stderr
    assert (tmp_path / "out" / "good.json").is_file()
    rows = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert rows[1]["id"] == "broken" and "does not exist" in rows[1]["error"]
    assert "not checked" in (tmp_path / "out" / "index.html").read_text()


def test_gates_fail_with_exit_1_unless_exit_zero():
    assert _run("check", CODE, REVIEW, "--fail-on", "ungrounded").exit_code == 0
    result = _run("check", UNGROUNDED_CODE, UNGROUNDED)  # the default gates: ungrounded among them
    assert result.exit_code == 1 and "gate met: review: ungrounded:" in result.stderr
    result = _run("check", UNGROUNDED_CODE, UNGROUNDED, "--fail-on", "ungrounded", "--fail-on", "missed")
    assert result.exit_code == 1
    assert "gate met: review: ungrounded:" in result.stderr
    assert _run("check", UNGROUNDED_CODE, UNGROUNDED, "--fail-on", "ungrounded", "--exit-zero").exit_code == 0


def test_pre_commit_checks_the_reviews_kept_next_to_changed_code(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("app.py").write_text(open(UNGROUNDED_CODE).read())
    Path("app.review.md").write_text(open(UNGROUNDED).read())
    Path("other.py").write_text("x = 1\n")
    assert _run("pre-commit", "other.py").exit_code == 0  # no review beside it: nothing to check
    result = _run("pre-commit", "app.py", "other.py")
    assert result.exit_code == 1 and "gate met: app.review: ungrounded" in result.stderr
    assert _run("pre-commit", "app.py", "--fail-on", "self-contradictory").exit_code == 0


def test_the_pre_commit_hook_definition_runs_this_command():
    import yaml

    from conftest import REPO

    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "crosscheck" and hook["language"] == "python"
    assert hook["entry"] == "crosscheck pre-commit"
    assert re.search(hook["files"], "pkg/app.review.md") and re.search(hook["files"], "app.py")
    assert not re.search(hook["files"], "README.md")


def test_samples_list_and_an_offline_fetch_with_nothing_cached(tmp_path, monkeypatch):
    listed = _run("samples", "list")
    assert listed.exit_code == 0 and listed.stdout.count("\n") >= 7
    assert "nova-002\tnova/tests/functional/regressions/test_bug_1825537.py\tnova f4bb67210602" in listed.stdout
    monkeypatch.setenv("CROSSCHECK_CACHE_DIR", str(tmp_path / "empty-cache"))
    result = _run("samples", "fetch", "nova-001", "--offline")
    assert result.exit_code == 2 and "nova-001: not fetched" in result.stderr
    assert _run("samples", "fetch", "nope").exit_code == 2


def test_each_format_goes_to_its_own_output(tmp_path, validate_report):
    sarif, junit = tmp_path / "r.sarif", tmp_path / "r.xml"
    result = _run("check", CODE, REVIEW, "--format", "sarif", "--output", str(sarif), "--format", "junit",
                  "--output", str(junit), "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(sarif.read_text())["version"] == "2.1.0"
    assert junit.read_text().startswith("<?xml")
    validate_report(json.loads(result.stdout))  # the format left without --output goes to stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.sarif", "r.xml"]


def test_format_and_output_counts_must_pair_up(tmp_path):
    for args in (["--format", "json", "--output", "a", "--output", "b"],
                 ["--format", "json", "--format", "sarif", "--format", "html", "--output", "a"],
                 ["--format", "json", "--format", "sarif", "--output", "a", "--output", "a"],
                 ["--format", "json", "--format", "sarif", "--output", "-", "--output", "-"]):
        result = _run("check", CODE, REVIEW, *(a if a in ("json", "sarif", "html", "-") or a.startswith("--")
                                               else str(tmp_path / a) for a in args))
        assert result.exit_code == 2, args
        assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_labels_add_the_three_way_comparison(validate_report):
    quickstart = REPO / "samples" / "quickstart"
    code, review, labels = (str(quickstart / name) for name in ("invoices.py", "review.md", "labels.toml"))
    result = _run("check", code, review, "--labels", labels, "--format", "json", "--exit-zero")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    validate_report(data)
    comparison = data["labels"]
    assert comparison["file"].endswith("labels.toml")
    assert {"review", "analyzers", "agreement", "defects"} <= set(comparison)
    assert sum(comparison["agreement"].values()) == len(comparison["defects"]) > 0
    text = _run("check", code, review, "--labels", labels).stdout
    assert "Labels (" in text and "known defects" in text
    assert json.loads(_run("check", code, review, "--format", "json").stdout)["labels"] is None


def test_bad_labels_and_labels_with_several_pairs_are_exit_2(tmp_path):
    bad = tmp_path / "labels.toml"
    bad.write_text("[[defect]]\ncwe = 'nonsense'\nlines = 3\n", encoding="utf-8")
    result = _run("check", CODE, REVIEW, "--labels", str(bad))
    assert result.exit_code == 2 and "labels.toml" in result.stderr and "Traceback" not in result.output
    result = _run("check", CODE, REVIEW, CODE, REVIEW, "--labels", str(bad))
    assert result.exit_code == 2 and "one CODE REVIEW pair" in result.output


def test_short_options_of_click_and_of_ruff_and_bandit():
    for args in (["-h"], ["check", "-h"], ["batch", "-h"]):
        result = _run(*args)
        assert result.exit_code == 0 and result.output.startswith("Usage: "), args
    assert _run("-V").output.startswith("crosscheck, version ")
    result = _run("check", CODE, REVIEW, "-f", "json", "-o", "-")
    assert result.exit_code == 0 and json.loads(result.output)["claims"]


@pytest.mark.parametrize(("env", "tty", "expected"), [
    ({}, True, True), ({}, False, False),
    ({"NO_COLOR": "1"}, True, False), ({"NO_COLOR": ""}, True, True),  # set and not empty, as no-color.org says
    ({"FORCE_COLOR": "1"}, False, True), ({"FORCE_COLOR": ""}, False, False),
    ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, True, False),
])
def test_colour_follows_the_no_color_and_force_color_conventions(monkeypatch, env, tty, expected):
    from crosscheck import cli as cli_module

    for name in ("NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(cli_module.sys.stdout, "isatty", lambda: tty, raising=False)
    assert cli_module._color() is expected


def test_tables_fit_the_terminal(monkeypatch):
    pairs = [str(CASES / case / name) for case in ("confirmed_exact", "hallucinated_anchors")
             for name in ("code.py", "review.md")]
    for columns in (80, 160):
        monkeypatch.setenv("COLUMNS", str(columns))
        monkeypatch.setenv("FORCE_COLOR", "1")
        result = _run("check", *pairs, "--exit-zero")
        assert result.exit_code == 0, result.output
        widths = [len(re.sub(r"\x1b\[[0-9;]*m", "", line)) for line in result.output.splitlines()]
        assert max(widths) == columns  # the summary table spans the terminal, no wider


def test_gates_and_required_analyzers_come_from_the_config_too(tmp_path):
    config = tmp_path / "pyproject.toml"

    def run(table: str, *args: str):
        config.write_text(f"[tool.crosscheck]\n{table}\n", encoding="utf-8")
        return _run("check", UNGROUNDED_CODE, UNGROUNDED, "--config", str(config), *args)

    assert run('fail-on = []').exit_code == 0  # no gate: the default policy is off
    assert run('fail-on = ["self-contradictory"]').exit_code == 0
    assert run('fail-on = ["ungrounded"]').exit_code == 1
    assert run('fail-on = []', "--fail-on", "ungrounded").exit_code == 1  # the command line wins
    bad = run('fail-on = ["ungrounded:high"]')
    assert bad.exit_code == 2 and "[tool.crosscheck] fail-on: 'ungrounded:high': only missed and" in bad.stderr
    required = run('fail-on = []\nrequire = ["ruff"]', "--analyzer", "bandit")
    assert required.exit_code == 2 and "required analyzer ruff did not run" in required.stderr


def test_quiet_says_only_what_is_wrong_and_verbose_says_each_analyzers_run(tmp_path):
    args = ["check", CODE, REVIEW, UNGROUNDED_CODE, UNGROUNDED, "--output-dir"]
    usual = _run(*args, str(tmp_path / "usual"))
    quiet = _run(*args, str(tmp_path / "quiet"), "-q")
    verbose = _run(*args, str(tmp_path / "verbose"), "--verbose")
    assert usual.exit_code == quiet.exit_code == verbose.exit_code == 1
    assert "crosscheck: review: checked" in usual.stderr and "Reports written to" in usual.stdout
    assert "checked" not in quiet.stderr and "Reports written to" not in quiet.stdout
    gates = [line for line in usual.stderr.splitlines() if line.startswith("crosscheck: gate met: ")]
    assert gates and quiet.stderr.splitlines() == gates  # the gates met are said whatever the verbosity
    assert "Summary" in quiet.stdout  # the reports themselves are not chatter
    runs = [line for line in verbose.stderr.splitlines() if re.match(r"crosscheck: review(-2)?: (bandit|semgrep) ", line)]
    assert len(runs) == 4 and all(re.search(r", \d+ finding\(s\), \d+\.\d\d s$", line) for line in runs), runs
    assert not any(line in usual.stderr for line in runs)
    assert "configuration" in verbose.stderr.splitlines()[0]
    assert sorted(p.name for p in (tmp_path / "quiet").iterdir()) == sorted(p.name for p in (tmp_path / "usual").iterdir())


def test_quiet_and_verbose_exclude_each_other():
    result = CliRunner().invoke(cli, ["check", "-q", "-v", CODE, REVIEW])
    assert result.exit_code == 2 and "not both" in result.output
