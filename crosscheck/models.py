"""The typed values that flow between crosscheck's stages.

Every stage is a function from one of these values to the next; all of them are
frozen so a stage can never change what an earlier stage produced.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import cached_property


class Severity(str, enum.Enum):
    """How bad a finding is, on the three-step scale both analyzers share."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        """Order of the levels: low < medium < high."""
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 2}


class Confidence(str, enum.Enum):
    """How sure the analyzer is that its finding is real."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


@dataclass(frozen=True)
class SourceFile:
    """One Python file of the code under review, read once into memory."""

    path: str
    """Path relative to the code root, with forward slashes (what reports show)."""
    abspath: str
    """Absolute path on disk (what analyzers are given)."""
    sha256: str
    """Hex digest of the bytes that were read."""
    text: str
    """The file decoded as UTF-8 (undecodable bytes replaced)."""

    @cached_property
    def lines(self) -> tuple[str, ...]:
        """The file's lines without line endings; line N is ``lines[N - 1]``."""
        return tuple(self.text.splitlines())

    @cached_property
    def line_count(self) -> int:
        """``len(lines)``, counted without splitting the text when its only line break is ``\\n`` (a
        report lists the line count of every file of a tree, and most are never split)."""
        if "lines" in self.__dict__ or any(brk in self.text for brk in _OTHER_LINE_BREAKS):
            return len(self.lines)
        return self.text.count("\n") + (self.text != "" and not self.text.endswith("\n"))


_OTHER_LINE_BREAKS = "\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
"""The line boundaries of :meth:`str.splitlines` other than ``\\n``, each looked for with ``in`` (a fast
search: a regex class would scan the text of a 30 MB tree ten times slower)."""


@dataclass(frozen=True)
class CodeTarget:
    """The code half of a pair: a file or a directory of Python files."""

    root: str
    """The path the user gave, absolute."""
    is_dir: bool
    """True when the user gave a directory."""
    files: tuple[SourceFile, ...]
    """Every Python file found, sorted by path."""
    skipped: tuple[str, ...] = ()
    """Python files of a directory that could not be read, as ``"path: why"``; not part of the check."""

    def file(self, path: str) -> SourceFile | None:
        """The file with this relative path, if it is part of the target."""
        return self._by_path.get(path)

    @cached_property
    def _by_path(self) -> dict[str, SourceFile]:
        return {source.path: source for source in self.files}


@dataclass(frozen=True)
class Finding:
    """One analyzer result, normalized so bandit and semgrep look alike."""

    analyzer: str
    rule_id: str
    cwe: tuple[int, ...]
    severity: Severity
    confidence: Confidence
    path: str
    """Relative to the code root, like :attr:`SourceFile.path`."""
    line: int
    end_line: int
    message: str
    snippet: str
    """The flagged source lines, read by crosscheck from the file itself."""
    fingerprint: str
    """Stable id: hash of analyzer, rule, path and whitespace-normalized code."""
    vocabulary: tuple[str, ...] = ()
    """Words a review would use for what the rule finds ("weak hash", "md5"): the rule's own
    ``metadata.vocabulary`` for semgrep, crosscheck's table for bandit's tests."""
    suppression: str = ""
    """The ``# nosec`` or ``# nosemgrep`` comment that suppresses the finding in the code, if any."""


class RunStatus(str, enum.Enum):
    """What became of one analyzer's run."""

    OK = "ok"
    """Ran and every file was analyzed."""
    PARTIAL = "partial"
    """Ran, but reported errors for some files (see the run's errors)."""
    FAILED = "failed"
    """Crashed, timed out or produced output that could not be read."""
    MISSING = "missing"
    """Not installed."""


@dataclass(frozen=True)
class AnalyzerInfo:
    """What an analyzer plugin says about itself and its rules, carried on each of its runs so that
    the stages after it (the test-code policy, the report formats) never need to name an analyzer."""

    information_uri: str = ""
    """The tool's home page (SARIF ``tool.driver.informationUri``); "" when it gives none."""
    test_noise: frozenset[str] = frozenset()
    """Ids of the rules whose findings are noise in test code (assert used, a test password)."""
    help_uris: tuple[tuple[str, str], ...] = ()
    """(rule id, the rule's documentation page), sorted by rule id; rules without a page are left out."""

    def help_uri(self, rule_id: str) -> str:
        """The documentation page of rule ``rule_id``; "" when it has none."""
        return self._help.get(rule_id, "")

    @cached_property
    def _help(self) -> dict[str, str]:
        return dict(self.help_uris)


@dataclass(frozen=True)
class AnalyzerRun:
    """The outcome of running one analyzer over a code target."""

    name: str
    version: str
    status: RunStatus
    findings: tuple[Finding, ...] = ()
    errors: tuple[str, ...] = ()
    """Per-file problems the analyzer reported (parse errors and the like)."""
    message: str = ""
    """Why the run failed, or what was partial about it."""
    duration_s: float = 0.0
    info: AnalyzerInfo = AnalyzerInfo()
    """The plugin's metadata (see :meth:`~crosscheck.analyzers.base.Analyzer.info`); set for every run
    the plugin's analyzer gives, rebuilt from the cache or not."""

    @property
    def produced_result(self) -> bool:
        """True when the run's findings can be trusted to be complete or nearly so."""
        return self.status in (RunStatus.OK, RunStatus.PARTIAL)


class ChangeScope(str, enum.Enum):
    """Where, in pull-request mode, a finding counts as the change's (``--scope``)."""

    LINE = "line"
    """On a line the change adds or rewrites."""
    FILE = "file"
    """Anywhere in a file the change touches."""
    TREE = "tree"
    """Anywhere in the code: the whole tree is analyzed, as without a change."""


@dataclass(frozen=True)
class Options:
    """User choices that change what a check concludes."""

    min_severity: Severity = Severity.MEDIUM
    """Findings below this severity do not contradict a "no defects" verdict."""
    analyzers: tuple[str, ...] = ()
    """Analyzer names to run; empty means every installed plugin that is not opt-in (ruff is)."""
    rules: str | None = None
    """Semgrep rule folder; None means the pack that ships with crosscheck."""
    timeout_s: float = 600.0
    """Per-analyzer wall-clock limit."""
    timings: bool = False
    """Put durations into the report (they make output non-reproducible)."""
    audit: bool = False
    """Ignore ``# nosec`` and ``# nosemgrep``: suppressed findings count like any other."""
    test_patterns: tuple[str, ...] = ()
    """Globs naming test files (see :mod:`crosscheck.reconcile.testcode`); empty means the defaults."""
    test_findings: bool = False
    """Let findings that are noise in test code (assert used, test passwords) count in the verdict."""
    scope: ChangeScope = ChangeScope.LINE
    """With a change (pull-request mode): where a finding counts as missed or contradicts an assurance."""
    jobs: int | None = None
    """How many cores the analyzers may use at once (None: every core this process may run on); a Dask
    worker sets its own share. It changes how fast the results come, never what they are."""
    follow_links: bool = False
    """Read the files below a code folder whose symbolic links lead out of it (else they are left out and
    named in the report's diagnostics)."""


class Gate(str, enum.Enum):
    """The outcome names ``--fail-on`` accepts."""

    UNGROUNDED = "ungrounded"
    """A claim cites code or lines that are not there."""
    UNSUPPORTED = "unsupported"
    """A specific defect claim that no finding backs."""
    CONTRADICTED = "contradicted"
    """An assurance, or the overall verdict, that a finding contradicts."""
    SELF_CONTRADICTORY = "self-contradictory"
    """The review says "no defects" and then claims defects."""
    MISSED = "missed"
    """A relevant finding that the review does not report."""
    UNDETERMINED = "undetermined"
    """The review states no overall verdict."""
