"""The ruff analyzer: ruff's flake8-bandit rules (``ruff check --select S``), opt-in.

ruff ports most of bandit's tests as its ``S`` rules, so it mostly repeats what
bandit finds, in a fraction of the time. Running it by default would add a third
copy of many findings to every report, so the plugin is opt-in
(:attr:`~crosscheck.analyzers.base.Analyzer.default` is False): it runs only when
named (``--analyzer ruff``, or ``analyzers = [...]`` in the configuration).

Each finding is read from ruff's JSON and normalized like bandit's. ruff's rule
codes carry bandit's test numbers (S608 is bandit's B608), and
``crosscheck/data/ruff_rules.toml`` gives each code the CWE, severity and
confidence that bandit's source gives that test; the review vocabulary is
bandit's for that test. A code missing from the table (a rule newer than it, or
one with no bandit counterpart) is kept with no CWE, severity and confidence
medium, and no vocabulary. Only ruff's stable rules run (no ``--preview``), so
results do not move with ruff's preview rules; bandit's ``B4xx`` import rules are
preview rules in ruff.

Suppression comments are ruff's own: ``# noqa``, ``# noqa: S101``, file-wide
``# ruff: noqa``, ``# ruff: ignore[...]`` and ``# ruff: disable[...]``; ruff does
not read ``# nosec``. ruff keeps extending that syntax, so crosscheck does not
re-implement it: ruff runs with ``--ignore-noqa`` to report every finding, and
again, honouring the comments, on the files that hold one; a finding missing
from the second run is marked suppressed, with the comment that ruff honoured.
``--audit`` then counts it like any other, as with bandit's ``# nosec``.

ruff reports a file it cannot parse (Python 2, a syntax error) as
``invalid-syntax`` diagnostics (code null in older ruff, such as 0.5) and one it cannot
read (not UTF-8) on stderr; both are per-file errors that make the run partial,
never findings.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
import sys
import tempfile
import time
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crosscheck import DISTRIBUTION
from crosscheck.analyzers.bandit import vocabulary as bandit_vocabulary
from crosscheck.analyzers.base import (
    Analyzer,
    OutputTooLarge,
    ProcessResult,
    ProcessTimeout,
    ReportError,
    comments,
    completed_run,
    fingerprint,
    last_line,
    run_process,
    snippet_of,
)
from crosscheck.models import AnalyzerRun, CodeTarget, Confidence, Finding, Options, RunStatus, Severity

RULES_PATH = Path(__file__).resolve().parent.parent / "data" / "ruff_rules.toml"
DOCS_URI = "https://docs.astral.sh/ruff/rules/"
"""Where ruff documents each rule, by its name (the ``url`` of ruff's JSON diagnostics)."""

# --isolated: no ruff.toml or pyproject.toml (the target's or the user's) changes what runs;
# --no-cache: no .ruff_cache is read or written; --exit-zero: a non-zero exit means ruff failed.
# The target's files are passed one by one: ruff lints a file named on its command line even in a
# folder its default excludes or a .gitignore list (build/, .venv/), as --force-exclude stays off.
CHECK_FLAGS = ("check", "--select", "S", "--output-format", "json", "--no-cache", "--isolated", "--exit-zero")
# A file whose text has no "noqa" and no "ruff:" (any case) holds no comment that ruff honours.
_RUFF_COLON = re.compile(r"ruff\s*:")
# The suppression directive as the report shows it: noqa with or without codes, or a "ruff:" one.
_DIRECTIVE = re.compile(r"#\s*(?:noqa\b|ruff\s*:|flake8\s*:\s*noqa)[^#]*", re.IGNORECASE)
_FILE_WIDE = re.compile(r"#\s*(?:ruff|flake8)\s*:\s*(?:noqa|file-ignore)", re.IGNORECASE)
_OWN_LINE = re.compile(r"#\s*ruff\s*:\s*(?:ignore|disable)", re.IGNORECASE)
_FINDING_CODE = re.compile(r"S\d+")
_FAILED_TO_LINT = re.compile(r"Failed to lint (?P<path>.+?): (?P<reason>.+)$")
_VERSION = re.compile(r"ruff (\S+)")
_DEFAULT_LEVEL = ("medium", "medium")


@dataclass(frozen=True)
class RuleInfo:
    """What crosscheck knows about one ruff rule: the bandit test it ports, and that test's levels."""

    name: str
    bandit: str
    cwe: tuple[int, ...]
    severity: str
    confidence: str
    when: tuple[tuple[re.Pattern[str], str, str], ...] = ()
    """(pattern on ruff's message, severity, confidence) for the cases where bandit's levels differ."""

    def levels(self, message: str) -> tuple[str, str]:
        """Severity and confidence for a finding with ruff's ``message``."""
        for pattern, severity, confidence in self.when:
            if pattern.search(message):
                return severity, confidence
        return self.severity, self.confidence


@functools.cache
def rules() -> dict[str, RuleInfo]:
    """crosscheck's table of ruff's ``S`` rules, by rule code."""
    data = tomllib.loads(RULES_PATH.read_text(encoding="utf-8"))
    return {
        code: RuleInfo(
            name=str(entry["name"]),
            bandit=str(entry["bandit"]),
            cwe=(int(entry["cwe"]),) if entry.get("cwe") else (),
            severity=str(entry["severity"]),
            confidence=str(entry["confidence"]),
            when=tuple((re.compile(str(w["pattern"])), str(w["severity"]), str(w["confidence"]))
                       for w in entry.get("when", ())),
        )
        for code, entry in data.items()
    }


def ruff_executable() -> str | None:
    """The ruff installed beside this Python, else the one on PATH."""
    for name in ("ruff", "ruff.exe"):
        beside = Path(sys.executable).parent / name
        if beside.is_file():
            return str(beside)
    return shutil.which("ruff")


class RuffAnalyzer(Analyzer):
    """Runs ``ruff check --select S`` on the target's files; opt-in (see the module)."""

    name = "ruff"
    default = False
    information_uri = "https://docs.astral.sh/ruff/"
    # the bandit tests that are noise in test code (BanditAnalyzer.test_noise), as ruff's rules
    test_noise = frozenset({"S101", "S105", "S106", "S107", "S108", "S311"})

    def help_uris(self) -> Mapping[str, str]:
        return {code: DOCS_URI + rule.name for code, rule in rules().items()}

    def run(self, target: CodeTarget, options: Options) -> AnalyzerRun:
        exe = ruff_executable()
        if exe is None:
            return AnalyzerRun(self.name, "", RunStatus.MISSING,
                               message=f"ruff is not installed: pip install ruff (or pip install '{DISTRIBUTION}[ruff]')")
        deadline = time.monotonic() + options.timeout_s
        version = ""
        # A fresh working folder: ruff then names every file by its absolute path, even in warnings.
        with tempfile.TemporaryDirectory(prefix="crosscheck-ruff-") as cwd:
            def ruff(*args: str) -> ProcessResult:
                return run_process([exe, *args], timeout_s=max(deadline - time.monotonic(), 0.001), cwd=cwd)

            try:
                probe = ruff("--version")
                found = _VERSION.match(probe.stdout.strip())
                if probe.returncode != 0 or found is None:
                    why = _why(probe.stderr) or f"exit code {probe.returncode}"
                    return AnalyzerRun(self.name, "", RunStatus.FAILED, message=f"ruff at {exe} does not run ({why}): reinstall it, pip install ruff")
                version = found.group(1)
                everything = ruff(*CHECK_FLAGS, "--ignore-noqa", "--", *(f.abspath for f in target.files))
                marked = [f.abspath for f in target.files if may_suppress(f.text)]
                honoured = ruff(*CHECK_FLAGS, "--", *marked) if marked else None
            except ProcessTimeout as err:
                return AnalyzerRun(self.name, version, RunStatus.FAILED, message=f"ruff timed out: {err} (--timeout sets the limit)")
            except OutputTooLarge as err:
                return AnalyzerRun(self.name, version, RunStatus.FAILED, message=f"ruff failed: {err}")
            except OSError as err:
                return AnalyzerRun(self.name, version, RunStatus.FAILED, message=f"ruff could not be started ({err}): reinstall it, pip install ruff")
        duration_s = probe.duration_s + everything.duration_s + (honoured.duration_s if honoured else 0.0)
        try:
            found_all = diagnostics(everything)
            kept = diagnostics(honoured) if honoured else []
        except ReportError as err:
            return AnalyzerRun(self.name, version, RunStatus.FAILED, message=str(err), duration_s=duration_s)
        return parse_report(found_all, kept, marked, everything.stderr, target, version, duration_s)


def may_suppress(text: str) -> bool:
    """Whether ``text`` may hold a comment that ruff honours (a cheap test: false positives only cost time)."""
    lowered = text.lower()
    return "noqa" in lowered or ("ruff" in lowered and _RUFF_COLON.search(lowered) is not None)


def diagnostics(proc: ProcessResult) -> list[dict[str, Any]]:
    """The diagnostics ruff printed as JSON; :class:`ReportError` saying why when there are none to read."""
    if proc.returncode != 0:  # with --exit-zero, only a usage error or a crash
        raise ReportError(f"ruff failed: {_why(proc.stderr) or f'exit code {proc.returncode}'}")
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        raise ReportError(f"ruff failed: {_why(proc.stderr) or 'no JSON on stdout'}") from None
    if not isinstance(report, list) or not all(isinstance(item, dict) for item in report):
        raise ReportError("ruff's JSON is not a list of diagnostics")
    return report


def parse_report(found: Sequence[dict[str, Any]], kept: Sequence[dict[str, Any]], rechecked: Sequence[str],
                 stderr: str, target: CodeTarget, version: str, duration_s: float) -> AnalyzerRun:
    """Turn ruff's diagnostics into a normalized run.

    ``found`` is every diagnostic (``--ignore-noqa``); ``kept`` what ruff still
    reports on the ``rechecked`` files when it honours their suppression comments.
    """
    relative = _PathMap(target)
    suppressions = _Suppressions(target, kept, {path for given in rechecked if (path := relative.get(given)) is not None})
    findings = []
    problems: dict[str, tuple[int, str]] = {}
    for item in found:
        path = relative.get(str(item.get("filename", "")))
        if path is None:
            continue
        code = item.get("code")
        message = " ".join(str(item.get("message") or "").split())
        line = int((item.get("location") or {}).get("row") or 1)
        if isinstance(code, str) and _FINDING_CODE.fullmatch(code):
            findings.append(_finding(item, code, message, path, line, target, suppressions))
        elif path not in problems or line < problems[path][0]:  # a file's first problem says the most
            problems[path] = (line, _syntax_problem(code, message, line))
    errors = [f"{path}: {problem}" for path, (_, problem) in problems.items()]
    errors += _lint_failures(stderr, relative, problems)
    return completed_run("ruff", version, findings, errors, duration_s)


def _finding(item: Mapping[str, Any], code: str, message: str, path: str, line: int, target: CodeTarget,
             suppressions: _Suppressions) -> Finding:
    """One ``S`` diagnostic of ruff's as a finding, levelled and worded like bandit's test."""
    end_line = _end_line(item, line)
    rule = rules().get(code)
    severity, confidence = rule.levels(message) if rule else _DEFAULT_LEVEL
    snippet = snippet_of(target, path, line, end_line)
    return Finding(
        analyzer="ruff",
        rule_id=code,
        cwe=rule.cwe if rule else (),
        severity=Severity(severity),
        confidence=Confidence(confidence),
        path=path,
        line=line,
        end_line=end_line,
        message=f"{item.get('name') or (rule.name if rule else code)}: {message}",
        snippet=snippet,
        fingerprint=fingerprint("ruff", code, path, snippet),
        vocabulary=bandit_vocabulary().get(rule.bandit, ()) if rule else (),
        suppression=suppressions.comment(item, path, line, end_line),
    )


def _end_line(item: Mapping[str, Any], line: int) -> int:
    """The last line a diagnostic that starts at ``line`` flags."""
    end = item.get("end_location") or {}
    end_line = int(end.get("row") or line)
    if end_line > line and int(end.get("column") or 0) == 1:
        end_line -= 1  # the range stops at the start of that line: nothing of it is flagged
    return max(line, end_line)


class _Suppressions:
    """Which diagnostics ruff left out when it honoured the rechecked files' comments, and by which comment."""

    def __init__(self, target: CodeTarget, kept: Sequence[Mapping[str, Any]], rechecked: set[str]) -> None:
        self._target = target
        self._honoured = {_key(item) for item in kept}
        self._rechecked = rechecked
        self._comments: dict[str, dict[int, str]] = {}

    def comment(self, item: Mapping[str, Any], path: str, line: int, end_line: int) -> str:
        """The comment that suppresses diagnostic ``item`` (at ``path``, lines ``line..end_line``);
        "" when ruff reports it even while honouring the comments."""
        if path not in self._rechecked or _key(item) in self._honoured:
            return ""
        if path not in self._comments:
            source = self._target.file(path)
            self._comments[path] = comments(source.text) if source is not None else {}
        noqa_row = int(item.get("noqa_row") or line)
        return suppression_comment(self._comments[path], _lines_of(self._target, path), noqa_row, line, end_line)


def _lint_failures(stderr: str, relative: _PathMap, problems: Mapping[str, object]) -> list[str]:
    """The files ruff could not read (not UTF-8, say), from its warnings, as per-file errors;
    files that already have a problem keep that one."""
    errors = []
    for warning in stderr.splitlines():
        failed = _FAILED_TO_LINT.search(warning)
        if failed is None:
            continue
        path = relative.get(failed.group("path"))
        if path is not None and path not in problems:
            errors.append(f"{path}: {failed.group('reason').strip()}")
    return errors


def suppression_comment(file_comments: Mapping[int, str], lines: Sequence[str], noqa_row: int,
                        line: int, end_line: int) -> str:
    """The comment by which ruff suppressed a finding, as the report shows it.

    ruff has already decided that the finding is suppressed; this only finds the
    words: a directive on the line where ruff reads ``# noqa`` for the finding
    (``noqa_row``: the last line of a multi-line string) or on the finding's own
    lines, else the nearest own-line ``# ruff: ignore`` / ``# ruff: disable``
    above it, else a file-wide ``# ruff: noqa``.
    """
    for number in (noqa_row, *range(line, end_line + 1)):
        found = _DIRECTIVE.search(file_comments.get(number, ""))
        if found is not None:
            return found.group(0).strip()
    own_line = [n for n in sorted(file_comments) if n <= len(lines) and lines[n - 1].lstrip().startswith("#")]
    for number in sorted((n for n in own_line if n < line), reverse=True):
        if _OWN_LINE.search(file_comments[number]):
            return file_comments[number].strip()
    for number in own_line:
        if _FILE_WIDE.search(file_comments[number]):
            return file_comments[number].strip()
    return "# noqa"


def _why(stderr: str) -> str:
    """What ruff said went wrong: its first ``error:`` line (a usage error ends with a hint), else its last line."""
    for line in stderr.splitlines():
        if line.startswith("error:"):
            return line.removeprefix("error:").strip()[:300]
    return last_line(stderr)


def _syntax_problem(code: object, message: str, line: int) -> str:
    """A diagnostic that is no ``S`` finding, as a per-file error: almost always a syntax error."""
    if code in (None, "E999", "invalid-syntax") or message.startswith("SyntaxError:"):
        return f"invalid syntax at line {line}: {message.removeprefix('SyntaxError:').strip()}"
    return f"{code} at line {line}: {message}"


def _key(item: Mapping[str, Any]) -> tuple[str, str, int, int, int, int]:
    """What tells one of ruff's diagnostics from another in two runs over the same files."""
    start = item.get("location") or {}
    end = item.get("end_location") or {}
    return (str(item.get("filename")), str(item.get("code")), int(start.get("row") or 0),
            int(start.get("column") or 0), int(end.get("row") or 0), int(end.get("column") or 0))


class _PathMap:
    """Each file's path in the report, by a path ruff printed for it: the one it was given, else
    the file's real path (resolved only when needed, for a file reached through a link)."""

    def __init__(self, target: CodeTarget) -> None:
        self._given = {source.abspath: source.path for source in target.files}
        self._real: dict[str, str] | None = None

    def get(self, printed: str) -> str | None:
        if printed in self._given:
            return self._given[printed]
        if self._real is None:
            self._real = {str(Path(given).resolve()): path for given, path in self._given.items()}
        return self._real.get(str(Path(printed).resolve()))


def _lines_of(target: CodeTarget, path: str) -> tuple[str, ...]:
    source = target.file(path)
    return source.lines if source is not None else ()
