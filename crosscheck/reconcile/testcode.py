"""The test-code policy: which files are tests, and which findings are noise there.

In a test file, ``assert`` is how tests work and a password literal is a fixture,
so bandit's ``assert_used`` or ``hardcoded_password_*`` say nothing about the
security of the product. Such findings stay in the report, marked as in a test
context, and are kept out of the verdict check (and of ``--fail-on missed``)
unless the user asks for them.

A pattern without ``/`` is matched against a file's name, one with ``/`` against
its whole path (posix-style, as reports show it); ``*`` matches across folders.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from pathlib import PurePosixPath

from crosscheck.models import Finding

DEFAULT_TEST_PATTERNS: tuple[str, ...] = (
    "test_*.py", "*_test.py", "conftest.py", "tests/*", "*/tests/*", "test/*", "*/test/*",
)
"""Where pytest, unittest and most projects keep tests (``nova/tests/...`` among them)."""

TEST_NOISE: frozenset[tuple[str, str]] = frozenset({
    ("bandit", "B101"),  # assert used
    ("bandit", "B105"),  # hardcoded password string
    ("bandit", "B106"),  # hardcoded password function argument
    ("bandit", "B107"),  # hardcoded password default argument
    ("bandit", "B108"),  # hardcoded /tmp path
    ("bandit", "B311"),  # random module
    ("ruff", "S101"),  # the same bandit tests, as ruff's flake8-bandit rules
    ("ruff", "S105"),
    ("ruff", "S106"),
    ("ruff", "S107"),
    ("ruff", "S108"),
    ("ruff", "S311"),
    ("semgrep", "hardcoded-credential"),
    ("semgrep", "hardcoded-tmp-path"),
    ("semgrep", "insecure-random-for-secret"),
    ("semgrep", "assert-used-for-authorization"),
})
"""(analyzer, rule id) of findings that are noise in test code."""


def is_test_path(path: str, patterns: Sequence[str] = ()) -> bool:
    """True when ``path`` names a test file by ``patterns`` (the defaults when empty)."""
    posix = path.replace("\\", "/")
    name = PurePosixPath(posix).name
    for pattern in patterns or DEFAULT_TEST_PATTERNS:
        subject = posix if "/" in pattern else name
        if fnmatch.fnmatchcase(subject, pattern):
            return True
    return False


def is_test_noise(finding: Finding) -> bool:
    """True when ``finding`` is of a kind that is noise in test code."""
    return (finding.analyzer, finding.rule_id) in TEST_NOISE
