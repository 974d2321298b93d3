"""Opening the files crosscheck is given by path, and parsing the structured ones.

Only a regular file is read: a FIFO, a device or a socket is refused before it is opened (and what is
opened is opened without blocking and looked at again), so that no input can make a run wait forever or
read without end. A name that is not UTF-8 is shown escaped (``'\\xff\\xfe.py'``), as bytes are. JSON
and TOML nested too deeply for the parsers are an :class:`~crosscheck.errors.InputError`, as any other
unusable input is.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import tomllib
from typing import Any, BinaryIO

from crosscheck.errors import InputError

_KINDS = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a directory"))


def kind_of(mode: int) -> str:
    """What a file whose ``st_mode`` is ``mode`` is, as an error says it: ``a FIFO``, ``a directory``, ..."""
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def is_utf8(text: str) -> bool:
    """Whether ``text`` (a name from the file system) is valid UTF-8, so that reports can carry it."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def escaped(text: str) -> str:
    """``text`` as a report or an error line can carry it: itself when it is UTF-8, else its bytes as
    Python writes bytes (``\\xff`` for each byte that is not printable ASCII, backslashes doubled)."""
    if is_utf8(text):
        return text
    return repr(os.fsencode(text))[2:-1]


def shown(path: str | os.PathLike[str]) -> str:
    """``path`` quoted for an error line, as ``repr`` quotes it; escaped (see :func:`escaped`) when its
    name is not UTF-8."""
    text = os.fspath(path)
    return repr(text) if is_utf8(text) else repr(os.fsencode(text))[1:]


def open_input(path: str | os.PathLike[str], what: str) -> BinaryIO:
    """The regular file at ``path``, open for reading; ``what`` names it in errors (``review file``).

    Anything else but a folder is an :class:`InputError` saying it is not a regular file (and what it is),
    found without opening it; what is opened is opened without blocking and refused, closed, if it is no
    longer a regular file. A folder raises :class:`IsADirectoryError` and a missing file
    :class:`FileNotFoundError`, which each caller words its own way, as any other :class:`OSError`.
    """
    mode = os.stat(path).st_mode
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), os.fspath(path))
    if not stat.S_ISREG(mode):
        raise InputError(f"{what} {shown(path)} is not a regular file but {kind_of(mode)}; give a file")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags)
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):  # replaced since it was looked at
            raise InputError(f"{what} {shown(path)} is not a regular file but {kind_of(mode)}; give a file")
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def read_input(path: str | os.PathLike[str], what: str, limit: int | None = None) -> bytes:
    """The bytes of the regular file at ``path`` (see :func:`open_input`), at most ``limit`` of them."""
    with open_input(path, what) as handle:
        return handle.read() if limit is None else handle.read(limit)


def parse_toml(text: str, where: str) -> dict[str, Any]:
    """The TOML document ``text``; one nested too deeply to parse is an :class:`InputError` naming
    ``where``. A syntax error is left to the caller (:class:`tomllib.TOMLDecodeError`)."""
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise InputError(f"{where} is nested too deeply to be read as TOML") from None


def parse_json(text: str, where: str) -> Any:
    """The JSON value ``text``; one nested too deeply to parse is an :class:`InputError` naming
    ``where``. A syntax error is left to the caller (:class:`json.JSONDecodeError`)."""
    try:
        return json.loads(text)
    except RecursionError:
        raise InputError(f"{where} is nested too deeply to be read as JSON") from None
