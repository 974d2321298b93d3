"""Reading a pull request's change: from a unified diff, and from a real git repository and a base."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from crosscheck.errors import InputError
from crosscheck.load.change import Change, change_from_diff, change_from_git
from crosscheck.load.code import load_code
from crosscheck.models import ChangeScope

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

ENV = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
       "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=ENV,
                          text=True).stdout


def commit(repo: Path, files: dict[str, str | None], message: str) -> None:
    for name, text in files.items():
        path = repo / name
        if text is None:
            git(repo, "rm", "-q", name)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        git(repo, "add", name)
    git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with a main line, and a branch that changes two files, adds one and deletes one."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    commit(repo, {"app/run.py": "import subprocess\n\n\ndef run(cmd):\n    return subprocess.run(cmd)\n",
                  "app/util.py": "X = 1\n", "app/old.py": "Y = 2\n", "README.md": "hello\n"}, "base")
    git(repo, "checkout", "-q", "-b", "feature")
    commit(repo, {"app/run.py": "import subprocess\n\n\ndef run(cmd):\n    return subprocess.run(cmd, shell=True)\n",
                  "app/new.py": "import pickle\n\n\ndef load(b):\n    return pickle.loads(b)\n"}, "shell")
    commit(repo, {"app/old.py": None, "README.md": "hello\nworld\n"}, "tidy")
    git(repo, "checkout", "-q", "main")
    commit(repo, {"app/util.py": "X = 2\n"}, "main moves on")  # not in the change: after the merge base
    git(repo, "checkout", "-q", "feature")
    return repo


def test_the_change_of_a_branch_is_read_from_its_merge_base(repo: Path) -> None:
    change = change_from_git(repo, "main")
    assert change.base == "main"
    assert [(f.path, f.status) for f in change.files] == [
        ("README.md", "modified"), ("app/new.py", "added"), ("app/old.py", "deleted"), ("app/run.py", "modified")]
    assert change.file("app/run.py").added_lines == frozenset({5})
    assert change.file("app/new.py").added_lines == frozenset({1, 2, 3, 4, 5})
    assert change.file("app/util.py") is None  # main's own commit is not the branch's change
    assert change.python_files == ("app/new.py", "app/run.py")


def test_a_folder_inside_the_work_tree_sees_the_change_below_it(repo: Path) -> None:
    inside = change_from_git(repo / "app", "main")
    assert [(f.path, f.added_lines) for f in inside.files] == [
        (f.path.removeprefix("app/"), f.added_lines) for f in change_from_git(repo, "main").files
        if f.path.startswith("app/")]
    assert inside.head == git(repo, "rev-parse", "HEAD").strip()


def _lines(change: Change) -> list[tuple[str, str, frozenset[int]]]:
    return [(f.path, f.status, f.added_lines) for f in change.files]


def test_a_unified_diff_gives_the_same_change_as_git(repo: Path) -> None:
    diff = git(repo, "diff", "main...HEAD")  # with three lines of context, where crosscheck asks git for none
    assert _lines(change_from_diff(diff)) == _lines(change_from_git(repo, "main"))


def test_a_diff_that_does_not_apply_to_the_code_names_the_file_and_hunk(repo: Path) -> None:
    change = change_from_diff(git(repo, "diff", "main...HEAD"))
    change.check_applies(load_code(repo), where="pr.diff")  # the work tree is the change's head: it applies
    (repo / "app" / "run.py").write_text("import os\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"pr.diff does not apply to the code: app/run.py, hunk @@ -2,4 \+2,4 @@: "
                                         r"line 2 is '' in the diff, but the file ends before it"):
        change.check_applies(load_code(repo), where="pr.diff")
    (repo / "app" / "new.py").unlink()
    with pytest.raises(InputError, match="app/new.py is not in it"):
        change.check_applies(load_code(repo), where="pr.diff")


def test_a_change_covers_added_lines_changed_files_or_the_tree(repo: Path) -> None:
    change = change_from_git(repo, "main")
    assert change.covers("app/run.py", 4, 5, ChangeScope.LINE) and not change.covers("app/run.py", 1, 4, ChangeScope.LINE)
    assert change.covers("app/run.py", 1, 1, ChangeScope.FILE) and not change.covers("app/util.py", 1, 1, ChangeScope.FILE)
    assert not change.covers("app/old.py", 1, 1, ChangeScope.FILE)  # deleted: nothing of it is in the code
    assert change.covers("app/util.py", 1, 1, ChangeScope.TREE)


@pytest.mark.parametrize("base", ["no-such-branch", "--output=/tmp/x", "-p", "main;rm -rf /", ""])
def test_a_base_that_is_not_a_revision_is_one_clear_error(repo: Path, base: str) -> None:
    with pytest.raises(InputError, match="--base"):
        change_from_git(repo, base)


def test_a_folder_outside_git_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not inside a git work tree.*--diff"):
        change_from_git(tmp_path, "main")


def test_text_that_is_not_a_diff_is_one_clear_error() -> None:
    with pytest.raises(InputError, match="not a unified diff"):
        change_from_diff("this is a review, not a diff\n", where="pr.diff")


def test_the_repositorys_external_diff_driver_is_not_run(repo: Path, tmp_path: Path) -> None:
    # a repository's configuration may name a program for git diff to run: reading a change must not run it
    marker = tmp_path / "ran"
    script = tmp_path / "driver.sh"
    script.write_text(f"#!/bin/sh\ntouch {marker}\n", encoding="utf-8")
    script.chmod(0o755)
    git(repo, "config", "diff.external", str(script))
    (repo / ".gitattributes").write_text("*.py diff=evil\n", encoding="utf-8")
    git(repo, "config", "diff.evil.textconv", str(script))
    commit(repo, {".gitattributes": "*.py diff=evil\n", "app/run.py": "X = 3\n"}, "attributes")
    change = change_from_git(repo, "main")
    assert change.file("app/run.py").added_lines == frozenset({1})
    assert not marker.exists()


def test_a_renamed_file_is_read_by_its_new_path(repo: Path) -> None:
    git(repo, "mv", "app/util.py", "app/helpers.py")
    (repo / "app/helpers.py").write_text("X = 1\nZ = 3\n", encoding="utf-8")
    git(repo, "add", "app/helpers.py")
    git(repo, "commit", "-q", "-m", "rename")
    diff = git(repo, "diff", "-M", "HEAD~1", "HEAD")
    (changed,) = change_from_diff(diff).files
    assert (changed.path, changed.status, changed.old_path, changed.added_lines) == (
        "app/helpers.py", "renamed", "app/util.py", frozenset({2}))
