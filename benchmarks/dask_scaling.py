"""crosscheck batch on a Dask cluster of 1 and 2 workers against the local pool, on the same 300 pairs.

Run with ``tox -e bench-dask`` (or ``python benchmarks/dask_scaling.py``, with ``crosscheck[dask]``
installed). The corpus is the first 300 files of ``nova/tests/functional`` of the nova 34.0.0 wheel
(downloaded and verified as ``benchmarks/run.py`` does), one generated review each. Each run is cold
(an empty cache) and writes every default format. The clusters are ``LocalCluster``s of one-thread
workers, started before the clock starts (a cluster is already running when a batch is sent to it);
the local pool is ``crosscheck batch`` as it runs by default. Each time is the median of ``--runs``
runs, the three set-ups alternating within a run; the speed-up is the median of each run's own
1-worker / 2-worker ratio. Results go to ``benchmarks/results-dask.json``.
"""

from __future__ import annotations

import argparse
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

SETUPS = ("local pool", "dask, 1 worker", "dask, 2 workers")


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


def _batch(manifest: Path, out: Path, cache: Path, executor: Any) -> tuple[float, float]:
    """Seconds of one cold batch (reports in every default format, and the summary), and of its analysis."""
    from crosscheck.formats import defaults
    from crosscheck.load.manifest import load_manifest
    from crosscheck.models import Options
    from crosscheck.run.batch import run_batch
    from crosscheck.run.cache import AnalysisCache
    from crosscheck.run.cores import usable_cores
    from crosscheck.run.outputs import write_batch_summary

    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(cache, ignore_errors=True)
    from crosscheck.run.executors import LocalExecutor

    loaded = load_manifest(manifest)
    timed = _Timed(executor or LocalExecutor(usable_cores()))
    started = time.perf_counter()
    result = run_batch(loaded, Options(), None, output_dir=out, formats=defaults(), cache=AnalysisCache(cache),
                       executor=timed)
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
    clusters = {1: connect(None, 1), 2: connect(None, 2)}
    times: dict[str, list[float]] = {name: [] for name in SETUPS}
    analysis: dict[str, list[float]] = {name: [] for name in SETUPS}
    try:
        for run in range(args.runs):
            order = SETUPS if run % 2 == 0 else tuple(reversed(SETUPS))
            for name in order:
                executor = None if name == "local pool" else clusters[1 if "1 worker" in name else 2]
                whole, analyzing = _batch(manifest, folder / "out", folder / "cache", executor)
                times[name].append(whole)
                analysis[name].append(analyzing)
            print(f"run {run + 1}: " + ", ".join(f"{name} {times[name][-1]:.2f} s (analysis {analysis[name][-1]:.2f} s)"
                                                 for name in SETUPS), file=sys.stderr)
    finally:
        for executor in clusters.values():
            executor.close()
    speedup = statistics.median(one / two for one, two in zip(analysis[SETUPS[1]], analysis[SETUPS[2]], strict=True))
    whole_speedup = statistics.median(one / two for one, two in zip(times[SETUPS[1]], times[SETUPS[2]], strict=True))
    machine = (f"{platform.system()} {platform.machine()}, {psutil.cpu_count()} cores, "
               f"{psutil.virtual_memory().total / 2**30:.0f} GiB, Python {platform.python_version()}")
    medians = {name: round(statistics.median(values), 2) for name, values in times.items()}
    analysis_medians = {name: round(statistics.median(values), 2) for name, values in analysis.items()}
    (HERE / "results-dask.json").write_text(json.dumps(
        {"machine": machine, "pairs": len(files), "runs": args.runs, "batch_median_s": medians,
         "analysis_median_s": analysis_medians, "analysis_speedup_2_over_1": round(speedup, 2),
         "batch_speedup_2_over_1": round(whole_speedup, 2)}, indent=2) + "\n", encoding="utf-8")
    print(f"Machine: {machine}; {len(files)} pairs, cold, medians of {args.runs} runs.\n")
    print("| set-up | cold analysis | cold batch |\n|---|---:|---:|")
    for name in SETUPS:
        print(f"| {name} | {analysis_medians[name]:.2f} s | {medians[name]:.2f} s |")
    print(f"\n2 Dask workers over 1 (medians of each run's ratio): analysis {speedup:.2f}x, "
          f"whole batch {whole_speedup:.2f}x")


if __name__ == "__main__":
    main()
