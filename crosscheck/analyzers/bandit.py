"""The bandit analyzer: every bandit plugin, read from its JSON report."""

from __future__ import annotations

import importlib.metadata
import sys
from typing import Any

from crosscheck.analyzers.base import (
    Analyzer,
    ProcessTimeout,
    ReportError,
    finalize,
    fingerprint,
    json_report,
    run_process,
    snippet_of,
)
from crosscheck.models import AnalyzerRun, CodeTarget, Confidence, Finding, Options, RunStatus, Severity

_LEVELS = {"LOW": "low", "MEDIUM": "medium", "HIGH": "high", "UNDEFINED": "low"}


class BanditAnalyzer(Analyzer):
    """Runs ``python -m bandit -f json`` on the target's files.

    bandit's exit code says only whether it found something (1) and is 0 even
    when files failed to parse, so the run's status is read from the ``errors``
    list of its JSON, never from the exit code.
    """

    name = "bandit"

    def run(self, target: CodeTarget, options: Options) -> AnalyzerRun:
        try:
            version = importlib.metadata.version("bandit")
        except importlib.metadata.PackageNotFoundError:
            return AnalyzerRun(self.name, "", RunStatus.MISSING, message="bandit is not installed: pip install bandit")
        argv = [sys.executable, "-m", "bandit", "--format", "json", "--quiet", "--", *(f.abspath for f in target.files)]
        try:
            proc = run_process(argv, timeout_s=options.timeout_s)
        except ProcessTimeout as err:
            return AnalyzerRun(self.name, version, RunStatus.FAILED, message=f"bandit timed out: {err}")
        try:
            report = json_report("bandit", proc)
        except ReportError as err:
            return AnalyzerRun(self.name, version, RunStatus.FAILED, message=str(err), duration_s=proc.duration_s)
        return parse_report(report, target, version, proc.duration_s)


def parse_report(report: dict[str, Any], target: CodeTarget, version: str, duration_s: float) -> AnalyzerRun:
    """Turn bandit's JSON report into a normalized run."""
    relative = {f.abspath: f.path for f in target.files}
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
        ))
    errors = tuple(sorted(
        f"{relative.get(str(e.get('filename')), e.get('filename'))}: {e.get('reason', 'error')}"
        for e in report.get("errors") or []
    ))
    status = RunStatus.PARTIAL if errors else RunStatus.OK
    message = f"bandit could not analyze {len(errors)} file(s)" if errors else ""
    return AnalyzerRun("bandit", version, status, finalize(findings), errors, message, duration_s)
