"""Run the crosscheck command line and write where its own CPU time went, for ``benchmarks/run.py``.

Usage: ``python benchmarks/stages.py STATS.json [crosscheck arguments]...``

The command runs in this process, as ``crosscheck`` would, with a timer around each stage's function
(the CPU time of the thread that calls it, ``time.thread_time``; a stage called inside another is
counted in both). At exit STATS.json gets:

- ``self_cpu_s``: this process's CPU time (user + system): crosscheck's own work, start-up included;
- ``children_cpu_s``: its children's (the analyzers, and git): they are waited for, so all of it (the
  workers below are the children of multiprocessing's fork server, not counted here);
- ``startup_cpu_s``: CPU time spent before the command started (Python, imports);
- ``workers_cpu_s``: the CPU time of the worker processes that checked pairs (a batch of many pairs
  checks them in worker processes beside this one, see ``crosscheck.run.checkers``): crosscheck's own
  work too;
- ``stages``: CPU seconds and calls of each stage, in this process and in the workers.

The workers are timed by :class:`_TimedGroup`, which stands in for the function the batch sends them:
in a worker it installs the same stage timers and, after each group of pairs, leaves the worker's CPU
time and stage totals in a file beside STATS.json, which the report adds up.

Nothing here changes what the command does or writes.
"""

from __future__ import annotations

import atexit
import functools
import importlib
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

STAGES = {
    "load pairs": ("crosscheck.run.batch", "_load"),
    "read reviews": ("crosscheck.review", "read_review"),
    "read comments": ("crosscheck.review.comments", "read_comments"),
    "ground (with index)": ("crosscheck.grounding.ground", "ground"),
    "index": ("crosscheck.grounding.ground", "build_index"),
    "reconcile": ("crosscheck.run.pipeline", "conclude"),
    "render": ("crosscheck.run.batch", "render"),
    "write reports": ("crosscheck.run.batch", "write_rendered"),
    "write summary": ("crosscheck.run.outputs", "write_batch_summary"),
}
"""Stage name: (module, function) as the caller looks it up at call time."""


def _cpu(usage: resource.struct_rusage) -> float:
    return usage.ru_utime + usage.ru_stime


def _timed(name: str, func: Callable[..., Any], totals: dict[str, list[float]]) -> Callable[..., Any]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = f"render {args[1]}" if name == "render" and len(args) > 1 else name
        started = time.thread_time()
        try:
            return func(*args, **kwargs)
        finally:
            totals[key][0] += time.thread_time() - started
            totals[key][1] += 1
    return wrapper


def _install(totals: dict[str, list[float]]) -> None:
    """Put the stage timers around the stages' functions of this process."""
    for name, (module, attribute) in STAGES.items():
        loaded = importlib.import_module(module)
        setattr(loaded, attribute, _timed(name, getattr(loaded, attribute), totals))


class _TimedGroup:
    """Stands in for ``crosscheck.run.batch._check_group``; sent to the workers (by reference to this
    module, which they import as their main module), where it times the stages (see the module)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def __call__(self, tasks: list[Any], in_worker: bool, **kwargs: Any) -> Any:
        batch = importlib.import_module("crosscheck.run.batch")
        if not in_worker:
            return _ORIGINAL_GROUP[0](tasks, in_worker, **kwargs)
        if not _WORKER_TOTALS:
            _install(_WORKER_TOTALS)
        try:
            return batch._check_group(tasks, in_worker, **kwargs)  # the worker's own, not replaced there
        finally:
            cpu = _cpu(resource.getrusage(resource.RUSAGE_SELF))
            (self.folder / f"{os.getpid()}.json").write_text(
                json.dumps({"cpu_s": cpu, "stages": dict(_WORKER_TOTALS)}), encoding="utf-8")


_WORKER_TOTALS: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
_ORIGINAL_GROUP: list[Callable[..., Any]] = []


def main() -> None:
    stats_path = Path(sys.argv[1])
    sys.argv = ["crosscheck", *sys.argv[2:]]
    startup = _cpu(resource.getrusage(resource.RUSAGE_SELF))
    from crosscheck.cli import main as crosscheck_main

    totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
    _install(totals)
    workers = Path(tempfile.mkdtemp(prefix="stages-workers-"))
    batch = importlib.import_module("crosscheck.run.batch")
    _ORIGINAL_GROUP.append(batch._check_group)
    batch._check_group = _TimedGroup(workers)

    def report() -> None:
        worker_cpu = 0.0
        for path in workers.glob("*.json"):
            data = json.loads(path.read_text(encoding="utf-8"))
            worker_cpu += data["cpu_s"]
            for name, (cpu, calls) in data["stages"].items():
                totals[name][0] += cpu
                totals[name][1] += calls
        shutil.rmtree(workers, ignore_errors=True)
        stats = {"self_cpu_s": round(_cpu(resource.getrusage(resource.RUSAGE_SELF)), 3),
                 "workers_cpu_s": round(worker_cpu, 3),
                 "children_cpu_s": round(_cpu(resource.getrusage(resource.RUSAGE_CHILDREN)), 3),
                 "startup_cpu_s": round(startup, 3),
                 "stages": {name: {"cpu_s": round(cpu, 3), "calls": calls}
                            for name, (cpu, calls) in sorted(totals.items())}}
        stats_path.write_text(json.dumps(stats, indent=2) + "\n", encoding="utf-8")

    atexit.register(report)
    crosscheck_main()


if __name__ == "__main__":
    main()
