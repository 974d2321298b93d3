"""Checking every pair of a manifest: resolve its code, run the pipeline, write its reports.

One pair that cannot be checked (its code cannot be fetched, its review is
unreadable, no analyzer ran) does not stop the others; it is recorded with its
reason, and nothing already written is lost.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from pathlib import Path

from crosscheck import pipeline
from crosscheck.atomic import write_atomic
from crosscheck.batch_summary import group_rows, summary_csv, summary_html, summary_json
from crosscheck.errors import CrosscheckError, InputError
from crosscheck.formats import Format
from crosscheck.inputs import load_review
from crosscheck.manifest import Manifest, Pair
from crosscheck.models import Options
from crosscheck.outputs import index_page, write_reports
from crosscheck.report import Report
from crosscheck.sources import Resolver
from crosscheck.summary import PairOutcome, summary_rows


def check_pair(pair: Pair, manifest: Manifest, options: Options, resolver: Resolver | None) -> Report:
    """Check one pair; its code is resolved first when it is an upstream file."""
    code_name, review_name = pair.display_paths(manifest.root)
    review = dataclasses.replace(load_review(str(pair.review)), path=review_name)
    if pair.upstream is None:
        assert pair.code is not None  # the manifest guarantees one of code and upstream
        return pipeline.run_text(str(pair.code), review, options, display_path=code_name)
    if resolver is None:
        raise InputError(f"pair {pair.id!r} needs its code fetched, but fetching is off")
    resolved = resolver.resolve(pair.upstream)
    return pipeline.run_text(str(resolved.path), review, options, display_path=code_name,
                             source=resolved.provenance)


def check_manifest(manifest: Manifest, options: Options, resolver: Resolver | None, *,
                   output_dir: Path | None = None, formats: Sequence[Format] = tuple(Format),
                   on_result: Callable[[PairOutcome], None] | None = None) -> tuple[PairOutcome, ...]:
    """Check every pair in manifest order; with ``output_dir``, write each pair's reports as it finishes,
    then ``index.html`` and ``summary.json`` over all of them."""
    outcomes = []
    for pair in manifest.pairs:
        code_name, review_name = pair.display_paths(manifest.root)
        try:
            report = check_pair(pair, manifest, options, resolver)
        except CrosscheckError as err:
            outcome = PairOutcome(pair.id, code_name, review_name, None, str(err), metadata=pair.metadata)
        else:
            files = write_reports(report, output_dir, pair.id, formats) if output_dir else ()
            outcome = PairOutcome(pair.id, code_name, review_name, report, None, files, pair.metadata)
        outcomes.append(outcome)
        if on_result:
            on_result(outcome)
    if output_dir:
        write_summary(outcomes, output_dir, title=f"crosscheck: {manifest.path.name}")
    return tuple(outcomes)


def write_summary(outcomes: Sequence[PairOutcome], output_dir: Path, title: str) -> None:
    """``index.html`` (links to every report) and ``summary.json`` (one row per pair) in ``output_dir``."""
    rows = summary_rows(outcomes)
    write_atomic(output_dir / "index.html", index_page(rows, title))
    write_atomic(output_dir / "summary.json", json.dumps(rows, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def write_batch_summary(outcomes: Sequence[PairOutcome], output_dir: Path, title: str,
                        group_by: Sequence[str] = ()) -> None:
    """The dataset summary of a batch in ``output_dir``, pairs grouped by ``group_by`` metadata keys (default:
    every key): ``index.html`` (tables, plots and a link to every pair's report), ``summary.csv`` (one line
    per group) and ``summary.json`` (the groups and one row per pair)."""
    rows = summary_rows(outcomes)
    groups = group_rows(rows, group_by)
    write_atomic(output_dir / "index.html", summary_html(groups, rows, title))
    write_atomic(output_dir / "summary.csv", summary_csv(groups))
    write_atomic(output_dir / "summary.json", summary_json(groups, rows))
