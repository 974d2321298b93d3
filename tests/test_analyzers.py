"""The analyzer plugins against the real bandit and semgrep, and their failure modes."""

from __future__ import annotations

import ast
import importlib.metadata
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import CASES
from crosscheck import analyzers
from crosscheck.analyzers import semgrep as semgrep_module
from crosscheck.analyzers.bandit import BanditAnalyzer
from crosscheck.analyzers.base import Analyzer, ProcessTimeout, run_process
from crosscheck.analyzers.semgrep import SemgrepAnalyzer
from crosscheck.errors import PluginError
from crosscheck.load.code import load_code
from crosscheck.models import AnalyzerRun, Options, RunStatus, Severity

VULNERABLE = textwrap.dedent('''\
    import subprocess


    def run(cmd):
        return subprocess.call(cmd, shell=True)
    ''')


@pytest.fixture()
def vulnerable(tmp_path: Path) -> Path:
    path = tmp_path / "mod.py"
    path.write_text(VULNERABLE)
    return path


def test_bandit_normalizes_findings(vulnerable):
    run = BanditAnalyzer().run(load_code(vulnerable), Options())
    assert run.status is RunStatus.OK and run.version
    b602 = next(f for f in run.findings if f.rule_id == "B602")
    assert (b602.path, b602.line, b602.cwe, b602.severity) == ("mod.py", 5, (78,), Severity.HIGH)
    assert b602.snippet == "    return subprocess.call(cmd, shell=True)"


def test_findings_of_one_rule_on_one_line_come_in_one_order_whatever_the_string_hashing(tmp_path):
    # bandit flags each password-like key of a dict literal (B105) at the same line: only the message differs
    (tmp_path / "kw.py").write_text("kwargs = {'foo': 1, 'blah_pass': 2, 'zoo_password': 3, '_pass': 4}\n")
    script = ("import sys; from crosscheck.analyzers.bandit import BanditAnalyzer; "
              "from crosscheck.load.code import load_code; from crosscheck.models import Options; "
              "run = BanditAnalyzer().run(load_code(sys.argv[1]), Options()); "
              "print([(f.message, f.fingerprint) for f in run.findings])")
    orders = {subprocess.run([sys.executable, "-c", script, str(tmp_path / "kw.py")], capture_output=True, text=True,
                             check=True, env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout
              for seed in range(6)}
    assert len(orders) == 1
    messages = [message for message, _ in ast.literal_eval(orders.pop())]
    assert len(messages) == 3 and messages == sorted(messages)


def test_bandit_parse_errors_make_a_partial_run(tmp_path):
    (tmp_path / "bad.py").write_text("def broken(:\n")
    (tmp_path / "good.py").write_text(VULNERABLE)
    run = BanditAnalyzer().run(load_code(tmp_path), Options())
    assert run.status is RunStatus.PARTIAL
    assert any(e.startswith("bad.py") for e in run.errors)
    assert any(f.rule_id == "B602" and f.path == "good.py" for f in run.findings)


def test_semgrep_uses_the_rule_pack_and_reads_lines_itself(vulnerable):
    run = SemgrepAnalyzer().run(load_code(vulnerable), Options())
    assert run.status is RunStatus.OK, run.message
    finding = next(f for f in run.findings if f.rule_id == "subprocess-shell-true")
    assert "." not in finding.rule_id
    assert finding.line == 5 and 78 in finding.cwe
    assert finding.snippet == "    return subprocess.call(cmd, shell=True)"


def test_semgrep_fingerprint_ignores_line_shifts(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir(), second.mkdir()
    (first / "m.py").write_text(VULNERABLE)
    (second / "m.py").write_text("\n\n\n" + VULNERABLE)
    one = SemgrepAnalyzer().run(load_code(first / "m.py"), Options()).findings
    two = SemgrepAnalyzer().run(load_code(second / "m.py"), Options()).findings
    assert [f.fingerprint for f in one] == [f.fingerprint for f in two]
    assert [f.line + 3 for f in one] == [f.line for f in two]


def test_semgrep_scans_tests_folders_and_untracked_files(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_x.py").write_text(VULNERABLE)
    run = SemgrepAnalyzer().run(load_code(tmp_path), Options())
    assert run.status is RunStatus.OK, (run.message, run.errors)
    assert any(f.path == "tests/test_x.py" for f in run.findings)


@pytest.mark.case("semgrep-offline-flags")
def test_semgrep_is_run_offline(monkeypatch, vulnerable):
    seen = {}

    def spy(argv, *, timeout_s, env=None, cwd=None):
        config = Path(argv[list(argv).index("--config") + 1])
        seen.update(argv=list(argv), env=dict(env or {}), config_exists=config.is_file())
        return real(argv, timeout_s=timeout_s, env=env, cwd=cwd)

    real = semgrep_module.run_process
    monkeypatch.setattr(semgrep_module, "run_process", spy)
    SemgrepAnalyzer().run(load_code(vulnerable), Options())
    assert "--metrics=off" in seen["argv"] and "--disable-version-check" in seen["argv"]
    assert seen["config_exists"]  # a local rule file, never a registry name
    assert seen["env"]["SEMGREP_ENABLE_VERSION_CHECK"] == "0"
    assert seen["env"]["SEMGREP_SEND_METRICS"] == "off"


def test_semgrep_missing_executable(monkeypatch, vulnerable):
    monkeypatch.setattr(semgrep_module, "semgrep_executable", lambda: None)
    run = SemgrepAnalyzer().run(load_code(vulnerable), Options())
    assert run.status is RunStatus.MISSING and "pip install semgrep" in run.message


def test_semgrep_broken_rule_file_fails_with_a_message(tmp_path, vulnerable):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "bad.yaml").write_text("rules:\n  - id: x\n    pattern: [unclosed\n")
    run = SemgrepAnalyzer().run(load_code(vulnerable), Options(rules=str(rules)))
    assert run.status is RunStatus.FAILED and run.message


def test_process_timeout_kills_a_hanging_child():
    with pytest.raises(ProcessTimeout):
        run_process([sys.executable, "-c", "import time; time.sleep(30)"], timeout_s=1)


class _Crashing(Analyzer):
    name = "crashing"

    def run(self, target, options):
        raise RuntimeError("boom")


class _Fine(Analyzer):
    name = "fine"

    def run(self, target, options):
        return AnalyzerRun(self.name, "1", RunStatus.OK)


def test_a_crashing_plugin_does_not_lose_the_other_results(vulnerable):
    runs = analyzers.run_all([_Crashing(), _Fine()], load_code(vulnerable), Options())
    assert [(r.name, r.status) for r in runs] == [("crashing", RunStatus.FAILED), ("fine", RunStatus.OK)]
    assert "boom" in runs[0].message


def test_run_all_says_when_each_analyzer_ends_a_crashed_one_too(vulnerable):
    ended: list[str] = []
    analyzers.run_all([_Crashing(), _Fine()], load_code(vulnerable), Options(), done=lambda: ended.append("x"))
    assert ended == ["x", "x"]


def _ep(name: str, value: str) -> importlib.metadata.EntryPoint:
    return importlib.metadata.EntryPoint(name=name, value=value, group=analyzers.GROUP)


def test_builtin_plugins_are_registered_entry_points():
    assert {"bandit", "semgrep"} <= set(analyzers.available())


def test_plugin_loading_is_sorted_and_checked():
    eps = [_ep("zeta", "test_analyzers:_Fine"), _ep("alpha", "test_analyzers:_Crashing")]
    assert list(analyzers.available(eps)) == ["alpha", "zeta"]
    with pytest.raises(PluginError, match="unknown analyzer 'nope'"):
        analyzers.load(["nope"], eps)
    with pytest.raises(PluginError, match="'broken'.*failed to load"):
        analyzers.load([], [_ep("broken", "no_such_module_xyz:Thing")])
    with pytest.raises(PluginError, match="not a crosscheck Analyzer"):
        analyzers.load([], [_ep("odd", "os.path:join")])


def test_semgreps_ocaml_command_line_prints_what_its_python_one_does(monkeypatch, tmp_path):
    """crosscheck runs ``semgrep scan --experimental`` (osemgrep): the same JSON, but for timings, as the
    Python command line on every test case's code, findings, errors and scanned paths included."""
    code = tmp_path / "code"
    for case in sorted(p for p in CASES.iterdir() if (p / "code.py").is_file()):
        (code / case.name).mkdir(parents=True)
        (code / case.name / "code.py").write_bytes((case / "code.py").read_bytes())
    calls = []
    real = semgrep_module.run_process

    def spy(argv, **kwargs):  # runs the Python command line too, while the run's rule file is there
        calls.append((argv, real(argv, **kwargs), real([a for a in argv if a != "--experimental"], **kwargs)))
        return calls[-1][1]

    monkeypatch.setattr(semgrep_module, "run_process", spy)
    run = SemgrepAnalyzer().run(load_code(code), Options())
    assert run.status is RunStatus.OK and run.findings
    [(argv, ocaml, python)] = calls  # one run: no fall-back
    assert "--experimental" in argv

    def without_timings(proc):
        report = json.loads(proc.stdout)
        report.pop("time", None)
        return report

    assert without_timings(ocaml) == without_timings(python)
    assert len(without_timings(ocaml)["paths"]["scanned"]) == len(list(code.iterdir()))


def test_a_semgrep_without_its_ocaml_command_line_runs_its_python_one(monkeypatch, tmp_path, vulnerable):
    real = semgrep_module.semgrep_executable()
    fake = tmp_path / "semgrep"
    fake.write_text(f"#!{sys.executable}\nimport os, sys\n"
                    "if '--experimental' in sys.argv:\n    sys.exit('Error: No such option: --experimental')\n"
                    f"os.execv({real!r}, [{real!r}, *sys.argv[1:]])\n", encoding="utf-8")
    fake.chmod(0o755)
    expected = SemgrepAnalyzer().run(load_code(vulnerable), Options())
    monkeypatch.setattr(semgrep_module, "semgrep_executable", lambda: str(fake))
    run = SemgrepAnalyzer().run(load_code(vulnerable), Options())
    assert run.status is RunStatus.OK and run.findings == expected.findings and run.findings


def test_larger_semgrep_runs_use_its_python_command_line(monkeypatch, vulnerable):
    """Past OCAML_FILES_MAX files osemgrep is no faster and takes more memory (see the semgrep module)."""
    argvs = []
    real = semgrep_module.run_process
    monkeypatch.setattr(semgrep_module, "run_process", lambda argv, **kw: argvs.append(argv) or real(argv, **kw))
    small = SemgrepAnalyzer().run(load_code(vulnerable), Options())
    monkeypatch.setattr(semgrep_module, "OCAML_FILES_MAX", 0)
    large = SemgrepAnalyzer().run(load_code(vulnerable), Options())
    assert ["--experimental" in argv for argv in argvs] == [True, False]
    assert small.findings == large.findings and small.findings
