"""What building the grounding index costs, per builder, over every Python file of some folders.

    python benchmarks/index_cost.py FOLDER [FOLDER ...] [--runs 3] [--compare]

Prints, for each builder, the median over ``--runs`` runs of the time to index every file
(files are read once, beforehand). ``ast.parse`` and libcst's ``parse_module`` alone are
there as floors. ``--compare`` also checks that the ``ast`` builder and the libcst builder
give the same index for every file both can read, and names the files where they differ.
"""

from __future__ import annotations

import argparse
import ast
import gc
import hashlib
import statistics
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import libcst as cst

from crosscheck.grounding.ast_index import NotMirrored, ast_index
from crosscheck.grounding.cst_index import libcst_index
from crosscheck.grounding.file_index import FileIndex
from crosscheck.grounding.index import build_index
from crosscheck.models import SourceFile

FIELDS = ("statements", "symbols", "noncode", "line_offsets", "scopes", "parse_error")


def load(folders: list[str]) -> list[SourceFile]:
    paths = sorted({p for folder in folders for p in (Path(folder).rglob("*.py") if Path(folder).is_dir()
                                                      else [Path(folder)])})
    sources = []
    for path in paths:
        data = path.read_bytes()
        sources.append(SourceFile(path=str(path), abspath=str(path.resolve()), sha256=hashlib.sha256(data).hexdigest(),
                                  text=data.decode("utf-8", errors="replace")))
    return sources


def _ast_parse(source: SourceFile) -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(source.text)


BUILDERS: dict[str, Callable[[SourceFile], object]] = {
    "ast.parse alone": _ast_parse,
    "ast builder": ast_index,
    "libcst parse_module alone": lambda source: cst.parse_module(source.text),
    "libcst builder": libcst_index,
    "build_index (ast, then libcst, then text)": build_index,
}


def time_builder(build: Callable[[SourceFile], object], sources: list[SourceFile]) -> tuple[float, int]:
    """Seconds to run ``build`` on every source, and how many sources it could not index."""
    failed = 0
    gc.collect()  # start each run from the same heap
    start = time.perf_counter()
    for source in sources:
        try:
            build(source)
        except (SyntaxError, ValueError, RecursionError, NotMirrored, cst.ParserSyntaxError):
            failed += 1
    return time.perf_counter() - start, failed


def compare(sources: list[SourceFile]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for source in sources:
        indexes: list[FileIndex | None] = []
        for build in (ast_index, libcst_index):
            try:
                indexes.append(build(source))
            except (SyntaxError, ValueError, RecursionError, NotMirrored, cst.ParserSyntaxError):
                indexes.append(None)
        built, reference = indexes
        if built is None or reference is None:
            counts[{(True, True): "neither parses", (True, False): "libcst only",
                    (False, True): "ast only"}[(built is None, reference is None)]] += 1
            if reference is not None:
                print(f"  libcst only: {source.path}")
            continue
        differing = [f for f in FIELDS if getattr(built, f) != getattr(reference, f)]
        counts["identical" if not differing else "different"] += 1
        if differing:
            print(f"  different: {source.path} ({', '.join(differing)})")
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--compare", action="store_true", help="check the two builders agree, file by file")
    parser.add_argument("--only", action="append", choices=sorted(BUILDERS), help="time only these builders")
    args = parser.parse_args(argv)
    sources = load(args.folders)
    print(f"{len(sources)} files, {sum(len(s.text) for s in sources) / 1e6:.1f} M characters, "
          f"Python {sys.version.split()[0]}, median of {args.runs} runs")
    if args.compare:
        print("ast builder vs libcst builder:", dict(compare(sources)))
    print(f"{'builder':<44} {'seconds':>8} {'ms/file':>8} {'failed':>7}")
    for name, build in BUILDERS.items():
        if args.only and name not in args.only:
            continue
        runs = [time_builder(build, sources) for _ in range(args.runs)]
        seconds = statistics.median(t for t, _ in runs)
        print(f"{name:<44} {seconds:8.2f} {1000 * seconds / max(len(sources), 1):8.2f} {runs[0][1]:7d}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
