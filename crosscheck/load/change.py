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
import sys
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

from crosscheck.errors import InputError
from crosscheck.load.code import walked
from crosscheck.load.files import read_input
from crosscheck.models import ChangeScope, CodeTarget

GIT_TIMEOUT_S = 60.0
_REV = re.compile(r"^(?!-)[\w./@{}~^+-]{1,200}$")
"""What a revision can look like; it may not start with "-", so it is never read as an option."""


@dataclass(frozen=True)
class Hunk:
    """The lines a hunk says the new file has (added and context lines), by line number."""

    header: str
    """``@@ -a,b +c,d @@``, to name the hunk in errors."""
    lines: tuple[tuple[int, str], ...]


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
    hunks: tuple[Hunk, ...] = ()
    """The new file's side of each hunk: what the file must hold for the diff to apply to it."""


@dataclass(frozen=True)
class Change:
    """The files a change touches, sorted by path."""

    files: tuple[ChangedFile, ...]
    base: str | None = None
    """The base revision, when the change was read from git."""
    head: str | None = None
    """The full commit id of HEAD, when the change was read from git (comments made on another commit
    are re-anchored)."""

    def file(self, path: str) -> ChangedFile | None:
        """The changed file at ``path`` (relative, ``/``-separated), if the change touches it."""
        return self._by_path.get(path)

    @cached_property
    def _by_path(self) -> dict[str, ChangedFile]:
        return {f.path: f for f in self.files}

    @property
    def python_files(self) -> tuple[str, ...]:
        """Paths of the Python files the change adds or keeps, but for those in folders crosscheck skips
        (see :func:`~crosscheck.load.code.walked`): the ones to analyze."""
        return tuple(f.path for f in self.files if f.status != "deleted" and walked(f.path))

    def covers(self, path: str, first: int, last: int, scope: ChangeScope) -> bool:
        """Whether lines ``first``-``last`` of ``path`` are the change's under ``scope``: on an added or
        rewritten line (``line``), in a changed file (``file``), or anywhere (``tree``)."""
        if scope is ChangeScope.TREE:
            return True
        changed = self.file(path)
        if changed is None or changed.status == "deleted":
            return False
        return scope is ChangeScope.FILE or any(n in changed.added_lines for n in range(first, last + 1))

    def below(self, prefix: str) -> Change:
        """The change as seen from the folder ``prefix`` of the repository (``""``: its top): paths
        relative to it, files outside it left out."""
        if not prefix:
            return self
        lead = prefix.rstrip("/") + "/"
        return Change(files=tuple(replace(f, path=f.path[len(lead):],
                                          old_path=f.old_path[len(lead):] if f.old_path and f.old_path.startswith(lead)
                                          else f.old_path)
                                  for f in self.files if f.path.startswith(lead)), base=self.base, head=self.head)

    def check_applies(self, target: CodeTarget, *, where: str) -> None:
        """Refuse a change whose Python files are not what ``target`` holds: a file the change keeps that
        is not there, or a hunk line that differs (``where`` names the diff in the error)."""
        for changed in self.files:
            read = walked(changed.path) if target.is_dir else changed.path == target.files[0].path
            if changed.status == "deleted" or not read:
                continue  # deleted, or not a file of the code crosscheck reads (not Python, in a folder it skips)
            source = target.file(changed.path)
            if source is None:
                raise InputError(f"{where} does not apply to the code: {changed.path} is not in it")
            for hunk in changed.hunks:
                for number, text in hunk.lines:
                    have = source.lines[number - 1] if number <= source.line_count else None
                    if have is None or have.rstrip() != text.rstrip():
                        found = "the file ends before it" if have is None else f"the file has {have.strip()[:60]!r}"
                        raise InputError(f"{where} does not apply to the code: {changed.path}, hunk {hunk.header}: "
                                         f"line {number} is {text.strip()[:60]!r} in the diff, but {found}")


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
        hunks = tuple(Hunk(f"@@ -{h.source_start},{h.source_length} +{h.target_start},{h.target_length} @@",
                           tuple((line.target_line_no, line.value.rstrip("\r\n")) for line in h
                                 if line.target_line_no is not None and not line.is_removed))
                      for h in patched)
        files.append(ChangedFile(path=path, status=status, added_lines=added, old_path=old, hunks=hunks))
    return Change(files=tuple(sorted(files, key=lambda f: f.path)))


MAX_DIFF_BYTES = 64 * 2**20
"""The largest diff read (64 MiB): far beyond any pull request a person reviews."""


def load_diff(path: str, code: Path) -> Change:
    """The change in the unified diff at ``path`` (``-``: standard input), with paths relative to
    ``code`` when it lies inside a git work tree (a diff names files from the repository's top)."""
    try:
        if path == "-":
            data = sys.stdin.buffer.read(MAX_DIFF_BYTES + 1)
        else:
            data = read_input(path, "the diff", MAX_DIFF_BYTES + 1)
    except OSError as err:
        raise InputError(f"cannot read the diff {path!r}: {err.strerror or err}") from None
    if len(data) > MAX_DIFF_BYTES:
        raise InputError(f"the diff {path!r} is larger than {MAX_DIFF_BYTES // 2**20} MiB")
    change = change_from_diff(data.decode("utf-8", "replace"), where=f"the diff {path!r}")
    return change.below(repo_prefix(code) or "")


def change_from_git(tree: Path, base: str) -> Change:
    """The change from the merge base of ``base`` and HEAD to HEAD in the git work tree holding ``tree``,
    as a pull request shows it, with paths relative to ``tree`` (files outside it left out)."""
    if not _REV.match(base):
        raise InputError(f"--base {base!r} is not a revision name")
    folder = tree if tree.is_dir() else tree.parent
    top = _git(folder, "rev-parse", "--show-toplevel", failing=f"{tree} is not inside a git work tree "
               "(give --diff FILE with the change instead)").strip()
    _git(folder, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{base}^{{commit}}",
         failing=f"--base {base!r} is not a commit of the repository at {top}")
    head = _git(folder, "rev-parse", "--verify", "HEAD^{commit}", failing=f"the repository at {top} has no commit").strip()
    diff = _git(folder, "-c", "core.quotePath=false", "diff", "--no-color", "--no-ext-diff", "--no-textconv",
                "--no-renames", "-U0", f"{base}...HEAD", "--", failing=f"git diff {base}...HEAD failed in {top}")
    change = change_from_diff(diff, where=f"git diff {base}...HEAD")
    return Change(files=change.files, base=base, head=head).below(repo_prefix(tree) or "")


def repo_prefix(tree: Path) -> str | None:
    """Where ``tree`` (a folder, or a file's folder) lies in its git work tree, as ``a/b/`` (``""`` at the
    top); None when it is in none or git is not installed."""
    folder = tree if tree.is_dir() else tree.parent
    try:
        return _git(folder, "rev-parse", "--show-prefix", failing="not in a work tree").strip()
    except InputError:
        return None


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
