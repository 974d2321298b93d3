"""The bandit analyzer: every bandit plugin, read from its JSON report."""

from __future__ import annotations

import functools
import importlib.metadata
import re
import sys
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from crosscheck.analyzers.base import (
    Analyzer,
    FileComments,
    OutputTooLarge,
    ProcessTimeout,
    ReportError,
    completed_run,
    fingerprint,
    json_report,
    run_process,
    snippet_of,
)
from crosscheck.models import AnalyzerRun, CodeTarget, Confidence, Finding, Options, RunStatus, Severity

_LEVELS = {"LOW": "low", "MEDIUM": "medium", "HIGH": "high", "UNDEFINED": "low"}
VOCABULARY_PATH = Path(__file__).resolve().parent.parent / "data" / "bandit_vocabulary.toml"
DOCS_PATH = Path(__file__).resolve().parent.parent / "data" / "bandit_docs.toml"
DOCS_URI = "https://bandit.readthedocs.io/en/latest/"
# bandit's own reading of a suppression comment: "# nosec", "# nosec B602", "# nosec: B602, B607".
_NOSEC = re.compile(r"#\s*nosec:?\s*(?P<tests>[^#]+)?#?")
_NOSEC_WORD = re.compile(r"[A-Za-z\d_]+")


class BanditAnalyzer(Analyzer):
    """Runs ``python -m bandit -f json`` on the target's files.

    bandit's exit code says only whether it found something (1) and is 0 even
    when files failed to parse, so the run's status is read from the ``errors``
    list of its JSON, never from the exit code.

    bandit runs with ``--ignore-nosec`` so that suppressed findings are reported
    too; crosscheck reads the ``# nosec`` comments itself the way bandit does and
    marks those findings (:func:`nosec_suppression`).
    """

    name = "bandit"
    jobs = 2  # bandit uses one core; a batch splits its files across processes
    information_uri = "https://github.com/PyCQA/bandit"
    test_noise = frozenset({
        "B101",  # assert used
        "B105",  # hardcoded password string
        "B106",  # hardcoded password function argument
        "B107",  # hardcoded password default argument
        "B108",  # hardcoded /tmp path
        "B311",  # random module
    })

    def help_uris(self) -> Mapping[str, str]:
        return docs()

    def cache_key(self, options: Options) -> str | None:
        try:
            version = importlib.metadata.version("bandit")
        except importlib.metadata.PackageNotFoundError:
            return None
        return f"bandit {version} --ignore-nosec"

    def run(self, target: CodeTarget, options: Options) -> AnalyzerRun:
        try:
            version = importlib.metadata.version("bandit")
        except importlib.metadata.PackageNotFoundError:
            return AnalyzerRun(self.name, "", RunStatus.MISSING, message="bandit is not installed: pip install bandit")
        argv = [sys.executable, "-m", "bandit", "--format", "json", "--quiet", "--ignore-nosec", "--", *(f.abspath for f in target.files)]
        try:
            proc = run_process(argv, timeout_s=options.timeout_s)
        except ProcessTimeout as err:
            return AnalyzerRun(self.name, version, RunStatus.FAILED, message=f"bandit timed out: {err}")
        except OutputTooLarge as err:
            return AnalyzerRun(self.name, version, RunStatus.FAILED, message=f"bandit failed: {err}")
        try:
            report = json_report("bandit", proc)
        except ReportError as err:
            return AnalyzerRun(self.name, version, RunStatus.FAILED, message=str(err), duration_s=proc.duration_s)
        return parse_report(report, target, version, proc.duration_s)


def parse_report(report: dict[str, Any], target: CodeTarget, version: str, duration_s: float) -> AnalyzerRun:
    """Turn bandit's JSON report into a normalized run."""
    relative = {f.abspath: f.path for f in target.files}
    nosec = FileComments(target, "nosec")
    findings = []
    for item in report["results"]:
        path = relative.get(str(item.get("filename", "")))
        if path is None:
            continue
        line = int(item.get("line_number") or 1)
        line_range = [int(n) for n in item.get("line_range") or [line]]
        end_line = max([line, *line_range])
        rule_id = str(item.get("test_id", "B000"))
        snippet = snippet_of(target, path, line, end_line)
        cwe = item.get("issue_cwe") or {}
        cwe_id = int(cwe.get("id") or 0)
        findings.append(Finding(
            analyzer="bandit",
            rule_id=rule_id,
            cwe=(cwe_id,) if cwe_id else (),
            severity=Severity(_LEVELS.get(str(item.get("issue_severity")), "low")),
            confidence=Confidence(_LEVELS.get(str(item.get("issue_confidence")), "low")),
            path=path,
            line=line,
            end_line=end_line,
            message=f"{item.get('test_name', '')}: {item.get('issue_text', '')}".strip(": "),
            snippet=snippet,
            fingerprint=fingerprint("bandit", rule_id, path, snippet),
            vocabulary=vocabulary().get(rule_id, ()),
            suppression=nosec_suppression(nosec.comments(path), range(line, end_line + 1), rule_id,
                                          str(item.get("test_name", ""))),
        ))
    errors = tuple(sorted(
        f"{relative.get(str(e.get('filename')), e.get('filename'))}: {e.get('reason', 'error')}"
        for e in report.get("errors") or []
    ))
    return completed_run("bandit", version, findings, errors, duration_s)


@functools.cache
def vocabulary() -> dict[str, tuple[str, ...]]:
    """crosscheck's table of the words reviews use for each bandit test, by test id."""
    data = tomllib.loads(VOCABULARY_PATH.read_text(encoding="utf-8"))
    return {test: tuple(str(t) for t in terms) for test, terms in data.items()}


@functools.cache
def docs() -> dict[str, str]:
    """The documentation page of each bandit test, by test id (from bandit's own links)."""
    data = tomllib.loads(DOCS_PATH.read_text(encoding="utf-8"))
    return {test: DOCS_URI + str(page) for test, page in data.items()}


def nosec_suppression(file_comments: dict[int, str], lines: range, test_id: str, test_name: str) -> str:
    """The ``# nosec`` comment on ``lines`` that suppresses test ``test_id``, or "".

    As bandit reads it: a comment on any line of the flagged statement; a bare
    ``# nosec`` suppresses every test, one naming tests (by id or name) only those;
    words that name no bandit test are ignored.
    """
    for line in lines:
        match = _NOSEC.search(file_comments.get(line, ""))
        if match is None:
            continue
        named = {_test_id(w) for w in _NOSEC_WORD.findall(match.group("tests") or "")} - {None}
        if not named or test_id in named or (test_name and _test_id(test_name) in named):
            return match.group(0).rstrip("#").strip()
    return ""


@functools.cache
def _test_id(word: str) -> str | None:
    """The bandit test id that ``word`` names (an id or a test name), None for any other word."""
    from bandit.core import extension_loader  # type: ignore[import-untyped]  # imported only when needed

    manager = extension_loader.MANAGER
    if manager.check_id(word):
        return word
    found = manager.get_test_id(word)
    return str(found) if found else None
