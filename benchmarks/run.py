"""crosscheck batch against running bandit and semgrep by hand, on Nova's test tree.

Run with ``tox -e bench`` (or ``python benchmarks/run.py``, with crosscheck installed).

Corpus: the ``nova/tests`` tree of the nova 34.0.0 wheel from PyPI, downloaded with
pip and verified by sha256 (never kept in the repository). Every file is paired with
generated reviews (seeded, so the same every run) that cite real lines, real code
and real names of the file and invented ones, as LLM reviews do.

Corpus sizes (``--sizes``): a number N (the first N files of ``nova/tests/functional``),
``functional`` (all of it), ``tests`` (all of ``nova/tests``); a ``*K`` suffix gives every
file K reviews (``tests*3``: three models' reviews of each file; the files, and so the
reference, are the same). For each it times, in the same run, side by side:

- reference: ``bandit -r -f json`` on the tree, then ``semgrep scan --config rules/
  --json`` on it, one after the other (what a user does by hand); semgrep gets the
  flags crosscheck gives it (offline, and not skipping ``tests/`` folders, which it
  does by default), so both sides analyze the same files;
- crosscheck batch, cold (an empty cache), warm (the cache of the cold run), and
  new reviews (another set of reviews of the same files, with the cold run's cache:
  "a new model, the same files": the analyses are cached, the reports are not), each
  writing every pair's reports in every format written by default, and the summary.

crosscheck runs through ``benchmarks/stages.py``, which records its own CPU time (its
process and the worker processes that check pairs: reading, grounding, reconciling,
rendering, writing, start-up) apart from its children's (the analyzers), and the CPU
time of each stage; own CPU per pair is crosscheck's CPU divided by the pairs.

Each time is the median of ``--runs`` runs (default 3); each ratio is the median
of the runs' own ratios, since a run's reference and crosscheck runs are measured
one right after the other and this machine's speed drifts by tens of percent over
minutes (the order alternates between runs: reference first, then crosscheck first).
Peak memory is sampled every 100 ms over the whole process tree (crosscheck and its
analyzer children together) two ways: the sum of resident sets (RSS), which counts
the pages semgrep's forked workers share once per worker, and the sum of proportional
set sizes (PSS), which counts each page once: what the tree really occupies.
Results are printed as Markdown tables and written to ``benchmarks/results.json``.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path
from typing import Any

import psutil

NOVA_RELEASE = "nova==34.0.0"
NOVA_WHEEL_SHA256 = "8b46997836961762608e6e46e6d4945325d8a1fb8004e79e552e55839061f10c"
HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BIN = Path(sys.executable).parent


def fetch_nova(work: Path) -> Path:
    """Download the nova wheel with pip, check its sha256, unpack its ``nova/tests``; the unpacked root."""
    wheels = work / "wheel"
    wheels.mkdir(parents=True, exist_ok=True)
    found = list(wheels.glob("nova-*.whl"))
    if not found:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
                        "--quiet", "--dest", str(wheels), NOVA_RELEASE], check=True)
        found = list(wheels.glob("nova-*.whl"))
    wheel = found[0]
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != NOVA_WHEEL_SHA256:
        raise SystemExit(f"{wheel.name}: sha256 {digest} is not the published {NOVA_WHEEL_SHA256}")
    root = work / "nova"
    if not root.is_dir():
        with zipfile.ZipFile(wheel) as archive:
            for name in archive.namelist():
                if name.startswith("nova/tests/") and name.endswith(".py"):
                    archive.extract(name, root)
    return root


def review_for(path: Path, rng: random.Random) -> str:
    """A review of ``path`` citing real and invented lines, code and names."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    code_lines = [(n, line.strip()) for n, line in enumerate(lines, 1)
                  if len(line.strip()) > 20 and not line.strip().startswith(("#", '"', "'"))]
    try:
        names = sorted({node.name for node in ast.walk(ast.parse(text))
                        if isinstance(node, ast.FunctionDef | ast.ClassDef)})
    except SyntaxError:
        names = []
    items = []
    if code_lines:
        n, code = rng.choice(code_lines)
        items.append(f"**Hardcoded credentials (CWE-798):** line {n} does `{code[:60]}`, which embeds a secret.")
        n, code = rng.choice(code_lines)
        items.append(f"**Command injection (CWE-78):** on line {n + rng.choice((0, 1, 2))}, `{code[:50]}` "
                     "passes user input on.")
    if names:
        items.append(f"**Weak hash (CWE-328):** `{rng.choice(names)}()` hashes tokens with md5.")
    items.append(f"**SQL injection (CWE-89):** `build_query_{rng.randrange(1000)}()` at line {len(lines) + 40} "
                 "formats SQL with user input.")
    items.append("**Insecure deserialization:** no use of pickle or yaml.load was found, so this is not a concern.")
    rng.shuffle(items)
    body = "\n".join(f"{i}. {item}" for i, item in enumerate(items, 1))
    return f"Security review of `{path.name}`.\n\nSecurity defects found:\n\n{body}\n"


def build_corpus(tree: Path, files: list[Path], folder: Path, *, copies: int = 1, seed: int = 20261129,
                 name: str = "pairs") -> Path:
    """``copies`` reviews of each of ``files`` under ``folder/name-reviews`` and a CSV manifest
    ``folder/name.csv`` pairing them; the manifest."""
    rng = random.Random(seed)
    reviews = folder / f"{name}-reviews"
    reviews.mkdir(parents=True, exist_ok=True)
    rows = ["id,code,review,model,prompt"]
    for n, path in enumerate(files):
        for copy in range(copies):
            pair_id = f"p{n:04d}" + (f"-m{copy}" if copies > 1 else "")
            (reviews / f"{pair_id}.md").write_text(review_for(path, rng), encoding="utf-8")
            rows.append(f"{pair_id},{os.path.relpath(path, folder)},{reviews.name}/{pair_id}.md,"
                        f"model-{(n + copy) % 3},prompt-{n % 2}")
    manifest = folder / f"{name}.csv"
    manifest.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return manifest


def measure(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, float]:
    """(wall seconds, peak MB as RSS sum, peak MB as PSS sum, of the process tree) of one command,
    which must succeed."""
    start = time.perf_counter()
    proc = psutil.Popen(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak_rss = peak_pss = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak_rss, peak_pss
        while not stop.is_set():
            rss = pss = 0
            try:
                tree = [proc, *proc.children(recursive=True)]
            except psutil.Error:
                tree = []
            for child in tree:
                try:
                    info = child.memory_full_info()
                except psutil.Error:
                    continue  # it ended meanwhile
                rss, pss = rss + info.rss, pss + info.pss
            peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
            stop.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = proc.communicate()
    stop.set()
    sampler.join()
    wall = time.perf_counter() - start
    if proc.returncode not in (0, 1):  # bandit exits 1 when it finds something
        raise SystemExit(f"{' '.join(argv[:3])} failed ({proc.returncode}): {stderr.decode()[-500:]}")
    return wall, peak_rss / 2**20, peak_pss / 2**20


def reference(tree: Path, env: dict[str, str], scratch: Path) -> tuple[float, float, float]:
    bandit = [str(BIN / "bandit"), "-r", "-q", "-f", "json", "-o", str(scratch / "bandit.json"), str(tree)]
    semgrep = [str(BIN / "semgrep"), "scan", "--config", str(REPO / "rules"), "--json", "--quiet",
               "--metrics=off", "--disable-version-check", "--no-git-ignore", "--x-ignore-semgrepignore-files",
               "--max-target-bytes=0", "--output", str(scratch / "semgrep.json"), str(tree)]
    b_wall, b_rss, b_pss = measure(bandit, env, scratch)
    s_wall, s_rss, s_pss = measure(semgrep, env, scratch)
    return b_wall + s_wall, max(b_rss, s_rss), max(b_pss, s_pss)


def crosscheck(manifest: Path, env: dict[str, str], out: Path) -> tuple[float, float, float, dict[str, Any]]:
    """One ``crosscheck batch`` run through ``stages.py``: wall, peaks, and its CPU split (see the module)."""
    shutil.rmtree(out, ignore_errors=True)
    stats_file = out.parent / f"{out.name}-stages.json"
    wall, rss, pss = measure([sys.executable, str(HERE / "stages.py"), str(stats_file), "batch", str(manifest),
                              "--output-dir", str(out)], env, manifest.parent)
    return wall, rss, pss, json.loads(stats_file.read_text(encoding="utf-8"))


Timed = tuple[float, float, float, dict[str, Any]]
"""A crosscheck run: wall seconds, peak MB RSS, peak MB PSS, stages.py's figures."""
SIDES = ("cold", "warm", "new")
"""crosscheck's three runs of a corpus: empty cache, the cold run's cache, new reviews with that cache."""


def row(corpus: str, files: int, pairs: int, runs: int, ref: list[tuple[float, float, float]],
        sides: dict[str, list[Timed]]) -> dict[str, Any]:
    """One corpus's figures: median times, medians of the paired ratios, highest peaks, own CPU per pair
    (median), and the cold run's CPU by stage in ms per pair (median)."""
    result: dict[str, Any] = {"corpus": corpus, "files": files, "pairs": pairs, "runs": runs,
                              "reference_s": round(statistics.median(r[0] for r in ref), 2),
                              "reference_peak_rss_mb": round(max(r[1] for r in ref)),
                              "reference_peak_pss_mb": round(max(r[2] for r in ref))}
    for name, values in sides.items():
        result[f"{name}_s"] = round(statistics.median(v[0] for v in values), 2)
        result[f"{name}_ratio"] = round(statistics.median(v[0] / r[0] for v, r in zip(values, ref, strict=True)), 3)
        result[f"{name}_peak_rss_mb"] = round(max(v[1] for v in values))
        result[f"{name}_peak_pss_mb"] = round(max(v[2] for v in values))
        result[f"{name}_own_cpu_ms_per_pair"] = round(statistics.median(
            v[3]["self_cpu_s"] + v[3].get("workers_cpu_s", 0.0) for v in values) / pairs * 1000, 2)
        result[f"{name}_analyzers_cpu_s"] = round(statistics.median(v[3]["children_cpu_s"] for v in values), 2)
    stages = sorted({name for v in sides["cold"] for name in v[3]["stages"]})
    result["cold_stages_ms_per_pair"] = {
        name: round(statistics.median(v[3]["stages"].get(name, {"cpu_s": 0.0})["cpu_s"] for v in sides["cold"])
                    / pairs * 1000, 2) for name in stages}
    result["cold_startup_cpu_s"] = round(statistics.median(v[3]["startup_cpu_s"] for v in sides["cold"]), 3)
    return result


def corpus_files(size: str, root: Path) -> tuple[str, list[Path], int]:
    """A ``--sizes`` item: its description, its files, and how many reviews each file gets."""
    name, _, copies = size.partition("*")
    functional = sorted((root / "nova" / "tests" / "functional").rglob("*.py"))
    files = (functional if name == "functional" else sorted((root / "nova" / "tests").rglob("*.py"))
             if name == "tests" else functional[:int(name)])
    where = "nova/tests" if name == "tests" else "nova/tests/functional"
    count = int(copies or 1)
    return f"{where}, {len(files)} files" + (f", {count} reviews each" if count > 1 else ""), files, count


def measure_corpus(size: str, root: Path, work: Path, runs: int, env: dict[str, str]) -> dict[str, Any]:
    """Build one corpus and time the reference and crosscheck's cold, warm and new-review runs on it."""
    corpus, files, copies = corpus_files(size, root)
    folder = work / f"corpus-{size.replace('*', 'x')}"
    shutil.rmtree(folder, ignore_errors=True)
    tree = folder / "code"
    for path in files:  # the reference analyzes exactly the corpus's files, as one tree
        dest = tree / path.relative_to(root)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest)
    code = sorted(tree.rglob("*.py"))
    manifest = build_corpus(tree, code, folder, copies=copies)
    new_reviews = build_corpus(tree, code, folder, copies=copies, seed=20261206, name="new")
    ref: list[tuple[float, float, float]] = []
    sides: dict[str, list[Timed]] = {side: [] for side in SIDES}
    for run in range(runs):
        cache_env = dict(env, CROSSCHECK_CACHE_DIR=str(folder / f"cache-{run}"))
        if run % 2 == 0:
            ref.append(reference(tree, env, folder))
        sides["cold"].append(crosscheck(manifest, cache_env, folder / "out"))
        sides["warm"].append(crosscheck(manifest, cache_env, folder / "out"))
        sides["new"].append(crosscheck(new_reviews, cache_env, folder / "out-new"))
        if run % 2 == 1:
            ref.append(reference(tree, env, folder))
        print(f"{size}: run {run + 1}: reference {ref[-1][0]:.2f} s, "
              + ", ".join(f"{side} {sides[side][-1][0]:.2f} s" for side in SIDES), file=sys.stderr)
    return row(corpus, len(files), len(files) * copies, runs, ref, sides)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (the median is reported)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "crosscheck-bench",
                        help="where the wheel, the corpus and the caches go")
    parser.add_argument("--sizes", default="10,100,functional,tests,tests*3",
                        help="corpora: N functional-test files, 'functional' or 'tests', each with '*K' for K "
                             "reviews per file")
    args = parser.parse_args()
    root = fetch_nova(args.work)
    env = dict(os.environ, SEMGREP_SEND_METRICS="off", SEMGREP_ENABLE_VERSION_CHECK="0")
    rows = [measure_corpus(size, root, args.work, args.runs, env) for size in args.sizes.split(",")]
    machine = (f"{platform.system()} {platform.machine()}, {psutil.cpu_count()} cores, "
               f"{psutil.virtual_memory().total / 2**30:.0f} GiB, Python {platform.python_version()}")
    (HERE / "results.json").write_text(json.dumps({"machine": machine, "rows": rows}, indent=2) + "\n",
                                       encoding="utf-8")
    print_tables(machine, args.runs, rows)


def print_tables(machine: str, runs: int, rows: list[dict[str, Any]]) -> None:
    print(f"Machine: {machine}; medians of {runs} runs (ratios: medians of each run's own ratio); "
          "peak = highest of the runs, process tree summed as PSS (and RSS).\n")
    print("| corpus | pairs | reference (bandit, then semgrep) | cold | cold / ref | warm | warm / ref | "
          "new reviews | new / ref | own CPU per pair: cold / new reviews | peak MB PSS (RSS): ref / cold / warm / new |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        peaks = " / ".join(f"{r[f'{n}_peak_pss_mb']} ({r[f'{n}_peak_rss_mb']})" for n in ("reference", *SIDES))
        print(f"| {r['corpus']} | {r['pairs']} | {r['reference_s']:.2f} s | {r['cold_s']:.2f} s | "
              f"{r['cold_ratio']:.2f}x | {r['warm_s']:.2f} s | {r['warm_ratio']:.3f}x | {r['new_s']:.2f} s | "
              f"{r['new_ratio']:.2f}x | {r['cold_own_cpu_ms_per_pair']:.1f} / {r['new_own_cpu_ms_per_pair']:.1f} ms | "
              f"{peaks} |")
    stages = sorted({name for r in rows for name in r["cold_stages_ms_per_pair"]})
    print("\ncrosscheck's own CPU in the cold run, by stage, in ms per pair (a stage inside another is in both: "
          "the index is part of grounding):\n")
    print("| stage | " + " | ".join(f"{r['corpus']}" for r in rows) + " |")
    print("|---|" + "---:|" * len(rows))
    for name in stages:
        print(f"| {name} | " + " | ".join(f"{r['cold_stages_ms_per_pair'].get(name, 0):.2f}" for r in rows) + " |")
    print("| start-up before the command (s, not per pair) | "
          + " | ".join(f"{r['cold_startup_cpu_s']:.2f}" for r in rows) + " |")


if __name__ == "__main__":
    main()
