"""The ruff plugin against the real ruff (and bandit, for the levels it borrows), and its failure modes."""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import textwrap
from pathlib import Path

import pytest

from crosscheck import analyzers
from crosscheck.analyzers import ruff as ruff_module
from crosscheck.analyzers.bandit import BanditAnalyzer, vocabulary
from crosscheck.analyzers.base import ProcessResult, ProcessTimeout, fingerprint
from crosscheck.analyzers.ruff import CHECK_FLAGS, RuffAnalyzer, ruff_executable, rules
from crosscheck.load.code import load_code
from crosscheck.models import Confidence, Options, RunStatus, Severity

pytestmark = pytest.mark.skipif(ruff_executable() is None, reason="ruff is not installed: pip install ruff")

# Several S rules, including the ones whose bandit levels depend on the case.
SAMPLE = textwrap.dedent('''\
    import crypt
    import hashlib
    import os
    import subprocess

    PASSWORD = "hunter2"


    def query(name):
        sql = """
        SELECT * FROM users WHERE name = '%s'
        """ % name
        return sql


    def run(cmd, data):
        subprocess.call(cmd, shell=True)
        subprocess.call("ls -l", shell=True)
        os.chmod("/srv/app", 0o777)
        os.chmod("/srv/app", 0o750)
        crypt.crypt("x", crypt.METHOD_MD5)
        return hashlib.md5(data).hexdigest()
    ''')

# ruff's suppression comments in several forms; the "# nosec" ones are not ruff's.
NOQA_SAMPLE = textwrap.dedent('''\
    import hashlib
    import pickle
    import subprocess

    TOKEN = "s3cr3t"  # noqa: S105
    KEY = "k3y"  # noqa: E501
    SECRET = "x"  # nosec


    def f(data, cmd):
        assert data  # noqa
        assert data  # NOQA:S101,S105 fixture
        assert data  # noqa: S105
        assert data  # ruff: ignore[S101]
        # ruff: ignore[S101]
        assert data
        assert data  # nosec B101
        subprocess.call(cmd, shell=True)  # noqa: S602
        pickle.loads(data)  # type: ignore # noqa: S301
        sql = """
        DELETE FROM t WHERE id = '%s'
        """ % data  # noqa: S608
        return hashlib.md5(data), sql  # noqa:S101
    ''')


def _write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def _ruff_itself(paths: list[Path]) -> set[tuple[str, int, str]]:
    """(file name, line, code) of what ruff reports when it honours its suppression comments."""
    exe = ruff_executable()
    assert exe is not None
    proc = subprocess.run([exe, *CHECK_FLAGS, "--", *map(str, paths)], capture_output=True, text=True, check=True)
    return {(Path(d["filename"]).name, d["location"]["row"], d["code"]) for d in json.loads(proc.stdout)}


def test_ruff_normalizes_findings(tmp_path):
    target = load_code(_write(tmp_path, {"mod.py": SAMPLE}) / "mod.py")
    run = RuffAnalyzer().run(target, Options())
    assert run.status is RunStatus.OK and run.version and not run.errors, run.message
    assert all(f.analyzer == "ruff" and f.path == "mod.py" and not f.suppression for f in run.findings)
    by_line = {(f.line, f.rule_id): f for f in run.findings}
    assert {(6, "S105"), (10, "S608"), (17, "S602"), (18, "S602"), (19, "S103"), (20, "S103"), (21, "S324"),
            (22, "S324")} <= set(by_line)
    sql = by_line[(10, "S608")]
    assert (sql.end_line, sql.cwe, sql.severity, sql.confidence) == (12, (89,), Severity.MEDIUM, Confidence.LOW)
    assert sql.snippet == "\n".join(SAMPLE.splitlines()[9:12])
    assert sql.message == "hardcoded-sql-expression: Possible SQL injection vector through string-based query construction"
    assert sql.fingerprint == fingerprint("ruff", "S608", "mod.py", sql.snippet)
    assert sql.vocabulary == vocabulary()["B608"] and sql.vocabulary
    assert (by_line[(17, "S602")].severity, by_line[(18, "S602")].severity) == (Severity.HIGH, Severity.LOW)
    assert (by_line[(19, "S103")].severity, by_line[(20, "S103")].severity) == (Severity.HIGH, Severity.MEDIUM)
    assert (by_line[(21, "S324")].severity, by_line[(22, "S324")].severity) == (Severity.MEDIUM, Severity.HIGH)


def test_ruff_levels_and_cwe_are_bandits_for_the_same_test(tmp_path):
    """Each ruff finding carries the CWE, severity and confidence that bandit gives the finding of the
    bandit test it ports, on the same line."""
    target = load_code(_write(tmp_path, {"mod.py": SAMPLE}))
    ruff_run = RuffAnalyzer().run(target, Options())
    bandit_run = BanditAnalyzer().run(target, Options())
    assert bandit_run.status is RunStatus.OK
    bandit = {(f.line, f.rule_id): f for f in bandit_run.findings}
    compared = 0
    for finding in ruff_run.findings:
        twin = bandit.get((finding.line, rules()[finding.rule_id].bandit))
        if twin is None:  # ruff's rule and bandit's test do not flag exactly the same code
            continue
        assert (finding.cwe, finding.severity, finding.confidence) == (twin.cwe, twin.severity, twin.confidence), \
            finding.rule_id
        compared += 1
    assert compared >= 8


def test_ruff_rule_table_names_real_bandit_tests():
    from bandit.core import extension_loader  # type: ignore[import-untyped]

    table = rules()
    assert {"S101", "S324", "S602", "S608"} <= set(table)
    for code, rule in table.items():
        assert rule.bandit == "B" + code[1:] and extension_loader.MANAGER.check_id(rule.bandit), code
        assert rule.cwe and rule.severity in ("low", "medium", "high") and rule.confidence in ("low", "medium", "high")


def test_ruff_noqa_suppression_matches_ruffs_own_reading(tmp_path):
    folder = _write(tmp_path, {
        "forms.py": NOQA_SAMPLE,
        "filewide.py": "import pickle\n# ruff: noqa: S301\npickle.loads(b'')\nassert pickle\n",
        "plain.py": "assert True  # nosec\n",
    })
    run = RuffAnalyzer().run(load_code(folder), Options())
    assert run.status is RunStatus.OK, run.message
    reported = {(Path(f.path).name, f.line, f.rule_id) for f in run.findings if not f.suppression}
    assert reported == _ruff_itself(sorted(folder.glob("*.py")))
    suppressed = {(f.path, f.line, f.rule_id): f.suppression for f in run.findings if f.suppression}
    noqa = {
        ("forms.py", 5, "S105"): "# noqa: S105",
        ("forms.py", 11, "S101"): "# noqa",
        ("forms.py", 12, "S101"): "# NOQA:S101,S105 fixture",
        ("forms.py", 18, "S602"): "# noqa: S602",
        ("forms.py", 19, "S301"): "# noqa: S301",
        ("forms.py", 20, "S608"): "# noqa: S608",  # read at the string's last line, where ruff reads it
        ("filewide.py", 3, "S301"): "# ruff: noqa: S301",
    }
    # ruff reads "# ruff: ignore[...]" since 0.15 (on the line, or alone on the line above)
    ignore = {("forms.py", 14, "S101"): "# ruff: ignore[S101]", ("forms.py", 16, "S101"): "# ruff: ignore[S101]"}
    assert suppressed in ({**noqa, **ignore}, noqa)
    # a comment naming other codes suppresses nothing, and ruff does not read bandit's "# nosec"
    assert {("forms.py", 13, "S101"), ("forms.py", 17, "S101"), ("forms.py", 7, "S105"),
            ("forms.py", 23, "S324"), ("plain.py", 1, "S101")} <= {(f.path, f.line, f.rule_id) for f in run.findings
                                                                  if not f.suppression}


def test_ruff_python2_file_makes_a_partial_run(tmp_path):
    folder = _write(tmp_path, {"legacy.py": 'print "hello"\nexec "x = 1"\n', "good.py": SAMPLE})
    run = RuffAnalyzer().run(load_code(folder), Options())
    assert run.status is RunStatus.PARTIAL and "1 file(s)" in run.message
    assert len(run.errors) == 1 and run.errors[0].startswith("legacy.py: invalid syntax at line 1")
    assert all(f.rule_id.startswith("S") and f.path == "good.py" for f in run.findings) and run.findings


def test_ruff_unreadable_file_is_an_error(tmp_path):
    (tmp_path / "latin.py").write_bytes(b'# -*- coding: latin-1 -*-\nNAME = "caf\xe9"\n')
    _write(tmp_path, {"good.py": SAMPLE})
    run = RuffAnalyzer().run(load_code(tmp_path), Options())
    assert run.status is RunStatus.PARTIAL
    assert [e.split(":")[0] for e in run.errors] == ["latin.py"]


def test_ruff_analyzes_tests_folders_and_ignored_files(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    vulnerable = "import pickle\n\n\ndef load(blob):\n    return pickle.loads(blob)\n"
    folder = _write(tmp_path, {
        ".gitignore": "generated/\nlocal_*.py\n",
        "tests/test_load.py": vulnerable,
        "generated/model.py": vulnerable,
        "local_settings.py": vulnerable,
        "build/lib/mod.py": vulnerable,  # a folder ruff's default excludes
        "app.py": vulnerable,
    })
    target = load_code(folder)
    run = RuffAnalyzer().run(target, Options())
    assert run.status is RunStatus.OK, (run.message, run.errors)
    assert {f.path for f in run.findings if f.rule_id == "S301"} == {f.path for f in target.files}


def test_ruff_missing_executable(monkeypatch, tmp_path):
    monkeypatch.setattr(ruff_module, "ruff_executable", lambda: None)
    run = RuffAnalyzer().run(load_code(_write(tmp_path, {"m.py": SAMPLE})), Options())
    assert run.status is RunStatus.MISSING and "pip install ruff" in run.message


def _faulty(monkeypatch, fault):
    """Replace ruff's check runs (not ``--version``) with ``fault(real result)``."""
    real = ruff_module.run_process

    def injected(argv, *, timeout_s, env=None, cwd=None):
        result = real(argv, timeout_s=timeout_s, env=env, cwd=cwd)
        return result if "check" not in argv else fault(result)

    monkeypatch.setattr(ruff_module, "run_process", injected)


def test_ruff_timeout_fails_with_a_message(monkeypatch, tmp_path):
    def timeout(result):
        raise ProcessTimeout("no result after 1 s")

    _faulty(monkeypatch, timeout)
    run = RuffAnalyzer().run(load_code(_write(tmp_path, {"m.py": SAMPLE})), Options(timeout_s=1))
    assert run.status is RunStatus.FAILED and run.message.startswith("ruff timed out: no result after 1 s")


@pytest.mark.parametrize(("fault", "message"), [
    (lambda r: ProcessResult(0, "[{]", "", r.duration_s), "ruff failed: no JSON on stdout"),
    (lambda r: ProcessResult(0, '{"results": []}', "", r.duration_s), "ruff's JSON is not a list of diagnostics"),
    (lambda r: ProcessResult(2, r.stdout, "error: something broke\n", r.duration_s), "ruff failed: something broke"),
])
def test_ruff_crash_or_garbage_fails_with_a_message(monkeypatch, tmp_path, fault, message):
    _faulty(monkeypatch, fault)
    run = RuffAnalyzer().run(load_code(_write(tmp_path, {"m.py": SAMPLE})), Options())
    assert run.status is RunStatus.FAILED and message in run.message and not run.findings


def _ep(name: str, value: str) -> importlib.metadata.EntryPoint:
    return importlib.metadata.EntryPoint(name=name, value=value, group=analyzers.GROUP)


def test_ruff_is_registered_but_opt_in():
    assert "ruff" in analyzers.available()
    eps = [_ep("bandit", "crosscheck.analyzers.bandit:BanditAnalyzer"), _ep("ruff", "crosscheck.analyzers.ruff:RuffAnalyzer")]
    assert [a.name for a in analyzers.load([], eps)] == ["bandit"]
    assert [a.name for a in analyzers.load(["ruff"], eps)] == ["ruff"]
    assert [a.name for a in analyzers.load(["bandit", "ruff"], eps)] == ["bandit", "ruff"]


def test_ruff_runs_in_the_pipeline_when_named(tmp_path):
    import crosscheck

    code = _write(tmp_path, {"mod.py": SAMPLE}) / "mod.py"
    report = crosscheck.check(str(code), review_text="The code uses MD5 at line 22.", analyzers=["ruff"])
    data = report.to_dict()
    assert [(a["name"], a["status"]) for a in data["analyzers"]] == [("ruff", "ok")]
    assert {(f["analyzer"], f["rule_id"], f["line"]) for f in data["findings"]} >= {("ruff", "S324", 22)}
