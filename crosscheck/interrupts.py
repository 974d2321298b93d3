"""Ctrl-C and SIGTERM: both end a run the same way, with its child processes and temporary folders gone.

The command line calls :func:`install`. Then SIGINT and SIGTERM each kill every analyzer process
running (:func:`stop`: each runs in a process group of its own, so the processes it started go too)
and raise ``KeyboardInterrupt`` in the main thread, whose handling keeps the finished pairs and
removes the temporary folders on the way out. The exit code is 128 plus the signal's number
(:func:`exit_code`): 130 after Ctrl-C, 143 after SIGTERM.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
from collections.abc import Iterator, Sequence
from types import FrameType
from typing import Any

_lock = threading.RLock()  # re-entrant: the handler runs in the main thread, which may hold it already
_children: set[subprocess.Popen[bytes]] = set()
_stopping = False
_received = signal.SIGINT


@contextlib.contextmanager
def child(argv: Sequence[str], **popen: Any) -> Iterator[subprocess.Popen[bytes]]:
    """Start ``argv`` (no shell) as the leader of a new process group, and kill that group on the way out.

    Raises ``KeyboardInterrupt`` instead of starting it once :func:`stop` was called, and when it
    was stopped while running: whatever it printed then is not its result.
    """
    with _lock:
        if _stopping:
            raise KeyboardInterrupt
        proc = subprocess.Popen(list(argv), start_new_session=True, **popen)  # noqa: S603 - argv list, no shell
        _children.add(proc)
    try:
        yield proc
    finally:
        kill(proc)
        with _lock:
            _children.discard(proc)
    if _stopping:
        raise KeyboardInterrupt


def kill(proc: subprocess.Popen[bytes]) -> None:
    """Kill ``proc``'s process group (what it started too, unless that left the group) and reap ``proc``,
    unless it was reaped already (its id may then be another process's)."""
    if proc.returncode is None:
        _kill_group(proc)
        proc.wait()
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(OSError):  # the group is gone already
        os.killpg(proc.pid, signal.SIGKILL)


def stop() -> None:
    """Kill every child process started through :func:`child`, and start no new one."""
    global _stopping
    with _lock:
        _stopping = True
        for proc in _children:
            if proc.returncode is None:
                _kill_group(proc)


def stopping() -> bool:
    """Whether :func:`stop` was called: the run is ending."""
    return _stopping


def _handle(signum: int, frame: FrameType | None) -> None:
    global _received
    _received = signal.Signals(signum)
    stop()
    raise KeyboardInterrupt


def install() -> None:
    """Make SIGINT and SIGTERM stop the run (see the module); call it from the main thread."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _handle)


def exit_code() -> int:
    """The conventional exit code after the signal that stopped the run: 130 (SIGINT), 143 (SIGTERM)."""
    return 128 + int(_received)
