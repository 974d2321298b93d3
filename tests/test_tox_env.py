"""`tox -e crosscheck -- CODE REVIEW` from another project's checkout, as docs/ci.md tells CI to run it.

A real tox run in a throwaway project that installs crosscheck from this
checkout: about 20 s with a warm pip cache.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

from conftest import REPO
from crosscheck.formats import SUFFIXES

TOX_INI = """\
[tox]
requires = tox>=4

[testenv:crosscheck]
description = check security reviews against bandit and semgrep; reports go to reports/
skip_install = true
deps = crosscheck-review @ {source}
set_env =
    SEMGREP_ENABLE_VERSION_CHECK = 0
    SEMGREP_SEND_METRICS = off
commands = crosscheck check --output-dir {{tox_root}}/reports {{posargs}}
"""


def test_the_tox_env_checks_a_pair_of_another_project(tmp_path):
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    shutil.copy(REPO / "samples" / "archive" / "restore.py", project / "src" / "restore.py")
    shutil.copy(REPO / "samples" / "archive" / "review.md", project / "src" / "restore.review.md")
    (project / "tox.ini").write_text(TOX_INI.format(source=REPO.as_uri()))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TOX_", "VIRTUAL_ENV"))}
    result = subprocess.run(
        [sys.executable, "-m", "tox", "-e", "crosscheck", "--", "src/restore.py", "src/restore.review.md"],
        cwd=project, env=env, capture_output=True, text=True, timeout=900, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    reports = project / "reports"
    written = sorted(p.name for p in reports.iterdir())
    assert written == sorted([f"restore.review.{suffix}" for suffix in SUFFIXES.values()]
                             + ["index.html", "summary.json"])
    data = json.loads((reports / "restore.review.json").read_text())
    assert data["code"]["path"] == "src/restore.py"
    assert data["metrics"]["outcomes"]["confirmed"] == 4
