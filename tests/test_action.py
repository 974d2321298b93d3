"""The GitHub Action (action.yml) and the script it runs (ci/action.sh), run the way a runner runs them.

The script's environment is built from the `env:` mapping of the action's step, with this test's
values in place of `${{ inputs.* }}` (and each input's default from action.yml otherwise), so the
test breaks when action.yml and the script stop agreeing. The script runs on a throwaway repository
with a base commit and a feature commit, a GitHub-shaped comment export, the crosscheck of this test
environment and a `gh` that fails if it is called: nothing goes to the network.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import REPO

ACTION = REPO / "action.yml"
SCRIPT = REPO / "ci" / "action.sh"
GITLAB = REPO / "ci" / "gitlab-ci.yml"
DOCS = REPO / "docs" / "ci.md"

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
needs_shell = pytest.mark.skipif(shutil.which("git") is None or shutil.which("bash") is None,
                                 reason="needs git and bash")

BASE = "X = 1\n"
FEATURE = ("import subprocess\n\n\ndef run(cmd):\n    return subprocess.run(cmd, shell=True)\n\n\n"
           "def evaluate(expression):\n    return eval(expression)\n")
"""The change: a shell call (line 5) the review comment reports, and an eval (line 9) it misses."""
HUNK = "@@ -1 +1,9 @@\n-X = 1\n+import subprocess\n+\n+\n+def run(cmd):\n+    return subprocess.run(cmd, shell=True)"
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def load_action() -> dict[str, Any]:
    return yaml.safe_load(ACTION.read_text(encoding="utf-8"))


def script_step(action: dict[str, Any]) -> dict[str, Any]:
    [step] = [s for s in action["runs"]["steps"] if "ci/action.sh" in s.get("run", "")]
    return step


def step_env(action: dict[str, Any], inputs: dict[str, str]) -> dict[str, str]:
    """The script step's environment as a runner makes it: `${{ inputs.X }}` is the test's value or the
    input's default; any other expression (github.*, steps.*) is empty, as here there is no event,
    token or install step. An input action.yml does not declare is an error, as on a runner."""
    declared = action["inputs"]
    unknown = set(inputs) - set(declared)
    assert not unknown, f"inputs not in action.yml: {sorted(unknown)}"

    def value(match: re.Match[str]) -> str:
        name = re.fullmatch(r"inputs\.([\w-]+)", match.group(1))
        if name is None:
            return ""
        assert name.group(1) in declared, f"action.yml uses an undeclared input: {name.group(1)}"
        text = inputs.get(name.group(1), str(declared[name.group(1)].get("default", "")))
        return EXPRESSION.sub("", text)  # a default such as ${{ github.event.pull_request.base.sha }}

    return {key: EXPRESSION.sub(value, str(text)) for key, text in script_step(action)["env"].items()}


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV}).stdout.strip()


def commit(repo: Path, text: str, message: str) -> str:
    (repo / "app").mkdir(exist_ok=True)
    (repo / "app" / "run.py").write_text(text, encoding="utf-8")
    git(repo, "add", "app/run.py")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def review_comment(head: str) -> dict[str, Any]:
    """A review comment on line 5 as `GET /repos/O/R/pulls/N/comments` returns it."""
    url = "https://github.com/o/r/pull/1#discussion_r101"
    return {
        "id": 101, "pull_request_review_id": 7, "diff_hunk": HUNK, "path": "app/run.py", "commit_id": head,
        "original_commit_id": head, "line": 5, "original_line": 5, "start_line": None, "original_start_line": None,
        "side": "RIGHT", "start_side": None, "subject_type": "line", "user": {"login": "reviewer-bot[bot]"},
        "html_url": url, "body": "**Command injection**: `shell=True` lets a caller's `cmd` run any shell command.",
    }


@pytest.fixture(scope="module")
def pull_request(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A checkout of a pull request (repository, base and head), its comment exports and event, and a
    `gh` that fails loudly."""
    root = tmp_path_factory.mktemp("action")
    repo = root / "workspace"
    repo.mkdir()
    git(repo, "init", "-q")
    base = commit(repo, BASE, "base")
    git(repo, "checkout", "-q", "-b", "feature")
    head = commit(repo, FEATURE, "add run and evaluate")
    exports = root / "exports"
    exports.mkdir()
    (exports / "review-comments.json").write_text(json.dumps([review_comment(head)]), encoding="utf-8")
    (exports / "conversation.json").write_text("[]", encoding="utf-8")
    event = root / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 1, "base": {"sha": base}, "head": {"sha": head}}}),
                     encoding="utf-8")
    bin_dir = root / "bin"
    bin_dir.mkdir()
    gh = bin_dir / "gh"
    gh.write_text('#!/bin/sh\necho "gh was called: gh $*" >&2\nexit 99\n', encoding="utf-8")
    gh.chmod(gh.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return {"root": root, "repo": repo, "base": base, "exports": exports, "event": event, "bin": bin_dir}


def formats() -> set[str]:
    """The --format choices `crosscheck check --help` lists."""
    crosscheck = Path(sys.executable).parent / "crosscheck"
    shown = subprocess.run([str(crosscheck), "check", "--help"], capture_output=True, text=True, check=True).stdout
    match = re.search(r"--format \[([^\]]+)\]", shown)
    assert match, shown
    return set(match.group(1).split("|"))


def run_action(pr: dict[str, Any], name: str, inputs: dict[str, str]) -> dict[str, Any]:
    """Run the script step's `run:` line with bash in the workspace, with the step's environment and the
    variables a runner sets; returns the process, the step outputs and the job summary."""
    runner = pr["root"] / name
    runner.mkdir()
    outputs, summary = runner / "github_output", runner / "step_summary"
    outputs.touch()
    summary.touch()
    script = SCRIPT.read_text(encoding="utf-8")
    kept = {k: v for k, v in os.environ.items()
            if not k.startswith(("GITHUB_", "RUNNER_", "GH_")) and not (k.startswith("CROSSCHECK_") and k in script)}
    env = {
        **kept, **step_env(load_action(), inputs),
        "PATH": os.pathsep.join([str(pr["bin"]), str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
        "GITHUB_ACTION_PATH": str(REPO), "GITHUB_WORKSPACE": str(pr["repo"]), "GITHUB_REPOSITORY": "o/r",
        "GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(pr["event"]), "GITHUB_OUTPUT": str(outputs),
        "GITHUB_STEP_SUMMARY": str(summary), "RUNNER_TEMP": str(runner / "temp"),
    }
    (runner / "temp").mkdir()
    proc = subprocess.run(["bash", "-c", script_step(load_action())["run"]], cwd=pr["repo"], env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    assert "gh was called" not in proc.stderr, "the script called gh although comments were given"
    values = dict(line.split("=", 1) for line in outputs.read_text(encoding="utf-8").splitlines() if "=" in line)
    return {"proc": proc, "outputs": values, "summary": summary.read_text(encoding="utf-8")}


@needs_shell
def test_the_action_checks_a_pull_request_and_reports_it_every_way(pull_request, validate_sarif):
    available = formats()
    annotations, job_summary = "github" in available, "pr-summary" in available
    result = run_action(pull_request, "first", {
        "comments": str(pull_request["exports"] / "*.json"),  # a glob; base comes from the event
        "annotations": str(annotations).lower(), "job-summary": str(job_summary).lower()})
    proc, outputs = result["proc"], result["outputs"]
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert outputs["exit-code"] == "0"

    sarif = validate_sarif(Path(outputs["sarif"]).read_text(encoding="utf-8"))
    assert sarif["runs"]
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"]
            for run in sarif["runs"] for result in run["results"] for loc in result["locations"]}
    assert "app/run.py" in uris  # relative to the workspace, as code scanning maps them

    report = json.loads(Path(outputs["report"]).read_text(encoding="utf-8"))
    assert report["change"]["base"] == pull_request["base"]
    assert [c["outcome"] for c in report["claims"]] == ["confirmed"]
    assert {f["status"] for f in report["findings"] if f["line"] == 9} == {"missed"}

    missing = []
    if annotations:
        lines = [line for line in proc.stdout.splitlines() if line.startswith("::")]
        assert any(re.match(r"::(error|warning|notice) (?=.*\bfile=app/run\.py\b)(?=.*\bline=9\b)", line)
                   for line in lines), proc.stdout[-3000:]
    else:
        missing.append("github (annotations)")
    if job_summary:
        assert result["summary"].strip(), "nothing was appended to GITHUB_STEP_SUMMARY"
    else:
        missing.append("pr-summary (job summary)")
    if missing:
        pytest.skip(f"crosscheck check does not offer --format {', '.join(missing)} yet; the rest passed")


@needs_shell
def test_a_gate_fails_the_step_after_writing_the_sarif(pull_request, validate_sarif):
    result = run_action(pull_request, "gate", {
        "comments": str(pull_request["exports"] / "review-comments.json"), "base": pull_request["base"],
        "fail-on": "missed", "annotations": "false", "job-summary": "false"})
    proc, outputs = result["proc"], result["outputs"]
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert outputs["exit-code"] == "1"
    assert validate_sarif(Path(outputs["sarif"]).read_text(encoding="utf-8"))["runs"]
    assert Path(outputs["report"]).is_file()
    assert proc.stdout == ""  # no annotations asked for, and nothing else on stdout


@needs_shell
def test_bad_input_exits_2_with_one_error_line(pull_request):
    result = run_action(pull_request, "bad", {"comments": str(pull_request["exports"] / "nothing-*.json"),
                                              "annotations": "false", "job-summary": "false"})
    proc = result["proc"]
    assert proc.returncode == 2
    assert proc.stdout.splitlines() == [f"::error title=crosscheck::comments: no file matches "
                                        f"'{pull_request['exports'] / 'nothing-*.json'}'"]
    assert "sarif" not in result["outputs"]


def test_no_expression_is_interpolated_into_a_run_script():
    """Inputs reach the shell through env: only; `${{ }}` in a run: block is a script-injection hole."""
    for step in load_action()["runs"]["steps"]:
        if "run" in step:
            assert "${{" not in step["run"], f"step {step.get('name')!r} interpolates into its script"


def test_every_action_is_pinned_to_a_major_version():
    uses = [step["uses"] for step in load_action()["runs"]["steps"] if "uses" in step]
    assert uses
    for ref in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+(/[\w.-]+)*@v\d+", ref), ref


def test_the_action_and_its_script_agree():
    """Every input is used by a step; every CROSSCHECK_ variable the script step sets is one the script reads."""
    action = load_action()
    text = json.dumps(action["runs"])
    for name in action["inputs"]:
        assert re.search(rf"\binputs\.{re.escape(name)}(?![\w-])", text), f"input {name!r} is never used"
    script = SCRIPT.read_text(encoding="utf-8")
    for variable in script_step(action)["env"]:
        if variable.startswith("CROSSCHECK_"):
            assert "${" + variable in script, f"ci/action.sh does not read {variable}"


def documented_steps() -> list[dict[str, Any]]:
    """The steps of every GitHub workflow docs/ci.md shows."""
    blocks = re.findall(r"```yaml\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    return [step for block in blocks for job in (yaml.safe_load(block) or {}).get("jobs", {}).values()
            for step in job.get("steps", [])]


def test_the_documented_workflows_use_the_action_as_it_is():
    """The documented workflows pass only inputs the action has, and no expression into a shell."""
    declared = set(load_action()["inputs"])
    steps = documented_steps()
    uses = [step for step in steps if "/crosscheck@" in step.get("uses", "")]
    assert uses, "docs/ci.md shows no workflow that uses the action"
    for step in uses:
        assert set(step.get("with", {})) <= declared, step
    for step in steps:
        assert "${{" not in step.get("run", ""), step


def test_the_gitlab_template_runs_on_merge_requests_with_full_history():
    job = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))["crosscheck"]
    assert {"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'} in job["rules"]
    assert job["variables"]["GIT_DEPTH"] == "0"
    assert job["artifacts"]["when"] == "always"
    assert job["artifacts"]["reports"]["codequality"] == "gl-code-quality-report.json"
    script = "\n".join(job["script"])
    assert "--format gitlab --output gl-code-quality-report.json" in script
    assert '--base "$CI_MERGE_REQUEST_DIFF_BASE_SHA"' in script
