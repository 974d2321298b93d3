"""Reading the two halves of a pair from disk: the code and the review text."""

from __future__ import annotations

import codecs
import errno
import hashlib
import os
import stat
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from crosscheck.errors import InputError
from crosscheck.load.comments import CommentExport, export_in, merge_exports
from crosscheck.load.files import escaped, is_utf8, kind_of, read_input, shown
from crosscheck.models import CodeTarget, SourceFile

PYTHON_SUFFIXES = (".py", ".pyw", ".pyi")
SKIPPED_DIRS = frozenset(
    {".git", ".hg", ".svn", ".tox", ".nox", ".venv", "venv", "__pycache__", "node_modules",
     ".mypy_cache", ".pytest_cache", ".ruff_cache", "build", "dist", ".eggs"}
)
MAX_REVIEW_BYTES = 2**20
"""The longest review read (1 MiB, a few hundred pages); reading a 10 MB review would take about a minute."""
MAX_EXPORT_BYTES = 16 * 2**20
"""The largest pull-request comment export read (16 MiB): its diff hunks and JSON make it larger than the
prose it holds; each comment's body is still a review of its own."""


@dataclass(frozen=True)
class ReviewText:
    """The review as read: decoded text plus where it came from."""

    path: str
    """The path given, or ``-`` for standard input."""
    sha256: str
    """Digest of the raw bytes."""
    text: str
    encoding: str
    """The encoding the bytes were decoded with."""
    comments: CommentExport | None = None
    """The pull request's comments, when the review is a platform's JSON export of them (recognised by
    content; see :mod:`crosscheck.load.comments`)."""
    file: str = ""
    """The file the bytes were read from, as it was opened; "" for standard input, text given directly and
    several exports merged. Reports show :attr:`path` (which a batch makes relative to its manifest) and do not
    carry this; formats that point a CI system at the file use it (:meth:`Report.review_file_path`)."""


def sha256_bytes(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def load_code(path: str | os.PathLike[str], *, follow_links: bool = False) -> CodeTarget:
    """Read a Python file, or every Python file below a directory, into a target.

    Directories are walked in sorted order without following symbolic links to
    directories (so link loops cannot trap the walk); version-control, cache and
    virtual-environment folders are skipped. Only regular files are read, and none is
    opened before it is known to be one. A file below the directory that is left out is
    named, with why, in :attr:`CodeTarget.skipped`, which the report lists: one that is
    not a regular file (a FIFO, a device), whose name is not UTF-8, that is a symbolic
    link leading out of the directory (unless ``follow_links``), or that cannot be read
    (a link loop, a dangling link, no permission).
    """
    given = os.fspath(path)
    root = Path(path)
    if not root.exists():
        if root.is_symlink():
            raise InputError(f"code path {shown(given)} is a dangling symbolic link or a link loop; "
                             "give a Python file or a directory")
        raise InputError(f"code path {shown(given)} does not exist; give a Python file or a directory")
    root = root.resolve()
    for name in (given, str(root)):
        if not is_utf8(name):
            raise InputError(f"code path {shown(name)}: its name is not UTF-8, which reports cannot carry; rename it")
    if root.is_file():
        try:
            return CodeTarget(root=str(root), is_dir=False, files=(_read_source(str(root), root.name),))
        except OSError as err:
            raise InputError(f"cannot read code file {shown(given)}: {err.strerror}") from None
    if not root.is_dir():
        raise InputError(f"code path {shown(given)} is not a regular file but {_kind(root)}, and not a directory; "
                         "give a Python file or a directory")
    files: list[SourceFile] = []
    skipped: list[str] = []
    for entry, relative in _python_entries(str(root), skipped):
        why = _left_out(entry.path, root, follow_links, entry)
        if why is not None:
            skipped.append(f"{relative}: {why}")
            continue
        try:
            files.append(_read_source(entry.path, relative))
        except OSError as err:
            skipped.append(f"{relative}: not read: {err.strerror or err}")
    if not files:
        why = f"; {len(skipped)} left out ({skipped[0]})" if skipped else ""
        raise InputError(f"no Python files found under {shown(given)}{why}")
    return CodeTarget(root=str(root), is_dir=True, files=tuple(sorted(files, key=lambda f: f.path)),
                      skipped=tuple(skipped))


def _kind(path: Path) -> str:
    """What ``path`` is (``a FIFO``, ``a socket``, ...), as an error says it."""
    try:
        return kind_of(path.stat().st_mode)
    except OSError:
        return "gone"


def _left_out(path: str, root: Path, follow_links: bool, entry: os.DirEntry[str] | None = None) -> str | None:
    """Why the walk leaves out the Python file at ``path`` below ``root`` (None: it is read), found without
    opening it: not a regular file, a symbolic link leading out of ``root`` (unless ``follow_links``), or
    nothing there. A directory ``entry`` that says it is a regular file spares a stat."""
    if entry is not None and entry.is_file(follow_symlinks=False):
        return None
    link = os.path.islink(path)
    try:
        mode = os.stat(path).st_mode
    except OSError as err:
        if link and err.errno in (errno.ENOENT, errno.ELOOP):
            return "not read: a dangling symbolic link or a link loop"
        return f"not read: {err.strerror or err}"
    target = os.path.realpath(path) if link else None
    if not stat.S_ISREG(mode):
        via = f" (a symbolic link to {escaped(target)})" if target is not None else ""
        return f"left out: not a regular file but {kind_of(mode)}{via}"
    if target is not None and not follow_links and not Path(target).is_relative_to(root):
        return f"a symbolic link leaving the code folder (to {escaped(target)}); left out (--follow-links takes it in)"
    return None


def _python_entries(root: str, skipped: list[str]) -> Iterator[tuple[os.DirEntry[str], str]]:
    """Each Python file's directory entry below ``root`` with its ``/``-separated path relative to it, in
    sorted order, as :func:`load_code` describes the walk. A folder that cannot be listed, and a Python file
    or folder whose name is not UTF-8, are passed over and named in ``skipped``. Directory entries are used
    as they are, which saves a stat per file."""
    pending = [("", root)]
    while pending:
        prefix, folder = pending.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as err:
            skipped.append(f"{prefix or './'}: not read: {err.strerror or err}")
            continue
        folders = []
        for entry in entries:
            if _is_dir(entry):
                if entry.is_symlink() or _skipped_folder(entry.name):
                    continue
                if is_utf8(entry.name):
                    folders.append((f"{prefix}{entry.name}/", entry.path))
                else:
                    skipped.append(f"{escaped(prefix + entry.name)}/: {NOT_UTF8}")
            elif entry.name.endswith(PYTHON_SUFFIXES):
                if is_utf8(entry.name):
                    yield entry, prefix + entry.name
                else:
                    skipped.append(f"{escaped(prefix + entry.name)}: {NOT_UTF8}")
        pending.extend(reversed(folders))


NOT_UTF8 = "left out: its name is not UTF-8, which reports cannot carry"


def _is_dir(entry: os.DirEntry[str]) -> bool:
    """Whether ``entry`` is a folder or a link to one; False for a link loop, or what cannot be looked at."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def walked(relative: str) -> bool:
    """Whether :func:`load_code` reads the file at ``relative`` (``/``-separated) below a folder: a Python
    file outside version-control, cache, virtual-environment and hidden folders."""
    parts = PurePosixPath(relative).parts
    return (relative.endswith(PYTHON_SUFFIXES) and ".." not in parts
            and not any(_skipped_folder(p) for p in parts[:-1]))


def _skipped_folder(name: str) -> bool:
    """Whether :func:`load_code` leaves out a folder called ``name``: version control, caches, virtual
    environments, builds, and hidden folders."""
    return name in SKIPPED_DIRS or name.startswith(".")


def load_part(path: str | os.PathLike[str], relative: Sequence[str], *, follow_links: bool = False) -> CodeTarget:
    """The files at the ``relative`` paths of the code at ``path`` that :func:`load_code` would read: the
    files a change touches, read before the rest so that their analysis can start (a file that is not
    there, or that the walk leaves out, is not part of it)."""
    root = Path(path).resolve()
    if root.is_file():
        whole = load_code(root, follow_links=follow_links)
        return CodeTarget(root=whole.root, is_dir=False, files=tuple(f for f in whole.files if f.path in relative))
    files = []
    for name in sorted(set(relative)):
        if not walked(name):
            continue
        full = root / name
        if _left_out(str(full), root, follow_links) is None:
            try:
                files.append(_read_source(str(full), name))
            except OSError:
                continue  # left for load_code to name
    return CodeTarget(root=str(root), is_dir=True, files=tuple(files))


def _read_source(path: str, relative: str) -> SourceFile:
    data = Path(path).read_bytes()
    return SourceFile(
        path=relative,
        abspath=path,
        sha256=sha256_bytes(data),
        text=data.decode("utf-8", errors="replace"),
    )


def load_review(path: str) -> ReviewText:
    """Read the review from a file, or from standard input when ``path`` is ``-``.

    A review longer than :data:`MAX_REVIEW_BYTES` is refused rather than read for minutes (a comment
    export: longer than :data:`MAX_EXPORT_BYTES`), and so is a file that is not a regular one (a FIFO, a
    device: see :func:`~crosscheck.load.files.open_input`) or whose name is not UTF-8.
    """
    if path == "-":
        data = sys.stdin.buffer.read(MAX_EXPORT_BYTES + 1)
    elif not is_utf8(path):
        raise InputError(f"review file {shown(path)}: its name is not UTF-8, which reports cannot carry; rename it")
    else:
        try:
            data = read_input(path, "review file", MAX_EXPORT_BYTES + 1)
        except FileNotFoundError:
            raise InputError(f"review file {path!r} does not exist") from None
        except IsADirectoryError:
            raise InputError(f"review path {path!r} is a directory; give a text or Markdown file") from None
        except OSError as err:
            raise InputError(f"cannot read review file {path!r}: {err.strerror}") from None
    if len(data) > MAX_EXPORT_BYTES:
        raise InputError(f"review {path!r} is larger than {MAX_EXPORT_BYTES // 2**20} MiB, even for an export of "
                         "a pull request's comments: split it")
    text, encoding = decode_review(data)
    comments = export_in(text, where=f"review {path!r}")
    if len(data) > MAX_REVIEW_BYTES and comments is None:
        raise InputError(f"review {path!r} is larger than {MAX_REVIEW_BYTES // 2**20} MiB; a review that long is not "
                         "an LLM's review of one piece of code: split it, or give the part about this code")
    return ReviewText(path=path, sha256=sha256_bytes(data), text=text, encoding=encoding, comments=comments,
                      file="" if path == "-" else path)


def may_be_export(path: str) -> bool:
    """Whether the review file at ``path`` can be a comment export, from its first bytes alone: after a BOM
    and white space it starts a JSON array or object (:func:`load_review` then says whether it is one)."""
    try:
        text, _ = decode_review(read_input(path, "review file", 256))
    except (OSError, InputError):
        return False
    return text.lstrip()[:1] in ("[", "{")


def load_reviews(paths: Sequence[str]) -> ReviewText:
    """One review from ``paths``: one review file, or several comment exports of one pull request (the
    pull request's review comments, reviews and conversation, say), merged."""
    reviews = [load_review(path) for path in paths]
    if len(reviews) == 1:
        return reviews[0]
    plain = next((r.path for r in reviews if r.comments is None), None)
    if plain is not None:
        raise InputError(f"several reviews of one change must be JSON exports of its comments; {plain!r} is not "
                         "(check a plain review on its own)")
    exports = [r.comments for r in reviews if r.comments is not None]
    return ReviewText(path=" + ".join(paths), sha256=sha256_bytes("".join(r.sha256 for r in reviews).encode()),
                      text="\n".join(r.text for r in reviews), encoding=reviews[0].encoding,
                      comments=merge_exports(exports))


def decode_review(data: bytes) -> tuple[str, str]:
    """Decode review bytes: a BOM decides, then UTF-8, then Windows-1252.

    Bytes that still look binary (NUL bytes without a UTF-16 BOM) are refused,
    because a report built from them would be meaningless.
    """
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace"), encoding
    if b"\x00" in data:
        raise InputError("the review contains NUL bytes and looks binary; give a text or Markdown file")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"
