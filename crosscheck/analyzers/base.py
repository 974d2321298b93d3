"""The one small interface every analyzer plugin implements, and shared helpers."""

from __future__ import annotations

import abc
import hashlib
import io
import json
import os
import re
import selectors
import subprocess
import tempfile
import time
import tokenize
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import IO, Any, ClassVar

from crosscheck import interrupts
from crosscheck.models import AnalyzerInfo, AnalyzerRun, CodeTarget, Finding, Options, RunStatus


class Analyzer(abc.ABC):
    """A static analyzer that turns a code target into normalized findings.

    Implementations decide nothing about the review: they only report what the
    tool found. A run that fails returns an :class:`AnalyzerRun` whose status says
    so; it does not raise, so the other analyzers' results are kept.
    """

    name: ClassVar[str]
    """Short stable name, also the entry-point name (``bandit``, ``semgrep``)."""

    default: ClassVar[bool] = True
    """Runs when no analyzer is named; an opt-in plugin sets False and runs only when named."""

    jobs: ClassVar[int] = 1
    """How many processes of this analyzer a batch may run side by side, each on a part of the files
    (for analyzers that use one core each, like bandit); 1 for analyzers that use every core themselves."""

    information_uri: ClassVar[str] = ""
    """The tool's home page, for reports (SARIF ``informationUri``); "" for none."""

    test_noise: ClassVar[frozenset[str]] = frozenset()
    """Ids of this analyzer's rules whose findings are noise in test code: in a test file,
    ``assert`` is how tests work and a password literal is a fixture."""

    @abc.abstractmethod
    def run(self, target: CodeTarget, options: Options) -> AnalyzerRun:
        """Analyze every file of ``target`` and return the normalized result."""

    def help_uris(self) -> Mapping[str, str]:
        """The documentation page of each rule that has one, by rule id (none, unless a plugin says)."""
        return {}

    def info(self) -> AnalyzerInfo:
        """What the stages after this analyzer need to know of it, carried on each of its runs."""
        return AnalyzerInfo(self.information_uri, frozenset(self.test_noise), tuple(sorted(self.help_uris().items())))

    def cache_key(self, options: Options) -> str | None:
        """What the analyzer's result for one file depends on besides the file: its version and
        configuration (rules), as text. None (the default) means its results are never cached;
        a plugin that returns a key promises that each file's findings depend only on that file."""
        return None


OUTPUT_LIMIT = 256 * 2**20
"""The most an analyzer may print on stdout, and on stderr, in bytes: past it the analyzer is killed and its
run fails (:class:`OutputTooLarge`). Far above real reports (semgrep's JSON on nova's 844 test files is a
few MB); while crosscheck reads an output it holds about twice its size, then its parsed JSON."""


@dataclass(frozen=True)
class ProcessResult:
    """What a finished child process left behind."""

    returncode: int
    stdout: str
    stderr: str
    duration_s: float


class ProcessTimeout(Exception):
    """The child process ran past its time limit and was killed."""


class OutputTooLarge(Exception):
    """The child process printed more than :data:`OUTPUT_LIMIT` on stdout or stderr and was killed."""


def run_process(
    argv: Sequence[str], *, timeout_s: float, env: Mapping[str, str] | None = None, cwd: str | None = None
) -> ProcessResult:
    """Run ``argv`` without a shell and capture its output as text.

    The output goes to temporary files as it comes, so a flood costs disk up to
    :data:`OUTPUT_LIMIT`, not memory. Raises :class:`ProcessTimeout` when the
    limit passes, :class:`OutputTooLarge` past the output limit (the process, and
    what it started, killed in both cases), ``KeyboardInterrupt`` when the run is
    stopped (:mod:`crosscheck.interrupts`), and ``FileNotFoundError`` when the
    executable does not exist.
    """
    start = time.perf_counter()
    deadline = time.monotonic() + timeout_s
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        with interrupts.child(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env=dict(env) if env is not None else None, cwd=cwd) as proc:
            _copy_output(proc, {"stdout": out, "stderr": err}, deadline, f"no result after {timeout_s:g} s")
            try:
                returncode = proc.wait(max(deadline - time.monotonic(), 0.001))
            except subprocess.TimeoutExpired:  # it closed its output but went on
                raise ProcessTimeout(f"no result after {timeout_s:g} s") from None
        return ProcessResult(returncode, _text(out), _text(err), time.perf_counter() - start)


def _copy_output(proc: subprocess.Popen[bytes], sinks: Mapping[str, IO[bytes]], deadline: float,
                 late: str) -> None:
    """Copy ``proc``'s stdout and stderr into ``sinks`` until both are closed (:func:`run_process`)."""
    with selectors.DefaultSelector() as selector:
        for name, stream in (("stdout", proc.stdout), ("stderr", proc.stderr)):
            if stream is not None:  # both are pipes
                selector.register(stream, selectors.EVENT_READ, name)
        while selector.get_map():
            left = deadline - time.monotonic()
            if left <= 0:
                raise ProcessTimeout(late)
            for key, _ in selector.select(left):
                chunk = os.read(key.fd, 1 << 16)
                if not chunk:
                    selector.unregister(key.fileobj)
                    continue
                sink = sinks[key.data]
                sink.write(chunk)
                if sink.tell() > OUTPUT_LIMIT:
                    raise OutputTooLarge(f"output larger than {OUTPUT_LIMIT / 2**20:g} MiB on {key.data}")


def _text(file: IO[bytes]) -> str:
    """What was written to ``file``, decoded (its bytes are let go as soon as they are)."""
    file.seek(0)
    return file.read().decode("utf-8", errors="replace")


class ReportError(Exception):
    """An analyzer's output could not be read as its JSON report."""


def json_report(name: str, proc: ProcessResult) -> dict[str, Any]:
    """The JSON object an analyzer printed, which must hold a ``results`` list.

    Raises :class:`ReportError` saying why, with the analyzer's last stderr line
    when it printed no JSON (a crash, a usage error, a missing module).
    """
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        why = last_line(proc.stderr) or f"exit code {proc.returncode}, no JSON on stdout"
        raise ReportError(f"{name} failed: {why}") from None
    if not isinstance(report, dict) or not isinstance(report.get("results"), list):
        raise ReportError(f"{name}'s JSON has no results list")
    return report


def last_line(text: str, limit: int = 300) -> str:
    """The last non-empty line of ``text``, shortened: enough to say what went wrong."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:limit] if lines else ""


_SPACE = re.compile(r"\s+")


def snippet_of(target: CodeTarget, path: str, line: int, end_line: int) -> str:
    """The source lines ``line..end_line`` of ``path``, read from the file itself."""
    source = target.file(path)
    if source is None:
        return ""
    lines = source.lines
    return "\n".join(lines[max(line, 1) - 1 : max(end_line, line)])


def comments(text: str) -> dict[int, str]:
    """Every comment of a Python file by line number (by ``#`` outside strings when it does not tokenize)."""
    found: dict[int, str] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT:
                found[tok.start[0]] = tok.string
    except (tokenize.TokenError, SyntaxError):
        found = {n: line[line.index("#"):] for n, line in enumerate(text.splitlines(), start=1) if "#" in line}
    return found


class FileComments:
    """The comments of a target's files, read lazily and only from files that contain ``marker``."""

    def __init__(self, target: CodeTarget, marker: str) -> None:
        self._target = target
        self._marker = marker
        self._read: dict[str, dict[int, str]] = {}

    def comments(self, path: str) -> dict[int, str]:
        """The comments of the file at ``path`` by line number; empty when it cannot hold the marker."""
        if path not in self._read:
            source = self._target.file(path)
            text = source.text if source is not None else ""
            self._read[path] = comments(text) if self._marker in text else {}
        return self._read[path]


def fingerprint(analyzer: str, rule_id: str, path: str, snippet: str) -> str:
    """Hash of what a finding is about, independent of its line number."""
    normalized = _SPACE.sub(" ", snippet).strip()
    digest = hashlib.sha256("\x1f".join((analyzer, rule_id, path, normalized)).encode("utf-8"))
    return digest.hexdigest()[:32]


def completed_run(name: str, version: str, findings: Iterable[Finding], errors: Iterable[str],
                  duration_s: float) -> AnalyzerRun:
    """The run of an analyzer that finished: ``partial`` when some files had ``errors``
    (``"path: reason"``), ``ok`` otherwise; findings finalized, errors sorted."""
    errors = tuple(sorted(errors))
    status = RunStatus.PARTIAL if errors else RunStatus.OK
    message = f"{name} could not analyze {len(errors)} file(s)" if errors else ""
    return AnalyzerRun(name, version, status, finalize(findings), errors, message, duration_s)


def finalize(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Sort findings and make fingerprints unique within one analyzer's run.

    Identical code flagged twice by the same rule in the same file would share a
    fingerprint; the second and later copies get an occurrence suffix, counted in
    line order so the result does not depend on the analyzer's output order.
    """
    ordered = sorted(set(findings), key=sort_key)
    seen: Counter[str] = Counter()
    result = []
    for finding in ordered:
        seen[finding.fingerprint] += 1
        count = seen[finding.fingerprint]
        result.append(finding if count == 1 else replace(finding, fingerprint=f"{finding.fingerprint}:{count}"))
    return tuple(result)


def sort_key(finding: Finding) -> tuple[object, ...]:
    """The canonical order of findings in every report: by place and rule, then by every other field, so that
    two findings of one rule on one line (bandit's B105 on each key of a dict literal) come in the same
    order whatever order the analyzer gave them in and whatever the process's string hashing."""
    return (finding.path, finding.line, finding.end_line, finding.analyzer, finding.rule_id, finding.message,
            finding.snippet, finding.severity.value, finding.confidence.value, finding.cwe, finding.fingerprint,
            finding.vocabulary, finding.suppression)


def child_env(extra: Mapping[str, str]) -> dict[str, str]:
    """The environment for an analyzer child process: ours plus ``extra``."""
    env = dict(os.environ)
    env.update(extra)
    return env
