"""The change a pull request makes: which files it touches and which of their lines it adds.

A change is read from a unified diff (``gh pr diff``, ``git format-patch``, ``git diff``) or from a
git work tree and a base revision, as a pull request sees it: ``git diff REV...HEAD``, from the merge
base. git runs as a subprocess with an argument list, with the repository's external diff drivers and
text conversions turned off (a repository's configuration must not run commands), and a base that is
not a revision is refused before anything else is asked of git.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from crosscheck.errors import InputError

GIT_TIMEOUT_S = 60.0
_REV = re.compile(r"^(?!-)[\w./@{}~^+-]{1,200}$")
"""What a revision can look like; it may not start with "-", so it is never read as an option."""


@dataclass(frozen=True)
class ChangedFile:
    """One file of a change, by its path after the change (its old path when it was deleted)."""

    path: str
    status: str
    """``added``, ``modified``, ``renamed`` or ``deleted``."""
    added_lines: frozenset[int]
    """Lines of the new file that the change adds or rewrites: where a new finding can be the change's."""
    old_path: str | None = None
    """The path before a rename."""


@dataclass(frozen=True)
class Change:
    """The files a change touches, sorted by path."""

    files: tuple[ChangedFile, ...]
    base: str | None = None
    """The base revision, when the change was read from git."""

    def file(self, path: str) -> ChangedFile | None:
        """The changed file at ``path`` (relative, ``/``-separated), if the change touches it."""
        return next((f for f in self.files if f.path == path), None)

    @property
    def python_files(self) -> tuple[str, ...]:
        """Paths of the Python files the change adds or keeps: the ones to analyze."""
        return tuple(f.path for f in self.files if f.status != "deleted" and f.path.endswith((".py", ".pyi")))


def change_from_diff(text: str, *, where: str = "the diff") -> Change:
    """The change a unified diff describes; ``where`` names the diff in errors."""
    from unidiff.errors import UnidiffParseError
    from unidiff.patch import PatchSet

    try:
        patch = PatchSet(text.splitlines(keepends=True))
    except UnidiffParseError as error:
        raise InputError(f"{where} is not a unified diff: {error}") from None
    if not len(patch) and text.strip():
        raise InputError(f"{where} is not a unified diff: it has no '--- a/...' / '+++ b/...' file headers")
    files = []
    for patched in patch:
        status = ("added" if patched.is_added_file else "deleted" if patched.is_removed_file
                  else "renamed" if patched.is_rename else "modified")
        path = patched.path  # after the change; before it, for a deleted file
        added = frozenset(line.target_line_no for hunk in patched for line in hunk
                          if line.is_added and line.target_line_no is not None)
        old = _strip(patched.source_file) if status == "renamed" else None
        files.append(ChangedFile(path=path, status=status, added_lines=added, old_path=old))
    return Change(files=tuple(sorted(files, key=lambda f: f.path)))


def change_from_git(tree: Path, base: str) -> Change:
    """The change from the merge base of ``base`` and HEAD to HEAD in the git work tree holding ``tree``,
    as a pull request shows it."""
    if not _REV.match(base):
        raise InputError(f"--base {base!r} is not a revision name")
    top = _git(tree, "rev-parse", "--show-toplevel", failing=f"{tree} is not inside a git work tree "
               "(give --diff FILE with the change instead)").strip()
    _git(tree, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{base}^{{commit}}",
         failing=f"--base {base!r} is not a commit of the repository at {top}")
    diff = _git(tree, "-c", "core.quotePath=false", "diff", "--no-color", "--no-ext-diff", "--no-textconv",
                "--no-renames", "-U0", f"{base}...HEAD", "--", failing=f"git diff {base}...HEAD failed in {top}")
    change = change_from_diff(diff, where=f"git diff {base}...HEAD")
    return Change(files=change.files, base=base)


def _git(tree: Path, *args: str, failing: str) -> str:
    """git's output for ``args`` run in ``tree``; ``failing`` is the error when git says no."""
    argv = ["git", "-C", str(tree), *args]
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat", "GIT_EXTERNAL_DIFF": ""}
    try:
        proc = subprocess.run(argv, capture_output=True, timeout=GIT_TIMEOUT_S, stdin=subprocess.DEVNULL,
                              env=env, check=False)
    except FileNotFoundError:
        raise InputError("git is not installed; give --diff FILE with the change instead") from None
    except subprocess.TimeoutExpired:
        raise InputError(f"{failing}: git gave nothing within {GIT_TIMEOUT_S:g} s") from None
    if proc.returncode != 0:
        said = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(failing + (f" ({said[-1]})" if said else ""))
    return proc.stdout.decode("utf-8", "replace")


def _strip(path: str) -> str:
    """A diff's file name without its ``a/`` / ``b/`` prefix."""
    return path[2:] if path.startswith(("a/", "b/")) else path
