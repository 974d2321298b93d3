"""crosscheck batch against running bandit and semgrep by hand, on Nova's test tree.

Run with ``tox -e bench`` (or ``python benchmarks/run.py``, with crosscheck installed).

Corpus: the ``nova/tests`` tree of the nova 34.0.0 wheel from PyPI, downloaded with
pip and verified by sha256 (never kept in the repository). Every file is paired with
a generated review (seeded, so the same every run) that cites real lines, real code
and real names of the file and invented ones, as LLM reviews do.

For each corpus size (10, 100 and every file of ``nova/tests/functional``, then
the whole ``nova/tests``) it times, in the same run, side by side:

- reference: ``bandit -r -f json`` on the tree, then ``semgrep scan --config rules/
  --json`` on it, one after the other (what a user does by hand); semgrep gets the
  flags crosscheck gives it (offline, and not skipping ``tests/`` folders, which it
  does by default), so both sides analyze the same files;
- crosscheck batch, cold (an empty cache) and warm (the cache of the cold run),
  writing each pair's JSON report and the summary.

Each time is the median of ``--runs`` runs (default 3); each ratio is the median
of the runs' own ratios, since a run's reference and crosscheck runs are measured
one right after the other and this machine's speed drifts by tens of percent over
minutes (the order alternates between runs: reference first, then crosscheck first).
Peak memory is sampled every 100 ms over the whole process tree (crosscheck and its
analyzer children together) two ways: the sum of resident sets (RSS), which counts
the pages semgrep's forked workers share once per worker, and the sum of proportional
set sizes (PSS), which counts each page once: what the tree really occupies.
Results are printed as a Markdown table and written to ``benchmarks/results.json``.
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


def build_corpus(tree: Path, files: list[Path], folder: Path) -> Path:
    """Reviews for ``files`` under ``folder`` and a CSV manifest pairing them; the manifest."""
    rng = random.Random(20261129)
    (folder / "reviews").mkdir(parents=True, exist_ok=True)
    rows = ["id,code,review,model,prompt"]
    for n, path in enumerate(files):
        pair_id = f"p{n:04d}"
        (folder / "reviews" / f"{pair_id}.md").write_text(review_for(path, rng), encoding="utf-8")
        rows.append(f"{pair_id},{os.path.relpath(path, folder)},reviews/{pair_id}.md,model-{n % 3},prompt-{n % 2}")
    manifest = folder / "pairs.csv"
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


def crosscheck(manifest: Path, env: dict[str, str], out: Path) -> tuple[float, float, float]:
    shutil.rmtree(out, ignore_errors=True)
    return measure([str(BIN / "crosscheck"), "batch", str(manifest), "--output-dir", str(out), "--format", "json"],
                   env, manifest.parent)


def row(size: str, pairs: int, runs: int, ref: list[tuple[float, float, float]],
        cold: list[tuple[float, float, float]], warm: list[tuple[float, float, float]]) -> dict[str, object]:
    """One corpus size's figures: median times, medians of the paired ratios, highest peaks."""
    def median_ratio(side: list[tuple[float, float, float]]) -> float:
        return round(statistics.median(s[0] / r[0] for s, r in zip(side, ref, strict=True)), 3)

    result: dict[str, object] = {
        "corpus": f"nova/tests/functional, {pairs} files" if size != "tests" else f"nova/tests, {pairs} files",
        "pairs": pairs, "runs": runs,
        "reference_s": round(statistics.median(r[0] for r in ref), 2),
        "cold_s": round(statistics.median(c[0] for c in cold), 2),
        "warm_s": round(statistics.median(w[0] for w in warm), 2),
        "cold_ratio": median_ratio(cold), "warm_ratio": median_ratio(warm)}
    for name, values in (("reference", ref), ("cold", cold), ("warm", warm)):
        result[f"{name}_peak_rss_mb"] = round(max(v[1] for v in values))
        result[f"{name}_peak_pss_mb"] = round(max(v[2] for v in values))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (the median is reported)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "crosscheck-bench",
                        help="where the wheel, the corpus and the caches go")
    parser.add_argument("--sizes", default="10,100,functional,tests",
                        help="corpus sizes: numbers of functional-test files, 'functional' or 'tests'")
    args = parser.parse_args()
    root = fetch_nova(args.work)
    functional = sorted((root / "nova" / "tests" / "functional").rglob("*.py"))
    everything = sorted((root / "nova" / "tests").rglob("*.py"))
    env = dict(os.environ, SEMGREP_SEND_METRICS="off", SEMGREP_ENABLE_VERSION_CHECK="0")
    rows = []
    for size in args.sizes.split(","):
        files = functional if size == "functional" else everything if size == "tests" else functional[:int(size)]
        folder = args.work / f"corpus-{size}"
        shutil.rmtree(folder, ignore_errors=True)
        tree = folder / "code"
        for path in files:  # the reference analyzes exactly the corpus's files, as one tree
            dest = tree / path.relative_to(root)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest)
        manifest = build_corpus(tree, sorted(tree.rglob("*.py")), folder)
        ref, cold, warm = [], [], []
        for run in range(args.runs):
            cache_env = dict(env, CROSSCHECK_CACHE_DIR=str(folder / f"cache-{run}"))
            if run % 2 == 0:
                ref.append(reference(tree, env, folder))
            cold.append(crosscheck(manifest, cache_env, folder / "out"))
            warm.append(crosscheck(manifest, cache_env, folder / "out"))
            if run % 2 == 1:
                ref.append(reference(tree, env, folder))
            print(f"{size}: run {run + 1}: reference {ref[-1][0]:.2f} s, cold {cold[-1][0]:.2f} s, "
                  f"warm {warm[-1][0]:.2f} s", file=sys.stderr)
        rows.append(row(size, len(files), args.runs, ref, cold, warm))
    machine = (f"{platform.system()} {platform.machine()}, {psutil.cpu_count()} cores, "
               f"{psutil.virtual_memory().total / 2**30:.0f} GiB, Python {platform.python_version()}")
    (HERE / "results.json").write_text(json.dumps({"machine": machine, "rows": rows}, indent=2) + "\n",
                                       encoding="utf-8")
    print(f"Machine: {machine}; medians of {args.runs} runs (ratios: medians of each run's own ratio); "
          "peak = highest of the runs, process tree summed as PSS (and RSS).\n")
    print("| corpus | pairs | reference (bandit, then semgrep) | crosscheck cold | cold / ref | "
          "crosscheck warm | warm / ref | peak MB PSS (RSS): ref / cold / warm |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        peaks = " / ".join(f"{r[f'{n}_peak_pss_mb']} ({r[f'{n}_peak_rss_mb']})" for n in ("reference", "cold", "warm"))
        print(f"| {r['corpus']} | {r['pairs']} | {r['reference_s']:.2f} s | {r['cold_s']:.2f} s | "
              f"{r['cold_ratio']:.2f}x | {r['warm_s']:.2f} s | {r['warm_ratio']:.3f}x | {peaks} |")

if __name__ == "__main__":
    main()
