"""``crosscheck batch``: the same reports as checking each pair alone, shared analysis, the cache,
manifest formats, and a clean stop on Ctrl-C."""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import CASES, REPO
from crosscheck import analyzers
from crosscheck.cli import cli
from crosscheck.formats import Format, render
from crosscheck.load.code import load_code
from crosscheck.load.manifest import load_manifest
from crosscheck.models import Options, Severity, SourceFile
from crosscheck.results.outcome import summary_rows
from crosscheck.run import cache as analysis_module
from crosscheck.run import pairs as pairs_module
from crosscheck.run.batch import check_pair, run_batch
from crosscheck.run.cache import AnalysisCache, _partition, _waves, analyze

PY2 = "def legacy(cmd):\n    print 'running', cmd\n    exec cmd\n"


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    """A small dataset: every test case, a folder pair, one file reviewed twice, Python 2 code, labels."""
    root = tmp_path_factory.mktemp("dataset")
    for case in sorted(p for p in CASES.iterdir() if (p / "review.md").is_file()):
        shutil.copytree(case, root / "cases" / case.name)
    shutil.copytree(REPO / "samples" / "quickstart", root / "quickstart")
    (root / "pkg" / "sub").mkdir(parents=True)
    (root / "pkg" / "a.py").write_text((CASES / "missed_findings" / "code.py").read_text(), encoding="utf-8")
    (root / "pkg" / "sub" / "b.py").write_text(PY2, encoding="utf-8")
    (root / "pkg.md").write_text("No security defects are detected in the code.\n", encoding="utf-8")
    lines = ["id,code,review,labels,model,prompt"]
    for n, case in enumerate(sorted(p.name for p in (root / "cases").iterdir())):
        lines.append(f"{case},cases/{case}/code.py,cases/{case}/review.md,,model-{n % 2},p{n % 3}")
    lines.append("again,cases/confirmed_exact/code.py,cases/missed_findings/review.md,,model-0,p9")
    lines.append("quick,quickstart/invoices.py,quickstart/review.md,quickstart/labels.toml,model-1,p1")
    lines.append("folder,pkg,pkg.md,,model-1,")
    (root / "pairs.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def _alone(manifest, options):
    """Each pair checked by itself, the way `crosscheck check --manifest` does (analyzers run directly)."""
    return {pair.id: check_pair(pair, manifest, options, None) for pair in manifest.pairs}


def _without_labels(text):
    return {k: v for k, v in json.loads(text).items() if k != "labels"}


def test_batch_reports_equal_checking_each_pair_alone_cold_and_warm(dataset, tmp_path, validate_report):
    manifest = load_manifest(dataset / "pairs.csv")
    options = Options()
    cache = AnalysisCache(tmp_path / "cache")
    cold = run_batch(manifest, options, None, output_dir=tmp_path / "cold", formats=(Format.JSON,), cache=cache)
    warm = run_batch(manifest, options, None, output_dir=tmp_path / "warm", formats=(Format.JSON,), cache=cache)
    alone = _alone(manifest, options)
    assert [o.id for o in cold.outcomes] == [o.id for o in warm.outcomes] == [p.id for p in manifest.pairs]
    assert all(o.error is None for o in cold.outcomes + warm.outcomes)
    for pair in manifest.pairs:
        written = (tmp_path / "cold" / f"{pair.id}.json").read_text(encoding="utf-8")
        validate_report(json.loads(written))
        assert (tmp_path / "warm" / f"{pair.id}.json").read_text(encoding="utf-8") == written, pair.id
        expected = render(alone[pair.id], Format.JSON)
        if pair.labels is None:
            assert written == expected, pair.id
        else:  # check_pair takes no labels; the rest is the same
            assert json.loads(written)["labels"] is not None
            assert _without_labels(written) == _without_labels(expected)
    unique = len({f.sha256 for o in cold.outcomes for f in o.report.code.files})
    assert cold.analysis.analyzed == 2 * unique and cold.analysis.cached == 0  # bandit and semgrep, once per file
    assert all(o.report is None and o.summary is not None for o in warm.outcomes)  # from the report cache
    assert summary_rows(warm.outcomes) == summary_rows(cold.outcomes)
    folder = next(o for o in cold.outcomes if o.id == "folder").report
    assert {r.name: r.status.value for r in folder.runs}["bandit"] == "partial"  # the Python 2 file
    assert any(e.startswith("sub/b.py: ") for r in folder.runs for e in r.errors)
    # other options make other reports, from the same cached analysis
    low = run_batch(manifest, Options(min_severity=Severity.LOW), None, output_dir=None, formats=(Format.JSON,),
                    cache=cache)
    assert low.analysis.analyzed == 0 and low.analysis.cached == 2 * unique
    assert all(o.report is not None for o in low.outcomes)


def test_without_a_cache_nothing_is_written(dataset, tmp_path, monkeypatch):
    monkeypatch.setenv("CROSSCHECK_CACHE_DIR", str(tmp_path / "cache"))
    manifest = load_manifest(dataset / "pairs.csv")
    result = run_batch(manifest, Options(), None, output_dir=None, formats=(), cache=None)
    assert result.analysis.cached == 0 and result.analysis.analyzed > 0
    assert not (tmp_path / "cache").exists()


def test_a_broken_pair_is_reported_and_the_others_are_checked(dataset, tmp_path):
    (tmp_path / "ok.py").write_text("import pickle\n", encoding="utf-8")
    (tmp_path / "ok.md").write_text("No security defects are detected in the code.\n", encoding="utf-8")
    (tmp_path / "pairs.jsonl").write_text(
        '{"id": "ok", "code": "ok.py", "review": "ok.md", "metadata": {"model": "x"}}\n'
        '{"id": "gone", "code": "ok.py", "review": "missing.md"}\n\n', encoding="utf-8")
    result = run_batch(load_manifest(tmp_path / "pairs.jsonl"), Options(), None, output_dir=tmp_path / "out",
                       formats=(Format.JSON,), cache=AnalysisCache(tmp_path / "cache"))
    by_id = {o.id: o for o in result.outcomes}
    assert by_id["ok"].error is None and by_id["ok"].metadata == (("model", "x"),)
    assert "missing.md" in by_id["gone"].error
    assert (tmp_path / "out" / "ok.json").is_file() and not (tmp_path / "out" / "gone.json").exists()


def test_pairs_checked_in_worker_processes_give_the_same_reports_and_summary(dataset, tmp_path, monkeypatch):
    manifest = load_manifest(dataset / "pairs.csv")
    formats = (Format.JSON, Format.SARIF, Format.HTML)
    here = run_batch(manifest, Options(), None, output_dir=tmp_path / "here", formats=formats,
                     cache=AnalysisCache(tmp_path / "cache-here"))
    monkeypatch.setattr("crosscheck.run.executors.POOL_FROM", 1)
    handed: list[str] = []
    pooled = run_batch(manifest, Options(), None, output_dir=tmp_path / "pooled", formats=formats,
                       cache=AnalysisCache(tmp_path / "cache-pooled"), processes=2,
                       on_result=lambda outcome: handed.append(outcome.id))
    assert handed == [o.id for o in pooled.outcomes] == [p.id for p in manifest.pairs]
    assert all(o.report is None and o.summary is not None for o in pooled.outcomes)  # rows, not reports, sent back
    assert summary_rows(pooled.outcomes) == summary_rows(here.outcomes)
    written = sorted(p.name for p in (tmp_path / "here").iterdir())
    assert written == sorted(p.name for p in (tmp_path / "pooled").iterdir()) and len(written) == 3 * len(handed)
    for name in written:
        assert (tmp_path / "pooled" / name).read_bytes() == (tmp_path / "here" / name).read_bytes(), name
    # the workers' cache entries are the ones this process would have made: a warm run reads them
    warm = run_batch(manifest, Options(), None, output_dir=tmp_path / "warm", formats=formats,
                     cache=AnalysisCache(tmp_path / "cache-pooled"), processes=2)
    assert warm.analysis.analyzed == 0 and summary_rows(warm.outcomes) == summary_rows(here.outcomes)


@pytest.mark.case("batch-interrupted")
@pytest.mark.parametrize("processes", [1, 2])
def test_ctrl_c_keeps_the_finished_pairs(dataset, tmp_path, monkeypatch, processes):
    manifest = load_manifest(dataset / "pairs.csv")
    monkeypatch.setattr("crosscheck.run.executors.POOL_FROM", 1)

    def interrupt(stage, done, total):
        if stage == "check" and done == 2:
            raise KeyboardInterrupt

    out = tmp_path / "out"
    result = run_batch(manifest, Options(), None, output_dir=out, formats=(Format.JSON,),
                       cache=AnalysisCache(tmp_path / "cache"), progress=interrupt, processes=processes)
    # the two handed on, and any finished out of order meanwhile (their reports are written too)
    assert result.interrupted and 2 <= len(result.outcomes) <= len(manifest.pairs)
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{o.id}.json" for o in result.outcomes)
    assert not list(out.glob(".*.tmp"))


def test_the_batch_command_writes_reports_and_the_summary(dataset, tmp_path, monkeypatch):
    monkeypatch.setenv("CROSSCHECK_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "out"
    runner = CliRunner()
    result = runner.invoke(cli, ["batch", str(dataset / "pairs.csv"), "--output-dir", str(out), "--format", "json",
                                 "--format", "sarif"])
    assert result.exit_code == 0, result.output
    manifest = load_manifest(dataset / "pairs.csv")
    names = {p.name for p in out.iterdir()}
    assert {f"{p.id}.json" for p in manifest.pairs} | {f"{p.id}.sarif" for p in manifest.pairs} <= names
    assert {"index.html", "summary.csv", "summary.json"} <= names
    assert f"{len(manifest.pairs)} of {len(manifest.pairs)} pair(s) checked" in result.stdout
    again = runner.invoke(cli, ["batch", str(dataset / "pairs.csv"), "--output-dir", str(tmp_path / "out2"),
                                "--format", "json"])
    assert "0 computed" in again.stdout
    assert all((out / f"{p.id}.json").read_bytes() == (tmp_path / "out2" / f"{p.id}.json").read_bytes()
               for p in manifest.pairs)
    cleared = runner.invoke(cli, ["cache", "clear"])
    assert cleared.exit_code == 0 and "removed" in cleared.stdout
    assert not (tmp_path / "cache" / "analysis").exists()


def test_bad_manifests_are_one_line_and_exit_2(tmp_path):
    runner = CliRunner()
    (tmp_path / "pairs.yaml").write_text("x", encoding="utf-8")
    (tmp_path / "dup.csv").write_text("id,code,review\na,x.py,r.md\na,x.py,r.md\n", encoding="utf-8")
    (tmp_path / "nohead.csv").write_text("code,review\nx.py,r.md\n", encoding="utf-8")
    (tmp_path / "bad.jsonl").write_text('{"id": "a"\n', encoding="utf-8")
    (tmp_path / "escape.jsonl").write_text('{"id": "a", "code": "../x.py", "review": "r.md"}\n', encoding="utf-8")
    for name, message in (("pairs.yaml", "unknown format"), ("dup.csv", "duplicate id"),
                          ("nohead.csv", "no id column"), ("bad.jsonl", "line 1 is not JSON"),
                          ("escape.jsonl", "leaves the manifest's folder")):
        result = runner.invoke(cli, ["batch", str(tmp_path / name), "--output-dir", str(tmp_path / "out")])
        assert result.exit_code == 2, name
        assert message in result.stderr and result.stderr.count("\n") == 1, (name, result.stderr)


def test_summary_rows_carry_metadata_and_labels(dataset, tmp_path, monkeypatch):
    monkeypatch.setenv("CROSSCHECK_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "out"
    assert CliRunner().invoke(cli, ["batch", str(dataset / "pairs.csv"), "--output-dir", str(out),
                                    "--format", "json"]).exit_code == 0
    summary = json.loads((out / "summary.json").read_text())
    rows = summary["pairs"] if isinstance(summary, dict) else summary
    quick = next(r for r in rows if r["id"] == "quick")
    assert quick["metadata"] == {"model": "model-1", "prompt": "p1"}
    assert quick["labels"]["review"]["true_positives"] >= 1


def test_analyzers_that_use_every_core_run_alone_then_the_split_ones_side_by_side(monkeypatch):
    monkeypatch.setattr(analysis_module, "usable_cores", lambda: 2)
    by_name = {p.name: p for p in analyzers.load(["bandit", "semgrep", "ruff"])}
    bandit, semgrep, ruff = by_name["bandit"], by_name["semgrep"], by_name["ruff"]
    assert (bandit.jobs, semgrep.jobs, ruff.jobs) == (2, 1, 1)
    assert _waves([bandit, bandit, bandit, semgrep]) == [([3], 1), ([0, 1, 2], 2)]
    assert _waves([semgrep, ruff]) == [([0], 1), ([1], 1)]
    assert _waves([bandit]) == [([0], 2)]
    monkeypatch.setattr(analysis_module, "usable_cores", lambda: 1)
    assert _waves([bandit]) == [([0], 1)]


@pytest.mark.parametrize(("files", "workers", "sizes"), [
    (844, 1, [844]), (844, 2, [225, 159, 119, 89, 67, 50, 38, 28, 21, 16, 16, 16]),
    (100, 2, [33, 19, 16, 16, 16]), (64, 2, [16, 16, 16, 16]), (40, 2, [20, 20]), (3, 2, [2, 1]), (1, 2, [1]),
    (0, 2, [])])
def test_a_split_analyzers_files_go_into_shrinking_parts_of_16_files_or_more(files, workers, sizes):
    paths = [SourceFile(path=f"f{n}.py", abspath=f"/f{n}.py", sha256=f"{n:064x}", text="") for n in range(files)]
    parts = _partition(paths, workers)
    assert [len(p) for p in parts] == sizes
    assert sorted(f.path for p in parts for f in p) == sorted(f.path for f in paths)  # each file once


def _unpickler(n: int) -> str:
    """A module that bandit and semgrep both flag (pickle.loads), different for each ``n``."""
    return f"import pickle\n\ndef load_{n}(blob):\n    return pickle.loads(blob)\n"


def test_each_file_is_ready_once_every_analyzer_is_done_with_it(tmp_path, monkeypatch):
    """``analyze`` says when it starts, then which files are done as each run ends (a file only once both
    analyzers are done with it), and every file exactly once; the cached ones first."""
    monkeypatch.setattr(analysis_module, "usable_cores", lambda: 2)
    monkeypatch.setattr(analysis_module, "_FILES_PER_PART", 1)
    for n in range(5):
        (tmp_path / f"m{n}.py").write_text(_unpickler(n), encoding="utf-8")
    target = load_code(str(tmp_path))
    cache = AnalysisCache(tmp_path / "cache")
    events: list[tuple[str, object]] = []
    plugins = analyzers.load(["bandit", "semgrep"])
    analysis = analyze(plugins, [target], Options(), cache, started=lambda a: events.append(("started", a)),
                       ready=lambda shas: events.append(("ready", shas)))
    shas = {f.sha256 for f in target.files}
    assert events[0] == ("ready", frozenset()) and events[1] == ("started", analysis)
    given = [sha for kind, batch in events[2:] for sha in batch]  # type: ignore[union-attr]
    assert sorted(given) == sorted(shas)
    assert len([kind for kind, batch in events[2:] if batch]) >= 2  # bandit's 5 runs end one after the other
    assert analysis.runs_for(target)[0].findings and analysis.analyzed == 10
    events.clear()
    analyze(plugins, [target], Options(), cache, started=lambda a: events.append(("started", a)),
            ready=lambda shas: events.append(("ready", shas)))
    assert events == [("ready", frozenset(shas)), ("started", events[1][1])]


def test_pairs_are_reconciled_while_the_last_analyzer_runs_go_on(tmp_path, monkeypatch):
    monkeypatch.setattr(analysis_module, "usable_cores", lambda: 2)
    monkeypatch.setattr(analysis_module, "_FILES_PER_PART", 1)
    rows = ["id,code,review"]
    for n in range(6):
        (tmp_path / f"m{n}.py").write_text(_unpickler(n), encoding="utf-8")
        (tmp_path / f"m{n}.md").write_text(f"`load_{n}` unpickles untrusted data (CWE-502).\n", encoding="utf-8")
        rows.append(f"p{n},m{n}.py,m{n}.md")
    (tmp_path / "pairs.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    ended: list[float] = []
    checked: list[float] = []
    bandit_run, check = type(analyzers.load(["bandit"])[0]).run, pairs_module._check

    def timed_run(self, target, options):
        try:
            return bandit_run(self, target, options)
        finally:
            ended.append(time.monotonic())

    def timed_check(*args, **kwargs):
        checked.append(time.monotonic())
        return check(*args, **kwargs)

    monkeypatch.setattr(type(analyzers.load(["bandit"])[0]), "run", timed_run)
    monkeypatch.setattr(pairs_module, "_check", timed_check)
    handed: list[str] = []
    result = run_batch(load_manifest(tmp_path / "pairs.csv"), Options(analyzers=("bandit",)), None,
                       output_dir=tmp_path / "out", formats=(Format.JSON,), cache=None,
                       on_result=lambda outcome: handed.append(outcome.id))
    assert len(ended) >= 3 and len(checked) == 6  # bandit in shrinking parts: 2, 1, 1, 1, 1 files
    assert min(checked) < max(ended)  # the first pairs did not wait for the last run
    assert handed == [o.id for o in result.outcomes] == [f"p{n}" for n in range(6)]  # still in manifest order
    assert all(o.error is None and o.analyzer_statuses() == {"bandit": "ok"} for o in result.outcomes)
def test_a_file_that_changes_under_the_analyzers_is_not_cached(tmp_path, monkeypatch):
    code, review = tmp_path / "app.py", tmp_path / "review.md"
    code.write_text("import hashlib\n\n\ndef digest(data):\n    return hashlib.md5(data).hexdigest()\n",
                    encoding="utf-8")
    review.write_text("No security defects are detected in the code.\n", encoding="utf-8")
    (tmp_path / "pairs.toml").write_text('[[pair]]\nid = "app"\ncode = "app.py"\nreview = "review.md"\n')
    manifest = load_manifest(tmp_path / "pairs.toml")
    options = Options(analyzers=("bandit",))
    cache = AnalysisCache(tmp_path / "cache")
    key = cache.key(analyzers.load(["bandit"])[0], options)
    sha = hashlib.sha256(code.read_bytes()).hexdigest()
    real = analysis_module._guarded

    def edit_then_run(plugin, target, options):
        with code.open("a", encoding="utf-8") as handle:  # in place: the staged hard link sees it
            handle.write("# edited\n")
        return real(plugin, target, options)

    monkeypatch.setattr(analysis_module, "_guarded", edit_then_run)
    result = run_batch(manifest, options, None, output_dir=None, formats=(Format.JSON,), cache=cache)
    assert key is not None and cache.get(key, sha) is None
    assert result.outcomes[0].analyzer_statuses() == {"bandit": "partial"}
    monkeypatch.setattr(analysis_module, "_guarded", real)
    run_batch(load_manifest(tmp_path / "pairs.toml"), options, None, output_dir=None, formats=(Format.JSON,),
              cache=cache)
    assert cache.get(key, hashlib.sha256(code.read_bytes()).hexdigest()) is not None


def test_new_reviews_of_files_seen_before_read_their_indexes_from_the_cache(dataset, tmp_path, monkeypatch):
    """The second batch's reviews are new (no report is cached), its files are not: no file is parsed, and
    every report is the one an uncached batch gives; an entry of another shape is built again."""
    from crosscheck.grounding import index as index_module

    manifest = load_manifest(dataset / "pairs.csv")
    cache = AnalysisCache(tmp_path / "cache")
    run_batch(manifest, Options(), None, output_dir=None, formats=(Format.JSON,), cache=cache)
    stored = sorted((tmp_path / "cache" / "index").rglob("*.json"))
    assert stored  # every file a review cites was indexed, and kept
    index_module._RECENT.clear()  # as a new process would start
    parsed: list[str] = []
    build = index_module.index_file
    monkeypatch.setattr(index_module, "index_file", lambda source: parsed.append(source.path) or build(source))
    # new reviews: other formats make other report keys, so that nothing comes from the report cache
    again = run_batch(manifest, Options(), None, output_dir=tmp_path / "new", formats=(Format.JSON, Format.MARKDOWN),
                      cache=cache)
    assert parsed == []
    fresh = run_batch(manifest, Options(), None, output_dir=tmp_path / "fresh", formats=(Format.JSON,), cache=None)
    assert [o.id for o in again.outcomes] == [o.id for o in fresh.outcomes]
    for outcome in fresh.outcomes:
        if outcome.error is None:
            name = f"{outcome.id}.json"
            assert (tmp_path / "new" / name).read_bytes() == (tmp_path / "fresh" / name).read_bytes(), name
    stored[0].write_text('{"parser": "ast"}', encoding="utf-8")
    index_module._RECENT.clear()
    run_batch(manifest, Options(), None, output_dir=None, formats=(Format.SARIF,), cache=cache)
    assert len(parsed) == 1 and json.loads(stored[0].read_text(encoding="utf-8"))["statements"] is not None
    assert cache.clear() >= len(stored) and not (tmp_path / "cache" / "index").exists()
