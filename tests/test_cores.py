"""Tests for the sharing of cores between the analyzers and crosscheck's own work on a pair."""

from __future__ import annotations

import os
import threading
import time

from crosscheck.run.cores import Cores, usable_cores


def _waiter(cores: Cores) -> tuple[threading.Thread, threading.Event]:
    free = threading.Event()

    def wait() -> None:
        cores.wait_for_one()
        free.set()

    thread = threading.Thread(target=wait, daemon=True)
    thread.start()
    return thread, free


def test_with_more_cores_than_analyzers_nothing_waits() -> None:
    cores = Cores(4)
    cores.take(2)
    thread, free = _waiter(cores)
    assert free.wait(5)
    thread.join(5)


def test_own_work_waits_until_an_analyzer_gives_its_core_back() -> None:
    cores = Cores(2)
    taken = cores.take(2)
    thread, free = _waiter(cores)
    time.sleep(0.2)
    assert not free.is_set()
    taken.give_one()
    assert free.wait(5)
    thread.join(5)


def test_a_run_that_ends_early_gives_back_what_it_still_holds_once() -> None:
    cores = Cores(1)
    taken = cores.take(3)  # one core, three analyzers: two are owed
    taken.give_one()
    thread, free = _waiter(cores)
    time.sleep(0.2)
    assert not free.is_set()
    taken.give_back()  # the run failed before the other two started
    assert free.wait(5)
    taken.give_back()
    taken.give_one()
    assert taken.held == 0
    assert cores._free == 1  # nothing was given twice
    thread.join(5)


def test_usable_cores_are_the_affinity_where_there_is_one() -> None:
    expected = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert usable_cores() == expected >= 1
