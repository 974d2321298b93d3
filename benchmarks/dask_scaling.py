"""crosscheck batch on a Dask cluster of 1 and 2 workers against the local pool, on the same 300 pairs.

Run with ``tox -e bench-dask`` (or ``python benchmarks/dask_scaling.py``, with ``crosscheck-review[dask]``
installed). The corpus is the first 300 files of ``nova/tests/functional`` of the nova 34.0.0 wheel
(downloaded and verified as ``benchmarks/run.py`` does), one generated review each. Each run is cold
(an empty cache) and writes every default format. The clusters are ``LocalCluster``s of one-thread
workers, started (crosscheck imported in each worker) before the clock starts, as a cluster is already
running when a batch is sent to it, and stopped after their batch: one cluster at a time, as in use (an
idle cluster's processes take a few percent of a core, which a batch on both cores would pay);
the local pool is ``crosscheck batch`` as it runs by default. One worker runs the batch twice: as the
executor splits it (300 files are two analysis tasks of at most ``CHUNK_FILES`` files on average, each
paying the analyzers' start-up), and in one task (like for like with two workers, one task each). Each time is the median of ``--runs``
runs, the set-ups alternating within a run; a speed-up is the median of each run's own 1-worker /
2-worker ratio. Results go to ``benchmarks/results-dask.json``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import build_corpus, fetch_nova  # noqa: E402  (this folder's benchmark helpers)

SETUPS = ("local pool", "dask, 1 worker", "dask, 1 worker, one task", "dask, 2 workers")
ONE_TASK = (8, 10**6)
"""``CHUNK_FILES`` for the "one task" set-up: all the files in one analysis task, as the two workers' two tasks
are one each (like for like: the same analyzer start-ups a worker)."""


class _Timed:
    """An executor whose analysis is timed: from the batch's call to its return."""

    def __init__(self, executor: Any) -> None:
        self.executor = executor
        self.analysis_s = 0.0

    def analyze(self, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return self.executor.analyze(*args, **kwargs)
        finally:
            self.analysis_s = time.perf_counter() - started

    def checkers(self, *args: Any, **kwargs: Any) -> Any:
        return self.executor.checkers(*args, **kwargs)


def _started(executor: Any) -> Any:
    """``executor`` with crosscheck's modules imported in its workers, as in a cluster that has run a batch."""
    executor.client.run(importlib.import_module, "crosscheck.run.dask_executor")
    executor.client.run(importlib.import_module, "crosscheck.run.pairs")
    return executor


def _batch(manifest: Path, out: Path, cache: Path, executor: Any, chunk_files: tuple[int, int] | None = None
           ) -> tuple[float, float]:
    """Seconds of one cold batch (reports in every default format, and the summary), and of its analysis."""
    from crosscheck.formats import defaults
    from crosscheck.load.manifest import load_manifest
    from crosscheck.models import Options
    from crosscheck.run import dask_executor
    from crosscheck.run.batch import run_batch
    from crosscheck.run.cache import AnalysisCache
    from crosscheck.run.cores import usable_cores
    from crosscheck.run.outputs import write_batch_summary

    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(cache, ignore_errors=True)
    from crosscheck.run.executors import LocalExecutor

    loaded = load_manifest(manifest)
    timed = _Timed(executor or LocalExecutor(usable_cores()))
    default_chunks = dask_executor.CHUNK_FILES
    dask_executor.CHUNK_FILES = chunk_files or default_chunks
    started = time.perf_counter()
    try:
        result = run_batch(loaded, Options(), None, output_dir=out, formats=defaults(), cache=AnalysisCache(cache),
                           executor=timed)
    finally:
        dask_executor.CHUNK_FILES = default_chunks
    write_batch_summary(result.outcomes, out, title="bench", group_by=())
    seconds = time.perf_counter() - started
    assert all(o.error is None for o in result.outcomes), [o.error for o in result.outcomes if o.error]
    return seconds, timed.analysis_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "crosscheck-bench")
    parser.add_argument("--files", type=int, default=300)
    args = parser.parse_args()
    from crosscheck.run.dask_executor import connect

    root = fetch_nova(args.work)
    files = sorted((root / "nova" / "tests" / "functional").rglob("*.py"))[:args.files]
    folder = args.work / f"dask-{args.files}"
    shutil.rmtree(folder, ignore_errors=True)
    tree = folder / "code"
    for path in files:
        dest = tree / path.relative_to(root)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest)
    manifest = build_corpus(tree, sorted(tree.rglob("*.py")), folder)
    times: dict[str, list[float]] = {name: [] for name in SETUPS}
    analysis: dict[str, list[float]] = {name: [] for name in SETUPS}
    for run in range(args.runs):
        order = SETUPS if run % 2 == 0 else tuple(reversed(SETUPS))
        for name in order:
            executor = None if name == "local pool" else _started(connect(None, 1 if "1 worker" in name else 2))
            try:
                whole, analyzing = _batch(manifest, folder / "out", folder / "cache", executor,
                                          ONE_TASK if "one task" in name else None)
            finally:
                if executor is not None:
                    executor.close()
            times[name].append(whole)
            analysis[name].append(analyzing)
        print(f"run {run + 1}: " + ", ".join(f"{name} {times[name][-1]:.2f} s (analysis {analysis[name][-1]:.2f} s)"
                                             for name in SETUPS), file=sys.stderr)
    def speedup(of: dict[str, list[float]], one: str) -> float:
        return round(statistics.median(a / b for a, b in zip(of[one], of[SETUPS[3]], strict=True)), 2)

    machine = (f"{platform.system()} {platform.machine()}, {psutil.cpu_count()} cores, "
               f"{psutil.virtual_memory().total / 2**30:.0f} GiB, Python {platform.python_version()}")
    medians = {name: round(statistics.median(values), 2) for name, values in times.items()}
    analysis_medians = {name: round(statistics.median(values), 2) for name, values in analysis.items()}
    (HERE / "results-dask.json").write_text(json.dumps(
        {"machine": machine, "pairs": len(files), "runs": args.runs, "batch_median_s": medians,
         "analysis_median_s": analysis_medians,
         "analysis_speedup_2_over_1": speedup(analysis, SETUPS[1]), "batch_speedup_2_over_1": speedup(times, SETUPS[1]),
         "analysis_speedup_2_over_1_one_task": speedup(analysis, SETUPS[2]),
         "batch_speedup_2_over_1_one_task": speedup(times, SETUPS[2])}, indent=2) + "\n", encoding="utf-8")
    print(f"Machine: {machine}; {len(files)} pairs, cold, medians of {args.runs} runs.\n")
    print("| set-up | cold analysis | cold batch |\n|---|---:|---:|")
    for name in SETUPS:
        print(f"| {name} | {analysis_medians[name]:.2f} s | {medians[name]:.2f} s |")
    for one in SETUPS[1:3]:
        print(f"2 Dask workers over {one[6:]} (medians of each run's ratio): analysis {speedup(analysis, one):.2f}x, "
              f"whole batch {speedup(times, one):.2f}x")


if __name__ == "__main__":
    main()
