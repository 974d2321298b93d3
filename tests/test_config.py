"""[tool.crosscheck] in pyproject.toml: found upward, checked, and always beaten by the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import CASES
from crosscheck.cli import cli
from crosscheck.errors import InputError
from crosscheck.load.config import find_pyproject, load_config
from crosscheck.models import Severity

CODE = str(CASES / "confirmed_exact" / "code.py")
REVIEW = str(CASES / "confirmed_exact" / "review.md")


def _project(folder: Path, table: str) -> Path:
    path = folder / "pyproject.toml"
    path.write_text('[project]\nname = "demo"\n\n[tool.crosscheck]\n' + table)
    return path


def test_found_from_a_subfolder_and_paths_resolved_against_it(tmp_path):
    (tmp_path / "semgrep-rules").mkdir()
    _project(tmp_path, 'analyzers = ["bandit"]\nrules = "semgrep-rules"\nmin-severity = "high"\ntimeout = 30\n'
                       'formats = ["json"]\n')
    sub = tmp_path / "src" / "pkg"
    sub.mkdir(parents=True)
    assert find_pyproject(sub) == tmp_path / "pyproject.toml"
    config = load_config(start=sub)
    assert config.analyzers == ("bandit",) and config.rules == str(tmp_path / "semgrep-rules")
    assert (config.min_severity, config.timeout_s, config.formats) == (Severity.HIGH, 30.0, ("json",))


def test_a_pyproject_without_the_table_is_passed_over(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert find_pyproject(tmp_path) is None or find_pyproject(tmp_path) != tmp_path / "pyproject.toml"


@pytest.mark.parametrize(("table", "message"), [
    ('min-severity = "critical"\n', "min-severity must be one of"),
    ('timeout = 0\n', "timeout must be"),
    ('timeout = true\n', "timeout must be"),
    ('analyzers = "bandit"\n', "analyzers must be a list"),
    ('rules = "missing-folder"\n', "does not exist"),
])
def test_bad_values_are_errors_naming_the_file(tmp_path, table, message):
    path = _project(tmp_path, table)
    with pytest.raises(InputError, match=message) as info:
        load_config(path)
    assert str(path) in str(info.value)


def test_unknown_keys_are_warnings(tmp_path):
    config = load_config(_project(tmp_path, 'min_severity = "high"\n'))
    assert config.min_severity is None
    assert len(config.warnings) == 1 and "unknown key 'min_severity'" in config.warnings[0]


def test_the_command_line_beats_the_file_which_beats_the_defaults(tmp_path, monkeypatch):
    _project(tmp_path, 'analyzers = ["bandit"]\nmin-severity = "high"\nformats = ["json"]\ncolour = "red"\n')
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    from_file = runner.invoke(cli, ["check", CODE, REVIEW, "--format", "json", "--output-dir", "out"])
    assert from_file.exit_code == 0, from_file.output
    data = json.loads(from_file.stdout)
    assert [a["name"] for a in data["analyzers"]] == ["bandit"]
    assert data["options"]["min_severity"] == "high"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["index.html", "review.json", "summary.json"]
    assert "unknown key 'colour'" in from_file.stderr
    from_line = runner.invoke(cli, ["check", CODE, REVIEW, "--format", "json", "--min-severity", "low",
                                    "--analyzer", "semgrep"])
    data = json.loads(from_line.stdout)
    assert [a["name"] for a in data["analyzers"]] == ["semgrep"] and data["options"]["min_severity"] == "low"


def test_an_explicit_config_file_and_an_unknown_format(tmp_path):
    path = _project(tmp_path, 'formats = ["json", "pdf"]\n')
    result = CliRunner().invoke(cli, ["check", CODE, REVIEW, "--config", str(path)])
    assert result.exit_code == 2 and "unknown format(s) pdf" in result.output
