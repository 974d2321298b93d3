"""The semgrep rule pack: metadata on every rule, and `semgrep --test` on its annotated tests."""

from __future__ import annotations

import os
import subprocess

import pytest
import yaml

from conftest import REPO
from crosscheck.analyzers.semgrep import OFFLINE_FLAGS, semgrep_executable

RULES = REPO / "rules"
RULE_FILES = sorted(RULES.glob("*.yaml"))


def _rules():
    for path in RULE_FILES:
        for rule in yaml.safe_load(path.read_text(encoding="utf-8"))["rules"]:
            yield path, rule


def test_at_least_25_rules():
    assert len(list(_rules())) >= 25


@pytest.mark.parametrize("path, rule", list(_rules()), ids=lambda v: getattr(v, "name", None) or v.get("id", "?"))
def test_rule_metadata(path, rule):
    assert rule["severity"] in ("ERROR", "WARNING", "INFO")
    metadata = rule["metadata"]
    assert metadata["cwe"] and all(c.startswith("CWE-") for c in metadata["cwe"])
    assert metadata["confidence"] in ("HIGH", "MEDIUM", "LOW")
    assert "." not in rule["id"]
    test_file = path.with_suffix(".py")
    assert test_file.is_file(), f"{path.name} has no test file"
    text = test_file.read_text(encoding="utf-8")
    assert f"ruleid: {rule['id']}" in text and f"ok: {rule['id']}" in text


def test_semgrep_test_annotations_pass(tmp_path):
    env = dict(os.environ, SEMGREP_ENABLE_VERSION_CHECK="0", SEMGREP_SEND_METRICS="off",
               SEMGREP_SETTINGS_FILE=str(tmp_path / "settings.yml"), SEMGREP_LOG_FILE=str(tmp_path / "log"))
    proc = subprocess.run([semgrep_executable(), "--test", *OFFLINE_FLAGS, str(RULES)], capture_output=True,
                          text=True, env=env, cwd=tmp_path, timeout=600, check=False)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-3000:]
    assert "All tests passed" in output


def test_every_rule_cwe_is_in_the_lexicon():
    from crosscheck.cwe import Lexicon

    lexicon = Lexicon.default()
    missing = {(rule["id"], c) for _, rule in _rules() for c in rule["metadata"]["cwe"]
               if int(c.split(":")[0].removeprefix("CWE-")) not in lexicon}
    assert not missing
