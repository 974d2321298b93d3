"""Reliability cases for broken code, manifests, failing analyzers and interrupted runs (see tests/reliability.py).

The analyzers are the real ones; a fake executable stands in for semgrep only to make it
crash, print garbage or hang. Every command runs through the command line: a case passes
when it gives a complete report with a diagnostic in it, or one error line and exit code 2.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crosscheck import analyzers
from crosscheck.analyzers import bandit as bandit_module
from crosscheck.analyzers import semgrep as semgrep_module
from crosscheck.atomic import write_atomic
from crosscheck.cli import EXIT_GATE
from crosscheck.formats import SUFFIXES, Format
from crosscheck.load.manifest import load_manifest
from crosscheck.models import Options
from crosscheck.run.batch import run_batch
from crosscheck.run.cache import AnalysisCache, analyze
from reliability import CASES, DOC, DataLoss, invoke, one_error_line

APP = """import hashlib
import subprocess


def run(cmd):
    subprocess.call(cmd, shell=True)
    return hashlib.md5(cmd.encode()).hexdigest()
"""
REVIEW = "In line 6, `subprocess.call(cmd, shell=True)` allows command injection.\n"


@pytest.fixture
def pair(tmp_path) -> tuple[Path, Path]:
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    (tmp_path / "review.md").write_text(REVIEW, encoding="utf-8")
    return tmp_path / "app.py", tmp_path / "review.md"


def report(*args: object) -> dict:
    """``crosscheck check ... --format json`` must give a complete report (exit 0, or 1 when a default gate is
    met, as the missed high-severity finding of :data:`APP` meets ``missed:high``); that report."""
    result = invoke("check", *args, "--format", "json")
    assert result.exit_code in (0, EXIT_GATE), result.output
    return json.loads(result.stdout)


def statuses(data: dict) -> dict[str, str]:
    return {a["name"]: a["status"] for a in data["analyzers"]}


# --- code ------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> dict:
    """One folder of broken code, checked once: a syntax error, Python 2, an empty file, link loops, a dangling
    link, an unreadable file (fault injected: the tests may run as root, who reads anything)."""
    root = tmp_path_factory.mktemp("mixed")
    (root / "app.py").write_text(APP, encoding="utf-8")
    (root / "broken.py").write_text("def f(:\n    return 1\n", encoding="utf-8")
    (root / "legacy.py").write_text('print "hello"\nexec "x = 1"\nif x <> 2:\n    raise ValueError, "no"\n')
    (root / "empty.py").write_text("")
    (root / "locked.py").write_text("x = 1\n")
    (root / "sub").mkdir()
    (root / "sub" / "up").symlink_to("..", target_is_directory=True)
    (root / "loop_a.py").symlink_to("loop_b.py")
    (root / "loop_b.py").symlink_to("loop_a.py")
    (root / "dangling.py").symlink_to("nowhere.py")
    (root / "review.md").write_text("1. Line 1 of broken.py has `def f(:`, a syntax error.\n"
                                    "2. Line 2 of legacy.py runs `exec \"x = 1\"`, code injection.\n", encoding="utf-8")
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "locked.py":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Path, "read_bytes", read_bytes)
        data = report(root, root / "review.md")
    return {"data": data, "files": {f["path"]: f for f in data["code"]["files"]},
            "grounding": {f["path"]: f for f in data["grounding"]["files"]}}


@pytest.mark.case("code-syntax-error")
def test_a_file_that_does_not_parse_is_grounded_as_text_and_said_so(mixed):
    data = mixed["data"]
    assert mixed["grounding"]["broken.py"]["parser"] == "text"
    assert statuses(data)["bandit"] == "partial"
    assert any(e.startswith("broken.py: ") for a in data["analyzers"] for e in a["errors"])
    assert any(d.startswith("broken.py: could not be parsed as Python") for d in data["diagnostics"])
    assert any(c["citations"] and c["citations"][0]["status"] == "exact" for c in data["claims"])


@pytest.mark.case("code-python2")
def test_python2_code_is_grounded_as_text_and_said_so(mixed):
    assert mixed["grounding"]["legacy.py"]["parser"] == "text"
    assert any(d.startswith("legacy.py: could not be parsed as Python") for d in mixed["data"]["diagnostics"])
    assert any(e.startswith("legacy.py: ") for a in mixed["data"]["analyzers"] for e in a["errors"])


@pytest.mark.case("code-empty")
def test_an_empty_file_is_checked_like_any_other(tmp_path, mixed):
    assert mixed["files"]["empty.py"]["lines"] == 0
    assert not [e for a in mixed["data"]["analyzers"] for e in a["errors"] if e.startswith("empty.py")]
    (tmp_path / "empty.py").write_text("")
    (tmp_path / "review.md").write_text("No security defects are detected in the code.\n", encoding="utf-8")
    data = report(tmp_path / "empty.py", tmp_path / "review.md")
    assert statuses(data) == {"bandit": "ok", "semgrep": "ok"} and data["findings"] == []
    assert data["diagnostics"] == ["no claims found in the review"]  # only the verdict: nothing about the code
    assert data["verdict"]["consistency"] == "consistent"


@pytest.mark.case("code-symlink-loop")
def test_link_loops_end_the_walk_and_are_named(mixed):
    assert set(mixed["files"]) == {"app.py", "broken.py", "empty.py", "legacy.py"}  # no file twice through sub/up
    for name in ("loop_a.py", "loop_b.py", "dangling.py"):
        assert f"{name}: not read: a dangling symbolic link or a link loop" in mixed["data"]["diagnostics"]


@pytest.mark.case("code-unreadable-in-folder")
def test_an_unreadable_file_in_a_folder_is_named_and_the_others_checked(mixed):
    assert "locked.py: not read: Permission denied" in mixed["data"]["diagnostics"]
    assert "locked.py" not in mixed["files"] and mixed["files"]["app.py"]
    assert {f["rule_id"] for f in mixed["data"]["findings"] if f["path"] == "app.py"} >= {"B602", "B324"}


@pytest.mark.case("code-not-python")
def test_a_yaml_file_given_as_code_gives_a_report_that_says_it_is_not_python(tmp_path):
    (tmp_path / "config.yaml").write_text("hosts: [a, b\nkey: {unclosed\n", encoding="utf-8")
    (tmp_path / "review.md").write_text("Line 1 has `hosts: [a, b`, a hard-coded host list.\n", encoding="utf-8")
    data = report(tmp_path / "config.yaml", tmp_path / "review.md")
    assert data["grounding"]["files"][0]["parser"] == "text"
    assert set(statuses(data).values()) == {"partial"} and data["findings"] == []
    assert any("could not be parsed as Python" in d for d in data["diagnostics"])


@pytest.mark.case("code-thousands-files")
def test_a_folder_of_thousands_of_files_is_analyzed_whole(tmp_path):
    code = tmp_path / "code"
    for n in range(1500):
        folder = code / f"pkg{n // 100}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"m{n}.py").write_text(f"import hashlib\n\n\ndef f{n}(x):\n    return hashlib.md5(x)\n")
    (tmp_path / "review.md").write_text("No security defects are detected in the code.\n", encoding="utf-8")
    data = report(code, tmp_path / "review.md")
    assert len(data["code"]["files"]) == 1500 and statuses(data) == {"bandit": "ok", "semgrep": "ok"}
    for analyzer in ("bandit", "semgrep"):
        assert len({f["path"] for f in data["findings"] if f["analyzer"] == analyzer}) == 1500, analyzer
    assert data["verdict"]["consistency"] == "contradicted"


@pytest.mark.case("code-symlink-loop-root")
def test_a_link_loop_given_as_the_code_is_one_error_line(tmp_path, pair):
    (tmp_path / "self.py").symlink_to("self.py")
    one_error_line(invoke("check", tmp_path / "self.py", pair[1]), "a dangling symbolic link or a link loop")


@pytest.mark.case("code-unreadable-file")
def test_an_unreadable_code_file_is_one_error_line(monkeypatch, pair):
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "app.py":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    one_error_line(invoke("check", *pair), "cannot read code file", "Permission denied")


@pytest.mark.case("code-missing-path")
def test_a_code_path_that_does_not_exist_is_one_error_line(tmp_path, pair):
    one_error_line(invoke("check", tmp_path / "nope.py", pair[1]), "does not exist")


@pytest.mark.case("code-changes-during-check")
def test_a_file_changed_while_being_analyzed_is_reported(monkeypatch, pair):
    real = bandit_module.BanditAnalyzer.run

    def edit_then_run(self, target, options):
        with open(pair[0], "a", encoding="utf-8") as handle:
            handle.write("eval(input())\n")
        return real(self, target, options)

    monkeypatch.setattr(bandit_module.BanditAnalyzer, "run", edit_then_run)
    data = report(*pair, "--analyzer", "bandit")
    assert statuses(data) == {"bandit": "partial"}
    (error,) = data["analyzers"][0]["errors"]
    assert re.fullmatch(r"app\.py: changed while being checked \(sha256 [0-9a-f]{12} when read, [0-9a-f]{12} after "
                        r"the analyzers ran\); its findings may not match the code shown", error)
    assert error.split("sha256 ")[1][:12] == data["code"]["files"][0]["sha256"][:12]
    assert any("changed while being checked" in d for d in data["diagnostics"])


@pytest.mark.case("code-deleted-during-batch")
def test_a_file_deleted_between_loading_and_analysis_fails_only_its_pair(tmp_path, monkeypatch):
    for name in ("a", "b"):
        (tmp_path / f"{name}.py").write_text(APP.replace("run", f"run_{name}"), encoding="utf-8")
        (tmp_path / f"{name}.md").write_text(REVIEW, encoding="utf-8")
    (tmp_path / "pairs.toml").write_text("".join(f'[[pair]]\nid = "{n}"\ncode = "{n}.py"\nreview = "{n}.md"\n'
                                                 for n in ("a", "b")))

    def delete_then_analyze(*args, **kwargs):
        (tmp_path / "a.py").unlink()
        return analyze(*args, **kwargs)

    monkeypatch.setattr("crosscheck.run.executors.analyze", delete_then_analyze)
    result = run_batch(load_manifest(tmp_path / "pairs.toml"), Options(analyzers=("bandit",)), None,
                       output_dir=tmp_path / "out", formats=(Format.JSON,), cache=None)
    by_id = {o.id: o for o in result.outcomes}
    assert by_id["a"].error and "a.py was removed or became unreadable before it was analyzed" in by_id["a"].error
    assert by_id["b"].error is None and by_id["b"].analyzer_statuses() == {"bandit": "ok"}


# --- manifests -------------------------------------------------------------------------------------------------


def _manifest(folder: Path, body: str) -> Path:
    (folder / "app.py").write_text(APP, encoding="utf-8")
    (folder / "review.md").write_text(REVIEW, encoding="utf-8")
    (folder / "pairs.toml").write_text(body, encoding="utf-8")
    return folder / "pairs.toml"


PAIR = '[[pair]]\nid = "a"\ncode = "app.py"\nreview = "review.md"\n'


@pytest.mark.case("manifest-missing-field")
@pytest.mark.parametrize(("body", "message"), [
    ('[[pair]]\nid = "a"\ncode = "app.py"\n', "pair 'a': missing 'review'"),
    ('[[pair]]\ncode = "app.py"\nreview = "review.md"\n', "pair 1: id must be"),
    ('[[pair]]\nid = "a"\nreview = "review.md"\n', "give exactly one of 'code'"),
])
def test_a_pair_missing_a_field_is_one_error_line(tmp_path, body, message):
    one_error_line(invoke("batch", _manifest(tmp_path, body), "--output-dir", tmp_path / "out"), message)
    assert not (tmp_path / "out").exists()


@pytest.mark.case("manifest-duplicate-id")
def test_duplicate_ids_are_one_error_line(tmp_path):
    one_error_line(invoke("batch", _manifest(tmp_path, PAIR * 2), "--output-dir", tmp_path / "out"),
                   "duplicate id 'a'")


@pytest.mark.case("manifest-path-escapes")
@pytest.mark.parametrize("code", ["../app.py", "/etc/passwd", "link.py"])
def test_paths_leaving_the_manifest_folder_are_refused(tmp_path, code):
    folder = tmp_path / "m"
    folder.mkdir()
    (tmp_path / "secret.py").write_text("x = 1\n")
    (folder / "link.py").symlink_to(tmp_path / "secret.py")
    body = PAIR.replace('code = "app.py"', f'code = "{code}"')
    one_error_line(invoke("batch", _manifest(folder, body), "--output-dir", tmp_path / "out"),
                   "leaves the manifest's folder; refused")


@pytest.mark.case("manifest-unknown-keys")
def test_unknown_keys_are_warned_and_the_pairs_checked(tmp_path):
    manifest = _manifest(tmp_path, 'colour = "red"\n' + PAIR + 'modle = "gpt-4"\n')
    result = invoke("batch", manifest, "--output-dir", tmp_path / "out", "--format", "json", "--analyzer", "bandit")
    assert result.exit_code == 0, result.output
    assert "crosscheck: warning: pairs.toml: unknown top-level key 'colour' ignored\n" in result.stderr
    assert "crosscheck: warning: pairs.toml: pair 'a': unknown key 'modle' ignored\n" in result.stderr
    assert json.loads((tmp_path / "out" / "a.json").read_text())["claims"]


# --- analyzers -------------------------------------------------------------------------------------------------


def fake_semgrep(folder: Path, body: str) -> str:
    """An executable that stands in for semgrep and does ``body`` (Python) instead."""
    path = folder / "fake-semgrep"
    path.write_text(f"#!{sys.executable}\nimport sys, time\n{body}\n", encoding="utf-8")
    path.chmod(0o755)
    return str(path)


def bandit_kept(data: dict) -> None:
    """bandit's findings are in the report, whatever became of semgrep."""
    assert statuses(data)["bandit"] == "ok"
    assert {f["rule_id"] for f in data["findings"] if f["analyzer"] == "bandit"} >= {"B602", "B324"}


@pytest.mark.case("analyzer-missing")
def test_a_missing_analyzer_is_in_the_report_and_the_others_kept(monkeypatch, pair):
    monkeypatch.setattr(semgrep_module, "semgrep_executable", lambda: None)
    data = report(*pair)
    bandit_kept(data)
    semgrep = next(a for a in data["analyzers"] if a["name"] == "semgrep")
    assert semgrep["status"] == "missing" and "pip install semgrep" in semgrep["message"]
    assert any(d.startswith("semgrep missing: ") for d in data["diagnostics"])


@pytest.mark.case("analyzer-crash")
@pytest.mark.case("analyzer-garbage-output")
@pytest.mark.case("analyzer-malformed-json")
@pytest.mark.parametrize(("body", "message"), [
    ("sys.stderr.write('Traceback (most recent call last):\\nRuntimeError: boom\\n'); sys.exit(2)",
     "semgrep failed: RuntimeError: boom"),
    ("sys.stdout.write('\\x00\\xff garbage <html>'); sys.exit(7)", "semgrep failed: exit code 7, no JSON on stdout"),
    ("sys.stdout.write('{\"results\": [{\"check_id\": \"x\", '); sys.exit(0)",
     "semgrep failed: exit code 0, no JSON on stdout"),
    ("sys.stdout.write('[1, 2]'); sys.exit(0)", "semgrep's JSON has no results list"),
], ids=["crash", "garbage", "truncated-json", "wrong-json"])
def test_a_failing_analyzer_is_in_the_report_and_the_others_kept(monkeypatch, tmp_path, pair, body, message):
    monkeypatch.setattr(semgrep_module, "semgrep_executable", lambda: fake_semgrep(tmp_path, body))
    data = report(*pair)
    bandit_kept(data)
    semgrep = next(a for a in data["analyzers"] if a["name"] == "semgrep")
    assert (semgrep["status"], semgrep["message"]) == ("failed", message)
    assert f"semgrep failed: {message}" in data["diagnostics"]


@pytest.mark.case("analyzer-bad-rule-file")
def test_a_semgrep_rule_file_with_an_error_is_in_the_report(tmp_path, pair):
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - id: broken\n    languages: [python]\n    severity: ERROR\n    message: x\n"
                     "    pattern: subprocess.call(\n", encoding="utf-8")
    data = report(*pair, "--rules", rules)
    bandit_kept(data)
    semgrep = next(a for a in data["analyzers"] if a["name"] == "semgrep")
    assert semgrep["status"] == "failed" and semgrep["message"].startswith("semgrep")


@pytest.mark.case("analyzer-hang")
def test_a_hanging_analyzer_times_out_alone(monkeypatch, tmp_path, pair):
    monkeypatch.setattr(semgrep_module, "semgrep_executable", lambda: fake_semgrep(tmp_path, "time.sleep(120)"))
    start = time.monotonic()
    data = report(*pair, "--timeout", "3")
    assert time.monotonic() - start < 60
    bandit_kept(data)
    semgrep = next(a for a in data["analyzers"] if a["name"] == "semgrep")
    assert (semgrep["status"], semgrep["message"]) == ("failed", "semgrep timed out: no result after 3 s")


@pytest.mark.case("analyzer-require")
def test_require_turns_a_missing_or_failed_analyzer_into_exit_2(monkeypatch, tmp_path, pair):
    out = tmp_path / "out"
    assert invoke("check", *pair, "--require", "bandit", "--require", "semgrep", "--format", "json",
                  "--exit-zero").exit_code == 0
    monkeypatch.setattr(semgrep_module, "semgrep_executable", lambda: None)
    result = invoke("check", *pair, "--require", "semgrep", "--output-dir", out, "--format", "json")
    one_error_line(result, "required analyzer semgrep is missing for review")
    assert statuses(json.loads((out / "review.json").read_text())) == {"bandit": "ok", "semgrep": "missing"}
    assert invoke("check", *pair, "--require", "bandit", "--format", "json", "--exit-zero").exit_code == 0
    one_error_line(invoke("check", *pair, "--analyzer", "bandit", "--require", "ruff"),
                   "required analyzer ruff did not run")
    monkeypatch.setattr(semgrep_module, "semgrep_executable", lambda: fake_semgrep(tmp_path, "sys.exit(1)"))
    manifest = _manifest(tmp_path, PAIR)
    result = invoke("batch", manifest, "--output-dir", out, "--no-cache", "--require", "semgrep")
    one_error_line(result, "required analyzer semgrep is failed for a")
    assert (out / "a.json").is_file() and (out / "summary.json").is_file()


@pytest.mark.case("semgrep-no-network")
def test_semgrep_runs_in_a_network_namespace_without_a_socket_call(tmp_path, pair):
    unshare = shutil.which("unshare")
    if unshare is None or subprocess.run([unshare, "-rn", "true"], capture_output=True, check=False).returncode:
        pytest.skip("unshare -n is not available here (no user or network namespaces)")
    strace = shutil.which("strace")
    trace = [strace, "-f", "-qq", "-e", "trace=%network", "-o", str(tmp_path / "trace")] if strace else []
    argv = [unshare, "-rn", *trace, sys.executable, "-m", "crosscheck", "check", *map(str, pair),
            "--analyzer", "semgrep", "--require", "semgrep", "--format", "json"]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert statuses(data) == {"semgrep": "ok"} and data["findings"]
    if strace:
        # a bind to ::1 port 0 (urllib3 probing for IPv6 at import) is local; a connection or a datagram is not
        calls = [line for line in (tmp_path / "trace").read_text().splitlines()
                 if re.search(r" (connect|sendto|sendmsg|sendmmsg)\(", line) and "AF_INET" in line]
        assert not calls, calls


# --- output and state ------------------------------------------------------------------------------------------


@pytest.mark.case("atomic-interrupted-write")
@pytest.mark.parametrize("where", ["write", "rename"])
def test_an_interrupted_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch, where):
    target = tmp_path / "out" / "report.json"
    write_atomic(target, '{"old": true}')
    if where == "write":
        real_fdopen = os.fdopen

        class Half:
            def __init__(self, handle):
                self.handle = handle

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.handle.close()

            def write(self, data):
                self.handle.write(data[: len(data) // 2])
                self.handle.flush()
                raise KeyboardInterrupt

        monkeypatch.setattr(os, "fdopen", lambda fd, mode: Half(real_fdopen(fd, mode)))
    else:
        monkeypatch.setattr(os, "replace", lambda *a: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, json.dumps({"new": "x" * 100_000}))
    if target.read_text() != '{"old": true}' or os.listdir(target.parent) != ["report.json"]:
        raise DataLoss(f"{os.listdir(target.parent)}: {target.read_text()[:80]}")


@pytest.mark.case("batch-interrupted")
def test_ctrl_c_keeps_every_finished_report_whole(tmp_path, pair):
    """A real SIGINT to a real run, sent as soon as one pair's reports are written (whichever pair's files are
    analyzed first: a pair is reconciled as soon as they are)."""
    second = tmp_path / "second.py"
    second.write_text(APP.replace("run", "run2"), encoding="utf-8")
    main = ("import os, signal\nimport crosscheck.run.pairs as pairs\nwrite = pairs.write_rendered\n"
            "def then_interrupt(*args):\n    files = write(*args)\n    os.kill(os.getpid(), signal.SIGINT)\n"
            "    return files\npairs.write_rendered = then_interrupt\nfrom crosscheck.cli import main\nmain()")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-c", main, "check", str(pair[0]), str(pair[1]), str(second), str(pair[1]),
                           "--output-dir", str(out)], capture_output=True, text=True, timeout=300, check=False)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 130 and proc.stderr.splitlines()[-1] == "crosscheck: interrupted", proc.stderr
    written = sorted(p.name for p in out.iterdir())
    if written not in [sorted(f"{name}.{suffix}" for suffix in SUFFIXES.values()) for name in ("review", "review-2")]:
        raise DataLoss(f"expected one pair's reports, whole, and nothing else: {written}")
    assert json.loads((out / written[0].replace(".html", ".json")).read_text())["claims"]


@pytest.mark.case("batch-interrupted")
def test_ctrl_c_while_the_analyzers_run_leaves_nothing_half_written(tmp_path, pair):
    """A real SIGINT from the stand-in semgrep while the pairs' shared analysis runs: no pair is finished, so
    no report, summary or temporary file is left."""
    fake = fake_semgrep(tmp_path, """
import os, signal
os.kill(os.getppid(), signal.SIGINT)
time.sleep(1)
sys.exit(1)
""")
    main = (f"import crosscheck.analyzers.semgrep as s; s.semgrep_executable = lambda: {fake!r}; "
            "from crosscheck.cli import main; main()")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-c", main, "check", str(pair[0]), str(pair[1]), str(pair[0]), str(pair[1]),
                           "--output-dir", str(out)], capture_output=True, text=True, timeout=300, check=False)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 130 and proc.stderr.splitlines()[-1] == "crosscheck: interrupted", proc.stderr
    if out.exists() and list(out.iterdir()):
        raise DataLoss(f"nothing was finished, yet: {sorted(p.name for p in out.iterdir())}")


@pytest.mark.case("cache-concurrent")
def test_two_batches_sharing_a_cache_do_not_corrupt_it(tmp_path):
    for n in range(8):
        (tmp_path / f"m{n}.py").write_text(APP.replace("run", f"run{n}"), encoding="utf-8")
    (tmp_path / "review.md").write_text(REVIEW, encoding="utf-8")
    (tmp_path / "pairs.toml").write_text("".join(f'[[pair]]\nid = "p{n}"\ncode = "m{n}.py"\nreview = "review.md"\n'
                                                 for n in range(8)))
    env = {**os.environ, "CROSSCHECK_CACHE_DIR": str(tmp_path / "cache")}
    exe = str(Path(sys.executable).with_name("crosscheck"))

    def start(name: str) -> subprocess.Popen:
        return subprocess.Popen([exe, "batch", str(tmp_path / "pairs.toml"), "--output-dir", str(tmp_path / name),
                                 "--format", "json", "--analyzer", "bandit"],  # bandit: two processes per batch
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    runs = [start("one"), start("two")]
    for run in runs:
        _, err = run.communicate(timeout=300)
        assert run.returncode == 0 and b"Traceback" not in err, err
    warm = start("three")
    assert warm.communicate(timeout=300) and warm.returncode == 0
    entries = [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]
    broken = [p for p in entries if p.suffix != ".json" or not isinstance(json.loads(p.read_text()), dict)]
    if broken:
        raise DataLoss(f"cache files that are not whole entries: {broken}")
    assert len(list((tmp_path / "cache" / "analysis").rglob("*.json"))) == 8
    reports = {name: {p.name: p.read_text() for p in (tmp_path / name).glob("p*.json")}
               for name in ("one", "two", "three")}
    if not reports["one"] == reports["two"] == reports["three"] or len(reports["one"]) != 8:
        raise DataLoss("the runs sharing the cache did not give the same eight reports")


@pytest.mark.case("cache-failed-run-not-reused")
def test_a_report_with_a_failed_analyzer_is_not_served_from_the_cache(tmp_path, monkeypatch):
    manifest = load_manifest(_manifest(tmp_path, PAIR))
    cache = AnalysisCache(tmp_path / "cache")
    with monkeypatch.context() as patch:
        patch.setattr(semgrep_module, "semgrep_executable", lambda: fake_semgrep(tmp_path, "sys.exit(1)"))
        first = run_batch(manifest, Options(), None, output_dir=None, formats=(Format.JSON,), cache=cache)
    assert first.outcomes[0].analyzer_statuses()["semgrep"] == "failed"
    second = run_batch(manifest, Options(), None, output_dir=None, formats=(Format.JSON,), cache=cache)
    assert second.outcomes[0].analyzer_statuses()["semgrep"] == "ok"


@pytest.mark.case("code-never-executed")
def test_the_analyzed_code_is_never_imported_or_run(tmp_path):
    sentinel = tmp_path / "executed"
    payload = f"open({str(sentinel)!r}, 'a').write(__name__ + '\\n')\n"
    code = tmp_path / "pkg"
    code.mkdir()
    for name in ("__init__.py", "__main__.py", "conftest.py", "setup.py", "app.py", "test_app.py"):
        (code / name).write_text(payload + APP, encoding="utf-8")
    (tmp_path / "review.md").write_text(REVIEW, encoding="utf-8")
    data = report(code, tmp_path / "review.md")
    assert len(data["code"]["files"]) == 6 and statuses(data) == {"bandit": "ok", "semgrep": "ok"}
    assert not sentinel.exists(), sentinel.read_text()


@pytest.mark.case("no-shell")
def test_no_shell_and_no_eval_in_the_package():
    """The package's text never asks for a shell, and ruff's flake8-bandit rules agree: subprocess without a
    shell, no os.system, no eval or exec."""
    package = Path(analyzers.__file__).parent.parent
    # crosscheck's own modules; an installed wheel also holds the sample code and the rules' test files
    # (_samples, _rules), which are analyzed, never run, and some of which ask for a shell on purpose
    modules = [f for f in sorted(package.rglob("*.py"))
               if not any(part.startswith("_") and not part.endswith("__.py") for part in f.relative_to(package).parts)]
    assert len(modules) > 40
    asking = "shell" + "=True"  # spelled in two so that this file does not match a grep for it either
    assert [str(f) for f in modules if asking in f.read_text(encoding="utf-8")] == []
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    # the files are named one by one: ruff leaves out anything under site-packages when given a folder
    proc = subprocess.run([ruff, "check", "--isolated", "--no-cache", "--select", "S602,S604,S605,S307,S102",
                           *map(str, modules)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout


# --- the table -------------------------------------------------------------------------------------------------


def test_docs_reliability_lists_exactly_the_registered_cases():
    listed = re.findall(r"^\| `([a-z0-9-]+)` \(", DOC.read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert sorted(listed) == sorted(CASES), "regenerate it: see tests/reliability.py"
    assert len(listed) == len(set(listed))


def test_a_file_that_already_holds_the_content_is_left_alone(tmp_path):
    """Writing what a report already says does not replace it (a batch run again into its folder); other
    content, a link or another kind of file is replaced as before."""
    target = tmp_path / "report.json"
    write_atomic(target, '{"a": 1}\n')
    before = os.stat(target)
    write_atomic(target, b'{"a": 1}\n')
    assert os.stat(target).st_ino == before.st_ino and os.stat(target).st_mtime_ns == before.st_mtime_ns
    write_atomic(target, '{"a": 2}\n')
    assert target.read_text() == '{"a": 2}\n' and os.stat(target).st_ino != before.st_ino
    write_atomic(target, '{"a": 22}\n')  # same start, another length
    assert target.read_text() == '{"a": 22}\n'
    link = tmp_path / "link.json"
    link.symlink_to(target)
    write_atomic(link, '{"a": 22}\n')
    assert not link.is_symlink() and link.read_text() == '{"a": 22}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "report.json"]


@pytest.mark.case("cache-unusable")
def test_an_unusable_cache_turns_caching_off_with_a_warning(tmp_path, monkeypatch):
    manifest = _manifest(tmp_path, PAIR)
    (tmp_path / "a-file").write_text("not a folder\n", encoding="utf-8")
    for base in (tmp_path / "a-file", tmp_path / "a-file" / "below"):
        monkeypatch.setenv("CROSSCHECK_CACHE_DIR", str(base))
        out = tmp_path / f"out-{base.name}"
        result = invoke("batch", manifest, "--output-dir", out)
        assert result.exit_code == 0, result.output
        assert f"the cache folder {base} cannot be used" in result.stderr and "without a cache" in result.stderr
        assert (out / "a.json").is_file() and (out / "summary.json").is_file()
    assert (tmp_path / "a-file").read_text(encoding="utf-8") == "not a folder\n"
