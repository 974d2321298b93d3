"""The test-code policy: which files are tests, and which findings are noise there.

In a test file, ``assert`` is how tests work and a password literal is a fixture,
so bandit's ``assert_used`` or ``hardcoded_password_*`` say nothing about the
security of the product. Such findings stay in the report, marked as in a test
context, and are kept out of the verdict check (and of ``--fail-on missed``)
unless the user asks for them. Which files are tests is decided here; which rules
are noise there is each analyzer plugin's knowledge
(:attr:`~crosscheck.analyzers.base.Analyzer.test_noise`), read from its runs.

A pattern without ``/`` is matched against a file's name, one with ``/`` against
its whole path (posix-style, as reports show it); ``*`` matches across folders.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from pathlib import PurePosixPath

from crosscheck.models import AnalyzerRun, Finding

DEFAULT_TEST_PATTERNS: tuple[str, ...] = (
    "test_*.py", "*_test.py", "conftest.py", "tests/*", "*/tests/*", "test/*", "*/test/*",
)
"""Where pytest, unittest and most projects keep tests (``nova/tests/...`` among them)."""


def is_test_path(path: str, patterns: Sequence[str] = ()) -> bool:
    """True when ``path`` names a test file by ``patterns`` (the defaults when empty)."""
    posix = path.replace("\\", "/")
    name = PurePosixPath(posix).name
    for pattern in patterns or DEFAULT_TEST_PATTERNS:
        subject = posix if "/" in pattern else name
        if fnmatch.fnmatchcase(subject, pattern):
            return True
    return False


def in_test_context(runs: Iterable[AnalyzerRun], test_files: frozenset[str]) -> frozenset[Finding]:
    """The findings of ``runs`` that are in one of ``test_files`` and of a rule that the analyzer
    which found them calls noise in test code (its plugin's ``test_noise``, carried on each run)."""
    return frozenset(f for run in runs for f in run.findings
                     if f.path in test_files and f.rule_id in run.info.test_noise)
