"""Sharing the machine's cores between the analyzers' processes and crosscheck's own work on a pair.

On a small machine (a 2-core CI runner) bandit, semgrep and crosscheck's own reading and grounding
would be three busy processes on two cores, and the fair scheduler would slow semgrep, the one the run
waits for, by a third while they overlap. Counting each running analyzer as a core taken, crosscheck's
own work waits for a free one: on two cores it runs once the shorter analyzer has ended, still long
before the longer one does; with more cores than analyzers it never waits.
"""

from __future__ import annotations

import os
import threading

__all__ = ["Cores", "Taken", "usable_cores"]


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system has one)."""
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity else os.cpu_count() or 1


class Cores:
    """A count of free cores: analyzers :meth:`take` them before they start and give them back as they
    end; :meth:`wait_for_one` blocks until one is free."""

    def __init__(self, count: int | None = None) -> None:
        self._free = usable_cores() if count is None else count
        self._changed = threading.Condition()

    def take(self, count: int) -> Taken:
        """Take ``count`` cores (more than are free, if need be: they are then owed)."""
        with self._changed:
            self._free -= count
        return Taken(self, count)

    def wait_for_one(self) -> None:
        """Return once a core is free."""
        with self._changed:
            self._changed.wait_for(lambda: self._free > 0)

    def _give(self, taken: Taken, count: int) -> None:
        with self._changed:
            count = min(count, taken.held)
            taken.held -= count
            self._free += count
            self._changed.notify_all()


class Taken:
    """Cores taken from :class:`Cores`, given back one by one or all at once (never twice)."""

    def __init__(self, cores: Cores, count: int) -> None:
        self._cores = cores
        self.held = count

    def give_one(self) -> None:
        self._cores._give(self, 1)

    def give_back(self) -> None:
        self._cores._give(self, self.held)
