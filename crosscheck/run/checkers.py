"""Where a batch's pairs are checked once their files are analyzed: in this process, or in worker processes.

Reading, grounding, reconciling and writing a pair takes crosscheck 15–25 ms of one core. With one
review a file that fits beside bandit's runs, but a dataset with several reviews of each file (models ×
prompts × runs) has more of that work than bandit has, and one process would go on alone on one core
long after the analyzers are done. :class:`Checkers` spreads it over worker processes instead; below
:data:`POOL_FROM` pairs the workers' start-up (about 0.3 s of CPU each) is not worth it and the pairs are
checked in this process, as they always are with one core.

Workers ignore Ctrl-C: the batch stops handing out work, lets each worker finish the group it is on
(its reports are written by then) and keeps those outcomes. Their outcomes are handed back in the order
they finish; the caller puts them in order.
"""

from __future__ import annotations

import multiprocessing
import queue
import signal
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from types import TracebackType
from typing import Any, Generic, TypeVar

from crosscheck import interrupts

__all__ = ["POOL_FROM", "Checkers", "Watched"]

POOL_FROM = 200
"""The fewest pairs to check for which worker processes are started (at 15–25 ms a pair, a worker's start-up
is the work of 15–20 pairs)."""

Task = TypeVar("Task")
Outcome = TypeVar("Outcome")
CheckGroup = Callable[[list[Task], bool], list[Outcome]]
"""``check(tasks, in_worker)``: the outcomes of a group of tasks; ``in_worker`` says whether it runs in
a worker process (where it should return only what the batch needs of each outcome)."""


class Watched(Generic[Outcome]):
    """Groups of tasks running as futures (of a process pool, of a Dask cluster): their outcomes, handed
    back as each group finishes."""

    def __init__(self) -> None:
        self._pending: dict[Any, list[Any]] = {}
        self._finished: queue.SimpleQueue[Any] = queue.SimpleQueue()

    def watch(self, future: Any, tasks: list[Any]) -> None:
        """Hand back ``future``'s outcomes (the group ``tasks``) once it finishes."""
        self._pending[future] = tasks
        future.add_done_callback(self._finished.put)

    def collect(self, future: Any, tasks: list[Any]) -> list[Outcome]:
        """A finished group's outcomes: none when it was cancelled, else its result (or its error, raised)."""
        return [] if future.cancelled() else list(future.result())

    def done(self) -> list[Outcome]:
        """The outcomes finished since the last call, without waiting."""
        outcomes: list[Outcome] = []
        while True:
            try:
                future = self._finished.get_nowait()
            except queue.Empty:
                return outcomes
            outcomes += self._take(future)

    def rest(self) -> list[Outcome]:
        """Every outcome not handed on yet, once all the groups watched are finished."""
        outcomes = self.done()
        while self._pending:
            outcomes += self._take(self._finished.get())
        return outcomes

    def _take(self, future: Any) -> list[Outcome]:
        tasks = self._pending.pop(future, None)
        return [] if tasks is None else self.collect(future, tasks)


class Checkers(Watched[Outcome], Generic[Task, Outcome]):
    """Checks groups of tasks with ``check``: at once when ``processes`` is 1, else in that many worker
    processes. Use it as a context manager: leaving it stops the workers (after the groups they are on)."""

    def __init__(self, check: CheckGroup[Task, Outcome], processes: int) -> None:
        super().__init__()
        self._check = check
        self._processes = processes
        self._pool: ProcessPoolExecutor | None = None
        self._here: list[Outcome] = []

    def __enter__(self) -> Checkers[Task, Outcome]:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def submit(self, tasks: list[Task]) -> None:
        """Check ``tasks`` (a group that shares its code), here or in a worker."""
        if self._processes <= 1:
            for task in tasks:  # one by one: on Ctrl-C, those finished are kept
                self._here.extend(self._check([task], False))
            return
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self._processes, mp_context=_context(), initializer=_ignore_interrupts)
        self.watch(self._pool.submit(self._check, tasks, True), tasks)

    def done(self) -> list[Outcome]:
        """The outcomes finished since the last call, without waiting (a worker's error is raised here)."""
        outcomes, self._here = self._here, []
        return outcomes + super().done()

    def collect(self, future: Any, tasks: list[Any]) -> list[Outcome]:
        """As :meth:`Watched.collect`; none from the workers a SIGTERM to the whole process group ended."""
        if interrupts.stopping() and not future.cancelled() and isinstance(future.exception(), BrokenProcessPool):
            return []
        return super().collect(future, tasks)


def _context() -> multiprocessing.context.BaseContext:
    """Workers start from a fresh interpreter, never as a fork of this process (whose analysis thread
    may hold a lock); through a fork server that has crosscheck's batch modules imported once."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["crosscheck.run.batch"])
    return context


def _ignore_interrupts() -> None:
    """A worker's Ctrl-C is the batch's to handle: the worker finishes its group."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
