"""``crosscheck batch --executor dask``: a real Dask LocalCluster gives the local pool's reports, survives a
killed worker, and fails clearly without Dask or without a reachable scheduler."""

from __future__ import annotations

import os
import shutil
import signal
import sys
import threading
import time
from concurrent.futures import Future
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import CASES
from crosscheck import analyzers
from crosscheck.cli import cli
from crosscheck.errors import CrosscheckError
from crosscheck.formats import Format
from crosscheck.load.code import load_code
from crosscheck.load.manifest import load_manifest
from crosscheck.models import Options, SourceFile
from crosscheck.results.outcome import summary_rows
from crosscheck.run.batch import run_batch
from crosscheck.run.cache import Analysis, AnalysisCache

distributed = pytest.importorskip("distributed")

from crosscheck.run.dask_executor import _chunks, _merge, _shipped, analyze_chunk, connect  # noqa: E402  (needs the extra)

FORMATS = (Format.JSON, Format.SARIF, Format.MARKDOWN)


@pytest.fixture(scope="module")
def manifest(tmp_path_factory) -> Path:
    """20 pairs: each test case's review of its own code, twice, and four reviews of another case's code."""
    root = tmp_path_factory.mktemp("dask-dataset")
    cases = sorted(p.name for p in CASES.iterdir() if (p / "review.md").is_file())
    for case in cases:
        shutil.copytree(CASES / case, root / case)
    rows = ["id,code,review,model"]
    for copy in range(2):
        rows += [f"{case}-{copy},{case}/code.py,{case}/review.md,m{copy}" for case in cases]
    rows += [f"cross-{n},{cases[n]}/code.py,{cases[n + 1]}/review.md,m2" for n in range(20 - len(rows) + 1)]
    (root / "pairs.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert len(rows) == 21
    return root / "pairs.csv"


@pytest.fixture(scope="module")
def local(manifest, tmp_path_factory):
    out = tmp_path_factory.mktemp("local")
    result = run_batch(load_manifest(manifest), Options(), None, output_dir=out, formats=FORMATS,
                       cache=AnalysisCache(out / "cache"))
    shutil.rmtree(out / "cache")
    return out, result


def _same_reports(left: Path, right: Path) -> None:
    names = sorted(p.name for p in left.iterdir())
    assert names == sorted(p.name for p in right.iterdir()) and len(names) == 3 * 20
    for name in names:
        assert (left / name).read_bytes() == (right / name).read_bytes(), name


def test_a_local_dask_cluster_gives_the_local_pools_reports_cold_and_warm(manifest, local, tmp_path):
    executor = connect(None, 2)
    try:
        assert len(executor.client.scheduler_info()["workers"]) == 2
        cache = AnalysisCache(tmp_path / "cache")
        cold = run_batch(load_manifest(manifest), Options(), None, output_dir=tmp_path / "cold", formats=FORMATS,
                         cache=cache, executor=executor)
        warm = run_batch(load_manifest(manifest), Options(), None, output_dir=tmp_path / "warm", formats=FORMATS,
                         cache=cache, executor=executor)
        for folder in (tmp_path / "cache" / "analysis").glob("semgrep-*"):
            shutil.rmtree(folder)  # one analyzer's results lost: only that analyzer runs again
        shutil.rmtree(tmp_path / "cache" / "reports")
        half = run_batch(load_manifest(manifest), Options(), None, output_dir=tmp_path / "half", formats=FORMATS,
                         cache=cache, executor=executor)
    finally:
        executor.close()
    for out in ("cold", "warm", "half"):
        _same_reports(local[0], tmp_path / out)
    assert summary_rows(cold.outcomes) == summary_rows(warm.outcomes) == summary_rows(local[1].outcomes)
    assert cold.analysis.analyzed > 0 and warm.analysis.analyzed == 0  # the workers' results were cached
    assert half.analysis.analyzed == half.analysis.cached == cold.analysis.analyzed // 2
    assert list((tmp_path / "cache" / "index").rglob("*.json"))  # the indexes the workers built, kept


def test_a_worker_killed_mid_batch_loses_no_pair(manifest, local, tmp_path):
    executor = connect(None, 2)
    pids = executor.client.run(os.getpid)  # by worker address
    killed: list[str] = []

    def kill_the_analyzing_worker() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not killed:
            for address, keys in executor.client.processing().items():
                if any(str(key).startswith("analyze_chunk") for key in keys):
                    killed.append(address)
                    os.kill(pids[address], signal.SIGKILL)
                    return
            time.sleep(0.02)

    killer = threading.Thread(target=kill_the_analyzing_worker)
    killer.start()
    try:
        result = run_batch(load_manifest(manifest), Options(), None, output_dir=tmp_path / "out", formats=FORMATS,
                           cache=None, executor=executor)
    finally:
        killer.join()
        executor.close()
    assert killed, "no worker was seen analyzing"  # the analysis task died with it and ran again elsewhere
    assert all(o.error is None for o in result.outcomes) and len(result.outcomes) == 20
    _same_reports(local[0], tmp_path / "out")


def test_an_unreachable_scheduler_is_one_clear_error_in_bounded_time():
    started = time.monotonic()
    with pytest.raises(CrosscheckError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        connect("tcp://127.0.0.1:9", None)
    assert time.monotonic() - started < 30


def test_without_the_extra_the_dask_executor_names_it(manifest, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if Dask were not installed
    result = CliRunner().invoke(cli, ["batch", str(manifest), "--output-dir", str(tmp_path / "out"),
                                      "--executor", "dask"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1].endswith("the dask executor needs Dask: pip install 'crosscheck-review[dask]'")


def test_scheduler_and_workers_need_the_dask_executor(manifest, tmp_path):
    result = CliRunner().invoke(cli, ["batch", str(manifest), "--output-dir", str(tmp_path / "out"),
                                      "--workers", "2"])
    assert result.exit_code == 2 and "--scheduler and --workers go with --executor dask" in result.output


def test_the_executor_and_scheduler_can_be_configured(manifest, tmp_path):
    config = tmp_path / "pyproject.toml"
    config.write_text('[tool.crosscheck]\nexecutor = "dask"\nscheduler = "tcp://127.0.0.1:9"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["batch", str(manifest), "--output-dir", str(tmp_path / "out"),
                                      "--config", str(config)])
    assert result.exit_code == 2 and "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.output
    config.write_text('[tool.crosscheck]\nexecutor = "ray"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["batch", str(manifest), "--output-dir", str(tmp_path / "out"),
                                      "--config", str(config)])
    assert result.exit_code == 2 and "executor must be one of local, dask, not 'ray'" in result.output


@pytest.mark.case("batch-interrupted")
def test_ctrl_c_on_the_driver_keeps_the_finished_pairs(tmp_path):
    cases = sorted(p for p in CASES.iterdir() if (p / "review.md").is_file())
    rows = ["id,code,review"]
    for n in range(20):  # 20 distinct files: more than one analysis task
        case = cases[n % len(cases)]
        (tmp_path / f"f{n}.py").write_text((case / "code.py").read_text(encoding="utf-8") + f"\n# copy {n}\n",
                                           encoding="utf-8")
        shutil.copyfile(case / "review.md", tmp_path / f"f{n}.md")
        rows.append(f"p{n},f{n}.py,f{n}.md")
    (tmp_path / "pairs.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")

    def interrupt(stage, done, total):
        if stage == "check" and done == 1:
            raise KeyboardInterrupt

    executor = connect(None, 2)
    try:
        result = run_batch(load_manifest(tmp_path / "pairs.csv"), Options(), None, output_dir=tmp_path / "out",
                           formats=(Format.JSON,), cache=None, executor=executor, progress=interrupt)
    finally:
        executor.close()
    assert result.interrupted and 1 <= len(result.outcomes) <= 20  # those finished meanwhile are kept too
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(f"{o.id}.json" for o in result.outcomes)


def _sources(sizes: list[int]) -> list[SourceFile]:
    return [SourceFile(f"f{n}.py", f"/x/f{n}.py", f"{n:064x}", "x" * size) for n, size in enumerate(sizes)]


def test_analysis_chunks_are_one_a_worker_thread_and_even_in_bytes():
    sources = _sources([5000] + [10] * 99 + [400] * 20)
    chunks = _chunks(sources, 2)
    assert len(chunks) == 2 and sorted(s.path for c in chunks for s in c) == sorted(s.path for s in sources)
    loads = sorted(sum(len(s.text) for s in chunk) for chunk in chunks)
    assert loads[1] - loads[0] <= 400  # counts split evenly would give one chunk the 5,000-byte file and more
    assert [len(c) for c in _chunks(_sources([10] * 600), 1)] == [200, 200, 200]  # at most CHUNK_FILES[1] on average
    assert [len(c) for c in _chunks(_sources([10] * 12), 4)] == [6, 6]  # at least CHUNK_FILES[0]
    assert _chunks([], 3) == []


def test_workers_write_the_cache_and_the_driver_only_what_they_could_not(tmp_path):
    code = tmp_path / "code.py"
    code.write_text("import subprocess\nsubprocess.call('ls', shell=True)\n", encoding="utf-8")
    source = load_code(str(code)).files[0]
    plugins = analyzers.load()
    names = tuple(p.name for p in plugins)
    (tmp_path / "not-a-folder").write_text("", encoding="utf-8")
    for worker_base, written_by_driver in ((tmp_path / "cache", False), (tmp_path / "not-a-folder" / "cache", True)):
        driver = AnalysisCache(tmp_path / "cache")
        driver.clear()
        part = analyze_chunk(names, Options(), _shipped([source]), worker_base)  # as a worker runs it
        keys = {p.name: driver.key(p, Options()) for p in plugins}
        assert all(driver.has(key, source.sha256) for key in keys.values()) is not written_by_driver
        done: Future[Analysis] = Future()
        done.set_result(part)
        analysis = Analysis(names, {p.name: p.info() for p in plugins})
        _merge(analysis, [source], done, names, keys, driver)
        assert all(driver.has(key, source.sha256) for key in keys.values())
        assert {name for name, _ in analysis.results} == set(names) and not analysis.failures
