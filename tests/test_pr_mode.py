"""Pull-request mode end to end: real git repositories, comment exports shaped as the platforms' APIs
return them, and the real bandit and semgrep."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from test_change import commit, git

from crosscheck.load.manifest import load_manifest
from crosscheck.models import ChangeScope, Options
from crosscheck.results.report import Report
from crosscheck.run.batch import run_batch
from crosscheck.run.outputs import write_batch_summary
from crosscheck.run.pipeline import run_change

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

LEGACY = "import hashlib\n\n\ndef digest(data):\n    return hashlib.md5(data).hexdigest()\n"
"""A file the change does not touch, with a finding of its own (a weak hash)."""
RUN_BEFORE = "import yaml\n\n\ndef load(text):\n    return yaml.load(text)\n"
RUN_AFTER = ("import subprocess\n\nimport yaml\n\n\ndef load(text):\n    return yaml.load(text)\n\n\n"
             "def run(cmd):\n    return subprocess.run(cmd, shell=True)\n")
"""The changed file: its old unsafe yaml.load (line 7) stays, the change adds a shell call (line 11)."""


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("pr") / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    commit(repo, {"app/legacy.py": LEGACY, "app/run.py": RUN_BEFORE}, "base")
    git(repo, "checkout", "-q", "-b", "feature")
    commit(repo, {"app/run.py": RUN_AFTER}, "add run")
    return repo


def github_comment(number: int, path: str, line: int | None, hunk: str, body: str, *, login: str,
                   commit_id: str, original_line: int | None = None) -> dict[str, Any]:
    """A review comment as ``GET /repos/O/R/pulls/N/comments`` returns it (fields from GitHub's REST docs)."""
    url = f"https://github.com/o/r/pull/7#discussion_r{number}"
    return {
        "url": f"https://api.github.com/repos/o/r/pulls/comments/{number}", "pull_request_review_id": 900 + number,
        "id": number, "node_id": f"PRRC_{number}", "diff_hunk": hunk, "path": path, "position": None,
        "original_position": 4, "commit_id": commit_id, "original_commit_id": commit_id,
        "user": {"login": login, "id": 1, "type": "Bot"}, "body": body, "created_at": "2026-12-01T10:00:00Z",
        "updated_at": "2026-12-01T10:00:00Z", "html_url": url, "pull_request_url": "https://api.github.com/repos/o/r/pulls/7",
        "author_association": "NONE", "_links": {"html": {"href": url}}, "start_line": None,
        "original_start_line": None, "start_side": None, "line": line,
        "original_line": original_line if original_line is not None else line, "side": "RIGHT",
        "subject_type": "line", "reactions": {"total_count": 0},
    }


SHELL_HUNK = ("@@ -1,5 +1,11 @@\n+import subprocess\n+\n import yaml\n \n \n def load(text):\n     return yaml.load(text)\n"
              "+\n+\n+def run(cmd):\n+    return subprocess.run(cmd, shell=True)")


def write_json(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def comments(repo: Path) -> Path:
    head = git(repo, "rev-parse", "HEAD").strip()
    shell = github_comment(1, "app/run.py", 11, SHELL_HUNK, "**Command injection**: `cmd` reaches a shell "
                           "(`shell=True`), so a caller's input runs as a command.", login="coderabbitai[bot]",
                           commit_id=head)
    return write_json(repo.parent / "comments.json", [shell])


@pytest.fixture(scope="module")
def by_line(repo: Path, comments: Path) -> Report:
    return run_change(str(repo), [str(comments)], Options(), base="main")


def findings(report: Report) -> dict[tuple[str, str], dict[str, Any]]:
    return {(f["path"], f["rule_id"]): f for f in report.to_dict()["findings"]}


def test_only_the_changed_python_files_are_analyzed(by_line: Report) -> None:
    assert {f.finding.path for f in by_line.reconciliation.findings} == {"app/run.py"}
    assert by_line.to_dict()["change"]["files"] == [
        {"path": "app/run.py", "status": "modified", "old_path": None, "added_lines": [[1, 2], [8, 11]]}]


def test_missed_only_on_changed_lines(by_line: Report) -> None:
    found = findings(by_line)
    yaml_load = next(f for (path, rule), f in found.items() if f["line"] == 7)
    assert yaml_load["outside_change"] and not yaml_load["relevant"]  # there before the change
    shell = [f for f in found.values() if f["line"] == 11]
    assert shell and all(not f["outside_change"] and f["status"] == "matched" for f in shell)
    assert by_line.reconciliation.metrics.finding_recall is not None


def test_the_platform_anchor_is_grounded_at_its_line(by_line: Report) -> None:
    (claim,) = [c for c in by_line.to_dict()["claims"] if c["kind"] == "defect"]
    platform = [c for c in claim["citations"] if c.get("platform")]
    assert [(c["path"], c["actual_line"], c["status"]) for c in platform] == [("app/run.py", 11, "exact")]
    assert claim["outcome"] == "confirmed" and claim["outside_change"] is False
    assert claim["comment"] == {"url": "https://github.com/o/r/pull/7#discussion_r1", "author": "coderabbitai[bot]"}


def test_the_file_scope_counts_the_changed_files_and_the_tree_scope_everything(repo: Path, comments: Path) -> None:
    by_file = run_change(str(repo), [str(comments)], Options(scope=ChangeScope.FILE), base="main")
    assert all(not f["outside_change"] for f in findings(by_file).values())
    tree = run_change(str(repo), [str(comments)], Options(scope=ChangeScope.TREE), base="main")
    assert "app/legacy.py" in {path for path, _ in findings(tree)}


def test_a_diff_file_gives_the_same_report_as_the_base(repo: Path, comments: Path, by_line: Report) -> None:
    diff = repo.parent / "pr.diff"
    diff.write_text(git(repo, "diff", "main...HEAD"), encoding="utf-8")
    from_diff = run_change(str(repo), [str(comments)], Options(), diff=str(diff)).to_dict()
    from_git = by_line.to_dict()
    for data in (from_diff, from_git):
        data["change"].pop("base")
        data["change"].pop("head")
    assert from_diff == from_git


@pytest.mark.case("pr-stale-comment")
def test_a_comment_on_an_older_commit_is_re_anchored_or_marked_stale(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    commit(repo, {"app/run.py": "X = 1\n"}, "base")
    git(repo, "checkout", "-q", "-b", "feature")
    first = "import subprocess\n\n\ndef run(cmd):\n    return subprocess.run(cmd, shell=True)\n\n\ndef old(x):\n    return eval(x)\n"
    commit(repo, {"app/run.py": first}, "first push")
    old = git(repo, "rev-parse", "HEAD").strip()
    # the next push adds three lines above the shell call and removes the eval the second comment was on
    commit(repo, {"app/run.py": "import subprocess\n\nTIMEOUT = 5\nRETRIES = 3\nLIMIT = 9\n\n\ndef run(cmd):\n"
                                "    return subprocess.run(cmd, shell=True)\n"}, "second push")
    hunk = "@@ -1 +1,5 @@\n-X = 1\n+import subprocess\n+\n+\n+def run(cmd):\n+    return subprocess.run(cmd, shell=True)"
    moved = github_comment(1, "app/run.py", None, hunk, "Command injection: `shell=True` with `cmd`.",
                           login="copilot-pull-request-reviewer[bot]", commit_id=old, original_line=5)
    gone = github_comment(2, "app/run.py", None, hunk.replace("@@ -1 +1,5 @@", "@@ -1 +1,9 @@") + "\n+\n+\n"
                          "+def old(x):\n+    return eval(x)", "Code injection: `eval(x)` runs its input.",
                          login="copilot-pull-request-reviewer[bot]", commit_id=old, original_line=9)
    report = run_change(str(repo), [str(write_json(tmp_path / "c.json", [moved, gone]))], Options(), base="main")
    claims = report.to_dict()["claims"]
    anchors = {c["comment"]["url"][-1]: next(x for x in c["citations"] if x.get("platform")) for c in claims}
    assert (anchors["1"]["status"], anchors["1"]["actual_line"]) == ("moved", 9)  # re-anchored at HEAD
    assert anchors["2"]["status"] == "stale"
    assert {c["outcome"] for c in claims if c["comment"]["url"].endswith("r2")} != {"ungrounded"}
    assert any("is stale" in d and "discussion_r2" in d for d in report.all_diagnostics)


def gitlab_discussions(head: str) -> list[dict[str, Any]]:
    """``GET /projects/:id/merge_requests/:iid/discussions`` with one diff note (fields from GitLab's API docs)."""
    position = {"base_sha": "b" * 40, "start_sha": "b" * 40, "head_sha": head, "old_path": "app/run.py",
                "new_path": "app/run.py", "position_type": "text", "old_line": None, "new_line": 11,
                "line_range": None}
    note = {"id": 1501, "type": "DiffNote", "body": "Security: `subprocess.run(cmd, shell=True)` allows command "
            "injection.", "attachment": None, "author": {"id": 5, "username": "gitlab-duo", "name": "Duo",
                                                          "state": "active", "web_url": "https://gitlab.com/duo"},
            "created_at": "2026-12-01T10:00:00.000Z", "updated_at": "2026-12-01T10:00:00.000Z", "system": False,
            "noteable_id": 3, "noteable_type": "MergeRequest", "noteable_iid": 7, "commit_id": None,
            "position": position, "resolved": False, "resolvable": True, "resolved_by": None,
            "confidential": False, "internal": False}
    system = {**note, "id": 1502, "type": None, "body": "added 1 commit", "system": True, "position": None}
    return [{"id": "6a9c", "individual_note": False, "notes": [note]},
            {"id": "7b0d", "individual_note": True, "notes": [system]}]


def test_a_gitlab_discussion_is_anchored_at_its_new_line(repo: Path, tmp_path: Path) -> None:
    export = write_json(tmp_path / "discussions.json", gitlab_discussions(git(repo, "rev-parse", "HEAD").strip()))
    report = run_change(str(repo), [str(export)], Options(), base="main")
    (claim,) = report.to_dict()["claims"]
    assert [(c["status"], c["line"]) for c in claim["citations"] if c.get("platform")] == [("unchecked", 11)]
    assert claim["outcome"] == "confirmed" and claim["comment"]["author"] == "gitlab-duo"


def test_batch_judges_and_groups_each_bot_on_its_own(repo: Path, comments: Path, tmp_path: Path) -> None:
    head = git(repo, "rev-parse", "HEAD").strip()
    other = github_comment(3, "app/run.py", 7, SHELL_HUNK.rsplit("\n", 5)[0], "Looks fine; no security issues here.",
                           login="gemini-code-assist[bot]", commit_id=head)
    export = json.loads(comments.read_text(encoding="utf-8")) + [other]
    write_json(repo.parent / "both.json", export)
    manifest = repo.parent / "m.toml"  # paths may not leave the manifest's folder
    manifest.write_text('[[pair]]\nid = "pr7"\ncode = "repo"\nreview = "both.json"\n', encoding="utf-8")
    loaded = load_manifest(manifest)
    result = run_batch(loaded, Options(), None, output_dir=tmp_path / "out", formats=("json",), cache=None)
    assert [(o.id, dict(o.metadata)["reviewer"]) for o in result.outcomes] == [
        ("pr7-coderabbitai-bot", "coderabbitai[bot]"), ("pr7-gemini-code-assist-bot", "gemini-code-assist[bot]")]
    rabbit = result.outcomes[0].report
    assert rabbit is not None and {c.grounded.claim.author for c in rabbit.reconciliation.claims} == {"coderabbitai[bot]"}
    write_batch_summary(result.outcomes, tmp_path / "out", title="t")
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert "reviewer" in json.dumps(summary["groups"])


def crosscheck(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "crosscheck", "check", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=300, check=False)


@pytest.mark.case("pr-bad-base")
@pytest.mark.parametrize(("args", "message"), [
    (["--base", "no-such-branch"], "--base 'no-such-branch' is not a commit"),
    (["--base", "--output=x"], "is not a revision name"),
])
def test_bad_input_is_one_clear_line_and_exit_2(repo: Path, comments: Path, tmp_path: Path, args: list[str],
                                                message: str) -> None:
    done = crosscheck(str(repo), str(comments), *args, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []  # nothing written


@pytest.mark.case("pr-not-git")
@pytest.mark.case("pr-diff-not-applying")
def test_code_outside_git_needs_a_diff_and_a_diff_must_apply(tmp_path: Path, comments: Path) -> None:
    code = tmp_path / "code"
    code.mkdir()
    (code / "run.py").write_text("print('hi')\n", encoding="utf-8")
    done = crosscheck(str(code), str(comments), "--base", "main", cwd=tmp_path)
    assert done.returncode == 2 and "not inside a git work tree (give --diff FILE" in done.stderr
    diff = tmp_path / "pr.diff"
    diff.write_text("--- a/run.py\n+++ b/run.py\n@@ -1 +1 @@\n-print('x')\n+print('y')\n", encoding="utf-8")
    done = crosscheck(str(code), str(comments), "--diff", str(diff), cwd=tmp_path)
    assert done.returncode == 2
    assert "does not apply to the code: run.py, hunk @@ -1,1 +1,1 @@: line 1 is \"print('y')\"" in done.stderr


@pytest.mark.case("pr-json-wrong-shape")
def test_json_of_neither_platform_names_the_first_wrong_field(repo: Path, tmp_path: Path) -> None:
    bad = write_json(tmp_path / "c.json", [{"path": "app/run.py", "line": "five", "diff_hunk": "@@", "body": "x",
                                            "user": {"login": "bot"}, "html_url": "u", "id": 1}])
    done = crosscheck(str(repo), str(bad), "--base", "main", cwd=tmp_path)
    assert done.returncode == 2 and "'line'" in done.stderr and len(done.stderr.strip().splitlines()) == 1


@pytest.mark.case("pr-comment-elsewhere")
def test_a_comment_on_a_file_the_change_does_not_touch_is_a_diagnostic(repo: Path, tmp_path: Path) -> None:
    head = git(repo, "rev-parse", "HEAD").strip()
    hunk = "@@ -3,3 +3,3 @@\n \n def digest(data):\n     return hashlib.md5(data).hexdigest()"
    elsewhere = github_comment(4, "app/legacy.py", 5, hunk, "Weak hash: `hashlib.md5` is broken for security.",
                               login="coderabbitai[bot]", commit_id=head)
    report = run_change(str(repo), [str(write_json(tmp_path / "c.json", [elsewhere]))], Options(), base="main")
    assert any("on app/legacy.py, which the change does not touch" in d for d in report.all_diagnostics)
    (claim,) = report.to_dict()["claims"]
    assert claim["outside_change"] and claim["outcome"] != "ungrounded"  # grounded where it points, outside


def test_files_crosscheck_does_not_read_are_no_reason_to_refuse_a_change(tmp_path: Path) -> None:
    # a pull request touches a workflow's script in a hidden folder and two files of a folder; the code
    # checked is one of those files alone: the others are not part of it, and the change still applies
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    commit(repo, {"app/run.py": "X = 1\n", ".github/scripts/tag.py": "Y = 1\n"}, "base")
    git(repo, "checkout", "-q", "-b", "feature")
    commit(repo, {"app/run.py": "import pickle\n\n\ndef load(b):\n    return pickle.loads(b)\n",
                  "app/other.py": "Z = 2\n", ".github/scripts/tag.py": "Y = 2\n"}, "change")
    comment = github_comment(1, "app/run.py", 5, "@@ -1 +1,5 @@\n-X = 1\n+import pickle\n+\n+\n+def load(b):\n"
                             "+    return pickle.loads(b)", "Unsafe deserialization: `pickle.loads` on input.",
                             login="bot", commit_id=git(repo, "rev-parse", "HEAD").strip())
    export = [str(write_json(tmp_path / "c.json", [comment]))]
    whole = run_change(str(repo), export, Options(analyzers=("bandit",)), base="main")
    assert [f["path"] for f in whole.to_dict()["change"]["files"]] == [".github/scripts/tag.py", "app/other.py",
                                                                       "app/run.py"]
    assert {f.finding.path for f in whole.reconciliation.findings} == {"app/run.py"}
    alone = run_change(str(repo / "app" / "run.py"), export, Options(analyzers=("bandit",)), base="main")
    (claim,) = alone.to_dict()["claims"]
    assert claim["outcome"] == "confirmed" and not claim["outside_change"]


def test_batch_reads_only_the_reviews_that_can_be_exports_before_checking(tmp_path: Path) -> None:
    from crosscheck.load.code import may_be_export

    cases = {"bom.json": b"\xef\xbb\xbf\n  [{}]", "utf16.json": "[]".encode("utf-16"), "review.md": b"# Review\n[]",
             "link.md": b"[a link](https://example.com) starts this review"}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
    assert {name: may_be_export(str(tmp_path / name)) for name in cases} == {
        "bom.json": True, "utf16.json": True, "review.md": False, "link.md": True}  # load_review decides that one
    assert not may_be_export(str(tmp_path / "missing.json"))
