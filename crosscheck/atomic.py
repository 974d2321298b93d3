"""Writing a file so that readers see the old content or the new, never half of it; a file that already
holds exactly that content is left alone.

Only a regular file or a missing path is replaced (through a temporary file and a rename), as is a link
to one: the link itself. A device, a pipe, a socket, or a link to a standard stream (``/dev/stdout``,
``/proc/self/fd/1``) is written to by opening it, never replaced. :func:`write_output` is the same for a
file the user named: what keeps it from being written is one :class:`~crosscheck.errors.OutputError`.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
import time
from pathlib import Path

from crosscheck.errors import OutputError

READER_WAIT_S = 2.0
"""How long a write to a pipe waits for a process to open it for reading (then: an error, never a hang)."""
TEMPORARY_PREFIX_BYTES = 100
"""How much of the file name the temporary file's name repeats (a name of 255 bytes is still written)."""
SYSTEM_FOLDERS = ("dev", "proc")
"""A link into these names a stream or descriptor (``/dev/stdout``, ``/proc/self/fd/1``): written through."""


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``data`` (text as UTF-8 with ``\\n`` line ends) to ``path`` through a temporary file in the
    same folder and a rename; the folder is created if needed, and nothing is left behind on failure.
    A path that is not a regular file (see the module) is written to by opening it instead; a directory
    raises :class:`IsADirectoryError`.

    A regular file that holds exactly ``data`` already is not written again (a batch run again into its
    folder rewrites only the reports that changed: replacing a file costs the file system more than
    reading it)."""
    encoded = data.encode("utf-8") if isinstance(data, str) else data
    if _written_through(path):
        _write_through(path, encoded)
        return
    if _holds(path, encoded):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    prefix = path.name.encode("utf-8", "surrogateescape")[:TEMPORARY_PREFIX_BYTES].decode("utf-8", "ignore")
    fd, tmp = tempfile.mkstemp(prefix=f".{prefix}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(encoded)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_output(path: Path, data: str | bytes) -> None:
    """:func:`write_atomic` for a file the user asked for: an :class:`OSError` becomes an
    :class:`~crosscheck.errors.OutputError` saying in one line what could not be written, and why."""
    try:
        write_atomic(path, data)
    except OSError as err:
        raise OutputError(f"cannot write {str(path)!r}: {_why(err, path)}") from None


def check_output_file(path: Path) -> None:
    """Raise :class:`~crosscheck.errors.OutputError` now, before any work, when ``path`` cannot be a file
    to write: it is a directory, a folder it would go in is a file, or its folder cannot be written."""
    try:
        if _written_through(path):
            return  # a device or a pipe: its folder is not written
    except IsADirectoryError:
        raise OutputError(f"cannot write {str(path)!r}: it is a directory; name a file") from None
    problem = _folder_problem(path.parent)
    if problem is not None:
        raise OutputError(f"cannot write {str(path)!r}: {problem}")


def check_output_folder(folder: Path) -> None:
    """Raise :class:`~crosscheck.errors.OutputError` now, before any work, when ``folder`` cannot be made
    or written in: a file is in the way, or the nearest folder there is cannot be written."""
    problem = _folder_problem(folder)
    if problem is not None:
        raise OutputError(f"cannot write into {str(folder)!r}: {problem}")


def _folder_problem(folder: Path) -> str | None:
    """Why files cannot be written in ``folder`` (made if need be), or None."""
    place = next((p for p in (folder, *folder.parents) if os.path.exists(p)), Path("."))
    if not os.path.isdir(place):
        return f"{str(place)!r} is a file, not a folder"
    if not os.access(place, os.W_OK | os.X_OK):
        why = "the file system is read-only" if _read_only(place) else "permission denied"
        return f"{str(place)!r} cannot be written ({why})"
    return None


def _why(err: OSError, path: Path) -> str:
    """What kept ``path`` from being written, in words that say what to do."""
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full (no space left on device)" if err.errno == errno.ENOSPC else "disk quota exceeded"
    if err.errno == errno.EISDIR:
        return "it is a directory; name a file"
    if err.errno == errno.ENOTDIR:
        blocker = next((p for p in reversed(path.parents) if os.path.exists(p) and not os.path.isdir(p)), None)
        if blocker is not None:
            return f"{str(blocker)!r} is a file, not a folder"
    if err.errno == errno.EROFS:
        return "the file system is read-only"
    return err.strerror or type(err).__name__


def _read_only(place: Path) -> bool:
    try:
        return bool(os.statvfs(place).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def _written_through(path: Path) -> bool:
    """Whether ``path`` is written to by opening it: a device, a pipe or a socket, or a link into /dev or
    /proc; not a regular file, a missing path or a link to either (replaced). A directory raises."""
    if _into_system(path):
        return True
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False  # missing, a dangling link, or an error the rename will meet and report
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    return not stat.S_ISREG(mode)


def _into_system(path: Path) -> bool:
    """Whether ``path`` is a link that is, or leads through, a link in /dev or /proc (``/dev/stdout`` and
    ``/proc/self/fd/1`` give whatever the standard output is, a regular file among others)."""
    current = Path(os.path.abspath(path))
    for _ in range(40):  # the kernel's limit on links followed
        if not os.path.islink(current):
            return False
        if current.parts[1:2] and current.parts[1] in SYSTEM_FOLDERS:
            return True
        current = Path(os.path.abspath(current.parent / os.readlink(current)))
    return False


def _write_through(path: Path, data: bytes) -> None:
    """Open ``path`` for writing (appending: a standard output redirected to a file keeps what is before)
    and write ``data``; a pipe no process reads within :data:`READER_WAIT_S` is an error, not a hang."""
    deadline = time.monotonic() + READER_WAIT_S
    while True:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_NONBLOCK | os.O_NOCTTY)
            break
        except OSError as err:
            if err.errno != errno.ENXIO or not _is_pipe(path):
                raise
            if time.monotonic() > deadline:
                raise OSError(errno.ENXIO, "it is a pipe that no process reads", str(path)) from None
            time.sleep(0.05)
    try:
        os.set_blocking(fd, True)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def _is_pipe(path: Path) -> bool:
    try:
        return stat.S_ISFIFO(os.stat(path).st_mode)
    except OSError:
        return False


def _holds(path: Path, data: bytes) -> bool:
    """Whether ``path`` itself (not a link, device or pipe) is a regular file whose content is ``data``."""
    try:
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size != len(data):
            return False
        with open(path, "rb") as handle:
            return handle.read(len(data) + 1) == data
    except OSError:
        return False
