"""Writing a file so that readers see the old content or the new, never half of it; a file that already
holds exactly that content is left alone."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``data`` (text as UTF-8 with ``\\n`` line ends) to ``path`` through a temporary file in the
    same folder and a rename; the folder is created if needed, and nothing is left behind on failure.

    A regular file that holds exactly ``data`` already is not written again (a batch run again into its
    folder rewrites only the reports that changed: replacing a file costs the file system more than
    reading it)."""
    encoded = data.encode("utf-8") if isinstance(data, str) else data
    if _holds(path, encoded):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(encoded)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
