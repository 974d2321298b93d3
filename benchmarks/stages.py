"""Run the crosscheck command line and write where its own CPU time went, for ``benchmarks/run.py``.

Usage: ``python benchmarks/stages.py STATS.json [crosscheck arguments]...``

The command runs in this process, as ``crosscheck`` would, with a timer around each stage's function
(the CPU time of the thread that calls it, ``time.thread_time``; a stage called inside another is
counted in both). At exit STATS.json gets:

- ``self_cpu_s``: this process's CPU time (user + system): crosscheck's own work, start-up included;
- ``children_cpu_s``: its children's (the analyzers, and git): they are waited for, so all of it;
- ``startup_cpu_s``: CPU time spent before the command started (Python, imports);
- ``stages``: CPU seconds and calls of each stage.

Nothing here changes what the command does or writes.
"""

from __future__ import annotations

import atexit
import functools
import importlib
import json
import resource
import sys
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


def main() -> None:
    stats_path = Path(sys.argv[1])
    sys.argv = ["crosscheck", *sys.argv[2:]]
    startup = _cpu(resource.getrusage(resource.RUSAGE_SELF))
    from crosscheck.cli import main as crosscheck_main

    totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
    for name, (module, attribute) in STAGES.items():
        loaded = importlib.import_module(module)
        setattr(loaded, attribute, _timed(name, getattr(loaded, attribute), totals))

    def report() -> None:
        stats = {"self_cpu_s": round(_cpu(resource.getrusage(resource.RUSAGE_SELF)), 3),
                 "children_cpu_s": round(_cpu(resource.getrusage(resource.RUSAGE_CHILDREN)), 3),
                 "startup_cpu_s": round(startup, 3),
                 "stages": {name: {"cpu_s": round(cpu, 3), "calls": calls}
                            for name, (cpu, calls) in sorted(totals.items())}}
        stats_path.write_text(json.dumps(stats, indent=2) + "\n", encoding="utf-8")

    atexit.register(report)
    crosscheck_main()


if __name__ == "__main__":
    main()
