"""An analyzer that floods its output, and a batch ended by SIGTERM (see tests/reliability.py).

The analyzers are the real ones; a fake executable stands in for semgrep only to flood its output.
Both cases run the command line in a child process: its memory is measured there, and a signal ends
only it.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crosscheck.analyzers import base
from crosscheck.analyzers.base import OutputTooLarge, ProcessTimeout, run_process
from reliability import DataLoss

APP = """import hashlib
import subprocess


def run(cmd):
    subprocess.call(cmd, shell=True)
    return hashlib.md5(cmd.encode()).hexdigest()
"""
REVIEW = "In line 6, `subprocess.call(cmd, shell=True)` allows command injection.\n"
FLOOD = """
chunk = b"x" * (1 << 20)
for _ in range(500):
    sys.{stream}.buffer.write(chunk)
"""
"""500 MB on stdout or stderr, a MB at a time (so the flooding process itself stays small)."""


def fake_semgrep(folder: Path, body: str) -> str:
    """An executable that stands in for semgrep and does ``body`` (Python) instead."""
    path = folder / "fake-semgrep"
    path.write_text(f"#!{sys.executable}\nimport sys, time\n{body}\n", encoding="utf-8")
    path.chmod(0o755)
    return str(path)


def measured(*argv: str, env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], int]:
    """Run ``python -c argv[0] argv[1:]`` from a fresh process; its result and its peak RSS in MB (the
    largest of its child processes: the command and what it ran)."""
    probe = ("import resource, subprocess, sys\n"
             "proc = subprocess.run([sys.executable, *sys.argv[1:]], capture_output=True, text=True)\n"
             "sys.stderr.write(proc.stderr)\nsys.stdout.write(proc.stdout)\n"
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024, file=sys.stderr)\n"
             "sys.exit(proc.returncode)")
    proc = subprocess.run([sys.executable, "-c", probe, "-c", *argv], capture_output=True, text=True, env=env,
                          timeout=300, check=False)
    *stderr, peak = proc.stderr.splitlines()
    return subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout, "\n".join(stderr)), int(peak)


@pytest.fixture
def pair(tmp_path) -> tuple[Path, Path]:
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    (tmp_path / "review.md").write_text(REVIEW, encoding="utf-8")
    return tmp_path / "app.py", tmp_path / "review.md"


# --- output cap ---------------------------------------------------------------------------------------------


@pytest.mark.case("analyzer-output-cap")
@pytest.mark.parametrize("stream", ["stdout", "stderr"])
def test_an_analyzer_printing_500_mb_fails_alone_and_memory_stays_bounded(tmp_path, pair, stream):
    """Before the cap, 500 MB on semgrep's stdout took crosscheck to a peak of 1.8 GB; now about 40 MB."""
    fake = fake_semgrep(tmp_path, FLOOD.format(stream=stream))
    main = (f"import crosscheck.analyzers.semgrep as s; s.semgrep_executable = lambda: {fake!r}; "
            "from crosscheck.cli import main; main()")
    (tmp_path / "tmp").mkdir()
    env = {**os.environ, "TMPDIR": str(tmp_path / "tmp")}
    proc, peak = measured(main, "check", str(pair[0]), str(pair[1]), "--format", "json", env=env)
    assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr, proc.stderr
    data = json.loads(proc.stdout)
    runs = {a["name"]: a for a in data["analyzers"]}
    limit = f"{base.OUTPUT_LIMIT / 2**20:g} MiB"
    assert (runs["semgrep"]["status"], runs["semgrep"]["message"]) == (
        "failed", f"semgrep failed: output larger than {limit} on {stream}")
    assert runs["bandit"]["status"] == "ok"
    assert {f["rule_id"] for f in data["findings"] if f["analyzer"] == "bandit"} >= {"B602", "B324"}
    assert peak < 400, f"crosscheck peaked at {peak} MB"
    assert list((tmp_path / "tmp").iterdir()) == []


def test_output_past_the_limit_kills_the_process_and_what_it_started(tmp_path, monkeypatch):
    monkeypatch.setattr(base, "OUTPUT_LIMIT", 1 << 20)
    pid_file = tmp_path / "pid"
    script = ("import subprocess, sys, time\n"
              f"child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
              f"open({str(pid_file)!r}, 'w').write(str(child.pid))\n"
              "while True:\n    sys.stdout.write('x' * 65536)\n")
    with pytest.raises(OutputTooLarge, match="output larger than 1 MiB on stdout"):
        run_process([sys.executable, "-c", script], timeout_s=60)
    _gone(int(pid_file.read_text()))


def test_a_timeout_kills_the_process_and_what_it_started(tmp_path):
    pid_file = tmp_path / "pid"
    script = ("import subprocess, sys, time\n"
              f"child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
              f"open({str(pid_file)!r}, 'w').write(str(child.pid))\ntime.sleep(60)\n")
    start = time.monotonic()
    with pytest.raises(ProcessTimeout):
        run_process([sys.executable, "-c", script], timeout_s=2)
    assert time.monotonic() - start < 10
    _gone(int(pid_file.read_text()))


def test_output_below_the_limit_is_read_whole():
    script = "import sys; sys.stdout.write('é' * 300000); sys.stderr.write('done\\n'); sys.exit(3)"
    proc = run_process([sys.executable, "-c", script], timeout_s=60)
    assert (proc.returncode, proc.stdout, proc.stderr) == (3, "é" * 300000, "done\n")


def _gone(pid: int) -> None:
    """Process ``pid`` ends within a few seconds (an orphan is reaped by init, so it does not stay a zombie)."""
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        if Path(f"/proc/{pid}/stat").exists() and Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z":
            return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    raise AssertionError(f"process {pid} was left running")


# --- SIGTERM ------------------------------------------------------------------------------------------------


def _running_in(folder: Path) -> list[str]:
    """The processes working in ``folder`` (their working directory or a file argument in it): the
    analyzers of a run whose TMPDIR it is."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cwd = os.readlink(entry / "cwd")
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if cwd.startswith(str(folder)) or str(folder) in cmdline:
            found.append(f"{entry.name}: {cmdline[:200]}")
    return found


def _dataset(folder: Path, pairs: int) -> Path:
    """Four code files, and a manifest of ``pairs`` pairs of them with one review."""
    for n in range(4):
        (folder / f"m{n}.py").write_text(APP.replace("run", f"run{n}") * 20, encoding="utf-8")
    (folder / "review.md").write_text(REVIEW, encoding="utf-8")
    (folder / "pairs.toml").write_text("".join(f'[[pair]]\nid = "p{n}"\ncode = "m{n % 4}.py"\nreview = "review.md"\n'
                                               for n in range(pairs)), encoding="utf-8")
    return folder / "pairs.toml"


def _stopped_cleanly(proc: subprocess.Popen[str], tmp: Path, out: Path) -> None:
    """``proc`` exits 143 (0 when it was done already) without a traceback, leaves no folder in its TMPDIR
    ``tmp`` and no process working there, and every report in ``out`` is whole."""
    _, stderr = proc.communicate(timeout=120)
    assert "Traceback" not in stderr, stderr
    assert proc.returncode in (143, 0), (proc.returncode, stderr)
    left = sorted(p.name for p in tmp.iterdir())
    deadline = time.monotonic() + 5
    while (running := _running_in(tmp)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert running == [], running
    assert left == [], left
    for report in out.glob("*.json") if out.exists() else ():
        try:
            json.loads(report.read_text(encoding="utf-8"))
        except ValueError as err:
            raise DataLoss(f"{report.name} is not whole: {err}") from None


@pytest.mark.case("batch-sigterm")
@pytest.mark.skipif(not Path("/proc/self/cwd").exists(), reason="finds the analyzers' processes through /proc")
@pytest.mark.parametrize("command", ["batch", "check"])
def test_sigterm_while_the_analyzers_run_leaves_no_folder_and_no_process(tmp_path, command):
    """A real SIGTERM while the real analyzers run: exit 143, no temporary folder and no analyzer process
    left, and every report written is whole."""
    manifest = _dataset(tmp_path, 4)
    tmp, out = tmp_path / "tmp", tmp_path / "out"
    tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp), "CROSSCHECK_CACHE_DIR": str(tmp_path / "cache")}
    what = ([manifest] if command == "batch"
            else [tmp_path / "m0.py", tmp_path / "review.md", tmp_path / "m1.py", tmp_path / "review.md"])
    proc = subprocess.Popen([sys.executable, "-m", "crosscheck", command, *map(str, what), "--output-dir", str(out)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not _running_in(tmp) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)  # until an analyzer works in TMPDIR (semgrep in its state folder, bandit on staged files)
    time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    _stopped_cleanly(proc, tmp, out)


@pytest.mark.case("batch-sigterm")
@pytest.mark.skipif(not Path("/proc/self/cwd").exists(), reason="finds the analyzers' processes through /proc")
def test_sigterm_to_the_process_group_while_workers_check_pairs(tmp_path):
    """SIGTERM to every process of the batch (as ``timeout`` and systemd send it) once the worker processes
    write reports: the workers and their fork server die of it, and the batch still exits 143, not 3."""
    manifest = _dataset(tmp_path, 40)
    tmp, out = tmp_path / "tmp", tmp_path / "out"
    tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp), "CROSSCHECK_CACHE_DIR": str(tmp_path / "cache")}
    main = "import crosscheck.run.executors as e; e.POOL_FROM = 1; from crosscheck.cli import main; main()"
    proc = subprocess.Popen([sys.executable, "-c", main, "batch", str(manifest), "--output-dir", str(out)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 120
    while not list(out.glob("p*.json")) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    _stopped_cleanly(proc, tmp, out)
