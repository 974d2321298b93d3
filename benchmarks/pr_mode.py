"""Pull-request mode (``crosscheck check --base``) against semgrep alone on the changed files.

Run with ``tox -e bench-pr`` (or ``python benchmarks/pr_mode.py``, with crosscheck installed).

Target: ``check --base`` on a change touching 3 files of ``nova/tests`` costs at most 1.2x
semgrep alone on those 3 files, and does not grow with the size of the rest of the tree.

Corpus: the ``nova/tests`` tree of the nova 34.0.0 wheel, fetched and verified by sha256
as ``benchmarks/run.py`` does (its functions are reused). For each tree size N (default
3, 300 and 1500 files; 3 is the changed files alone: the floor) a git repository is built
in a scratch folder:

- the tree: the 3 changed files (``CHANGED``) plus the first N - 3 other files of the
  sorted ``nova/tests`` (844 files), then, when N needs more, of whole copies of it
  under ``copy1/``, ``copy2/``, ... (``copy1/nova/tests/...``), in sorted order; so the
  300-file tree is part of ``nova/tests`` and the 1500-file tree is all of
  ``nova/tests`` plus 656 files of ``copy1/nova/tests``; the 3 changed files are the
  same in every tree;
- the base commit (branch ``main``) holds the tree; the feature branch's one commit
  appends a few lines to each changed file: a function calling ``subprocess.run(cmd,
  shell=True)`` and one calling ``hashlib.md5``;
- a GitHub review-comment export (the shape of ``GET /repos/O/R/pulls/N/comments``) of
  4 comments on added lines: the shell call of each file, and the md5 call of one; each
  ``diff_hunk`` is cut from ``git diff main...HEAD`` (3 lines of context) and ends at the
  commented line.

Each run times, one right after the other (the order alternating between runs):

- reference: ``semgrep scan --config RULES`` on the 3 changed files, named on the
  command line, with the flags crosscheck gives semgrep (offline, JSON, no ignore
  lists, ``--disable-nosem``) and ``RULES`` crosscheck's rule pack merged into one
  file as crosscheck merges it (semgrep loads one file faster than the folder of
  small files; this is the strict reference, and the merging is not timed in it);
- crosscheck: ``crosscheck check REPO comments.json --base main --format json
  --output X --timings``, the whole process; ``--timings`` puts each analyzer's
  duration into the report, which gives the split of crosscheck's time;
- with ``--only NAME`` (default: bandit, then semgrep; ``--no-split``: none), the same
  with ``--analyzer NAME``: crosscheck without the other analyzer.

Times are medians of ``--runs`` runs (default 9); each ratio is the median of the runs' own ratios, printed
with the first and third quartiles of those ratios.
CPU is user + system time of the whole process tree (every child is waited for, so
``getrusage(RUSAGE_CHILDREN)`` counts it); peak memory is sampled as in run.py.
Results are printed as a Markdown table and written to ``benchmarks/results-pr.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import psutil

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import run as bench  # noqa: E402  (benchmarks/run.py: fetch_nova, measure, BIN, REPO)

from crosscheck.analyzers.semgrep import OFFLINE_FLAGS, SCAN_FLAGS, default_rules_dir, merge_rules  # noqa: E402

CHANGED = ("nova/tests/unit/test_utils.py", "nova/tests/unit/compute/test_shelve.py",
           "nova/tests/unit/test_crypto.py")
"""The files the change touches (1797, 1734 and 474 lines)."""
GIT_ENV = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com", "GIT_COMMITTER_NAME": "bench",
           "GIT_COMMITTER_EMAIL": "bench@example.com", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_DATE": "2026-12-01T10:00:00Z", "GIT_COMMITTER_DATE": "2026-12-01T10:00:00Z"}


def added_block(n: int) -> str:
    """What the change appends to its n-th file: a shell call and a weak hash."""
    return (f"\n\ndef run_hook_{n}(cmd):\n    import subprocess\n    return subprocess.run(cmd, shell=True)\n"
            f"\n\ndef token_digest_{n}(data):\n    import hashlib\n    return hashlib.md5(data).hexdigest()\n")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV}).stdout


def tree_files(nova: Path, size: int) -> list[tuple[str, Path]]:
    """(path in the tree, source file) of a tree of ``size`` files: the changed ones, then nova/tests, then
    copies of it under copy1/, copy2/, ..."""
    tests = sorted(p.relative_to(nova).as_posix() for p in (nova / "nova" / "tests").rglob("*.py"))
    if size < len(CHANGED) or any(c not in tests for c in CHANGED):
        raise SystemExit(f"a tree needs at least the {len(CHANGED)} changed files, all in nova/tests")
    picked = [(c, nova / c) for c in CHANGED]
    copy = 0
    while len(picked) < size:
        prefix = f"copy{copy}/" if copy else ""
        others = [t for t in tests if copy or t not in CHANGED]
        picked.extend((prefix + t, nova / t) for t in others[:size - len(picked)])
        copy += 1
    return picked


def hunk_to(diff: str, line: int) -> str:
    """The ``diff_hunk`` GitHub gives a comment on new line ``line``: its hunk, up to that line."""
    hunks = re.split(r"(?m)^(?=@@ )", diff)
    for hunk in hunks[1:]:
        head = re.match(r"@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@", hunk)
        assert head is not None
        new = int(head.group(1)) - 1
        kept = [hunk.splitlines()[0]]
        for text in hunk.splitlines()[1:]:
            kept.append(text)
            if not text.startswith("-"):
                new += 1
                if new == line:
                    return "\n".join(kept)
    raise ValueError(f"line {line} is in no hunk")


def github_comment(number: int, path: str, line: int, hunk: str, body: str, commit_id: str) -> dict[str, Any]:
    """A review comment as GitHub's REST API returns it (as tests/test_pr_mode.py builds them)."""
    url = f"https://github.com/o/r/pull/7#discussion_r{number}"
    return {
        "url": f"https://api.github.com/repos/o/r/pulls/comments/{number}", "pull_request_review_id": 900 + number,
        "id": number, "node_id": f"PRRC_{number}", "diff_hunk": hunk, "path": path, "position": None,
        "original_position": hunk.count("\n"), "commit_id": commit_id, "original_commit_id": commit_id,
        "user": {"login": "coderabbitai[bot]", "id": 1, "type": "Bot"}, "body": body,
        "created_at": "2026-12-01T10:00:00Z", "updated_at": "2026-12-01T10:00:00Z", "html_url": url,
        "pull_request_url": "https://api.github.com/repos/o/r/pulls/7", "author_association": "NONE",
        "_links": {"html": {"href": url}}, "start_line": None, "original_start_line": None, "start_side": None,
        "line": line, "original_line": line, "side": "RIGHT", "subject_type": "line", "reactions": {"total_count": 0},
    }


def build_repo(nova: Path, size: int, folder: Path) -> tuple[Path, Path]:
    """The repository (base ``main``, feature branch checked out) and its comment export."""
    shutil.rmtree(folder, ignore_errors=True)
    repo = folder / "repo"
    for name, source in tree_files(nova, size):
        dest = repo / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, dest)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", f"base: {size} files")
    git(repo, "checkout", "-q", "-b", "feature")
    comments = []
    for n, name in enumerate(CHANGED, 1):
        path = repo / name
        before = path.read_text(encoding="utf-8")
        base_lines = len(before.splitlines())
        path.write_text(before + added_block(n), encoding="utf-8")
        block = added_block(n).splitlines()
        shell = base_lines + next(i for i, t in enumerate(block, 1) if "shell=True" in t)
        md5 = base_lines + next(i for i, t in enumerate(block, 1) if "md5" in t)
        comments.append((name, shell, "**Command injection**: `cmd` reaches a shell (`shell=True`), so a "
                         "caller's input runs as a command."))
        if n == 2:
            comments.append((name, md5, "**Weak hash (CWE-328)**: tokens are hashed with `hashlib.md5`, "
                             "which is broken for this."))
    git(repo, "commit", "-q", "-am", "feature: hooks and digests")
    head = git(repo, "rev-parse", "HEAD").strip()
    export = [github_comment(i, name, line, hunk_to(git(repo, "diff", "main...HEAD", "--", name), line), body, head)
              for i, (name, line, body) in enumerate(comments, 1)]
    comments_json = folder / "comments.json"
    comments_json.write_text(json.dumps(export, indent=1), encoding="utf-8")
    count = len(git(repo, "ls-files", "*.py").splitlines())
    assert count == size, (count, size)
    return repo, comments_json


def tree_bytes(repo: Path) -> int:
    return sum(p.stat().st_size for p in repo.rglob("*.py"))


def timed(argv: list[str], env: dict[str, str], cwd: Path) -> dict[str, float]:
    """Wall seconds, CPU seconds and peak MB (PSS) of one command's process tree."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall, _rss, pss = bench.measure(argv, env, cwd)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "pss": pss}


def reference(repo: Path, rules: Path, env: dict[str, str], scratch: Path) -> dict[str, float]:
    argv = [str(bench.BIN / "semgrep"), "scan", "--config", str(rules), *OFFLINE_FLAGS, *SCAN_FLAGS,
            "--output", str(scratch / "semgrep.json"), "--", *(str(repo / c) for c in CHANGED)]
    result = timed(argv, env, scratch)
    report = json.loads((scratch / "semgrep.json").read_text(encoding="utf-8"))
    result["findings"] = len(report["results"])
    return result


def crosscheck(repo: Path, comments: Path, env: dict[str, str], scratch: Path,
               extra: tuple[str, ...] = ()) -> dict[str, float]:
    out = scratch / "report.json"
    out.unlink(missing_ok=True)
    argv = [str(bench.BIN / "crosscheck"), "check", str(repo), str(comments), "--base", "main",
            "--format", "json", "--output", str(out), "--timings", *extra]
    result = timed(argv, env, scratch)
    report = json.loads(out.read_text(encoding="utf-8"))
    for run in report["analyzers"]:
        if run.get("duration_s") is not None:
            result[f"{run['name']}_s"] = run["duration_s"]
    result["findings"] = len(report["findings"])
    result["claims"] = len(report["claims"])
    return result


def quartiles(ratios: list[float]) -> list[float]:
    """The first and third quartiles of the runs' ratios: where the middle half of them lies (this machine's
    speed drifts by tens of percent over minutes, so one run's ratio says little)."""
    if len(ratios) < 2:
        return [round(ratios[0], 3)] * 2
    first, _, third = statistics.quantiles(ratios, n=4, method="inclusive")
    return [round(first, 3), round(third, 3)]


def median(values: list[dict[str, float]], key: str) -> float:
    return round(statistics.median(v[key] for v in values), 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="runs per measurement (the median is reported)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "crosscheck-bench",
                        help="where the wheel, the trees and the reports go")
    parser.add_argument("--sizes", default="3,300,1500",
                        help="tree sizes, in .py files (at least 3; 3 is the changed files alone: the floor)")
    parser.add_argument("--only", action="append", metavar="ANALYZER",
                        help="also time crosscheck check --analyzer ANALYZER alone (repeatable; default: bandit and "
                             "semgrep): with bandit, crosscheck's cost without semgrep; with semgrep, without bandit")
    parser.add_argument("--no-split", action="store_true", help="time no --analyzer run (faster)")
    args = parser.parse_args()
    if args.only is None:
        args.only = [] if args.no_split else ["bandit", "semgrep"]
    nova = bench.fetch_nova(args.work)
    env = dict(os.environ, SEMGREP_SEND_METRICS="off", SEMGREP_ENABLE_VERSION_CHECK="0")
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        folder = args.work / f"pr-{size}"
        repo, comments = build_repo(nova, size, folder)
        rules = merge_rules(default_rules_dir(), folder)  # what crosscheck hands semgrep
        sides = ["reference", "crosscheck", *args.only]
        results: dict[str, list[dict[str, float]]] = {side: [] for side in sides}
        for run in range(args.runs):
            for side in (sides if run % 2 == 0 else sides[::-1]):  # one after the other, alternating the order
                results[side].append(
                    reference(repo, rules, env, folder) if side == "reference"
                    else crosscheck(repo, comments, env, folder) if side == "crosscheck"
                    else crosscheck(repo, comments, env, folder, ("--analyzer", side)))
            ref, cc = results["reference"], results["crosscheck"]
            only = {name: results[name] for name in args.only}
            print(f"{size} files: run {run + 1}: reference {ref[-1]['wall']:.2f} s, crosscheck {cc[-1]['wall']:.2f} s "
                  f"(semgrep {cc[-1].get('semgrep_s', 0):.2f} s, bandit {cc[-1].get('bandit_s', 0):.2f} s)"
                  + "".join(f", {name} only {values[-1]['wall']:.2f} s" for name, values in only.items()),
                  file=sys.stderr)
        row: dict[str, Any] = {
            "tree_files": size, "tree_mib": round(tree_bytes(repo) / 2**20, 1), "changed_files": list(CHANGED),
            "runs": args.runs,
            "reference_s": median(ref, "wall"), "crosscheck_s": median(cc, "wall"),
            "ratio": round(statistics.median(c["wall"] / r["wall"] for c, r in zip(cc, ref, strict=True)), 3),
            "ratio_quartiles": quartiles([c["wall"] / r["wall"] for c, r in zip(cc, ref, strict=True)]),
            "reference_cpu_s": median(ref, "cpu"), "crosscheck_cpu_s": median(cc, "cpu"),
            "cpu_ratio": round(statistics.median(c["cpu"] / r["cpu"] for c, r in zip(cc, ref, strict=True)), 3),
            "crosscheck_semgrep_s": median(cc, "semgrep_s"), "crosscheck_bandit_s": median(cc, "bandit_s"),
            "reference_peak_pss_mb": round(max(r["pss"] for r in ref)),
            "crosscheck_peak_pss_mb": round(max(c["pss"] for c in cc)),
            "reference_findings": ref[-1]["findings"], "crosscheck_findings": cc[-1]["findings"],
            "crosscheck_claims": cc[-1]["claims"],
            "reference_runs_s": [round(r["wall"], 2) for r in ref],
            "crosscheck_runs_s": [round(c["wall"], 2) for c in cc],
        }
        for name, values in only.items():
            row[f"{name}_only_s"] = median(values, "wall")
            row[f"{name}_only_ratio"] = round(statistics.median(
                v["wall"] / r["wall"] for v, r in zip(values, ref, strict=True)), 3)
        rows.append(row)
    machine = (f"{platform.system()} {platform.machine()}, {psutil.cpu_count()} cores, "
               f"{psutil.virtual_memory().total / 2**30:.0f} GiB, Python {platform.python_version()}")
    tools = {"semgrep": subprocess.run([str(bench.BIN / "semgrep"), "--version"], capture_output=True, text=True,
                                       env=env).stdout.strip(),
             "git": subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.strip()}
    summary = {"machine": machine, "tools": tools, "args": {"runs": args.runs, "sizes": args.sizes, "only": args.only},
               "rows": rows}
    (HERE / "results-pr.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(f"Machine: {machine}; semgrep {tools['semgrep']}; medians of {args.runs} runs (ratios: medians of each "
          "run's own ratio); a change of 3 files (+10 lines each) of nova/tests.\n")
    extra = "".join(f" crosscheck --analyzer {name} (ratio) |" for name in args.only)
    print("| tree | reference (semgrep on the 3 files) | crosscheck check --base | ratio | middle half of the runs' "
          "ratios | CPU ref / crosscheck | crosscheck's semgrep / bandit | peak MB PSS ref / crosscheck |" + extra)
    print("|---|---:|---:|---:|---:|---:|---:|---:|" + "---:|" * len(args.only))
    for r in rows:
        low, high = r["ratio_quartiles"]
        print(f"| {r['tree_files']} files, {r['tree_mib']} MiB | {r['reference_s']:.2f} s | "
              f"{r['crosscheck_s']:.2f} s | {r['ratio']:.2f}x | {low:.2f}x to {high:.2f}x | "
              f"{r['reference_cpu_s']:.2f} / {r['crosscheck_cpu_s']:.2f} s | {r['crosscheck_semgrep_s']:.2f} / "
              f"{r['crosscheck_bandit_s']:.2f} s | {r['reference_peak_pss_mb']} / {r['crosscheck_peak_pss_mb']} |"
              + "".join(f" {r[f'{name}_only_s']:.2f} s ({r[f'{name}_only_ratio']:.2f}x) |" for name in args.only))


if __name__ == "__main__":
    main()
