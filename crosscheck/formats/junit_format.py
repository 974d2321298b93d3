"""The JUnit XML report, for CI test reporters (GitLab ``artifacts:reports:junit``, Jenkins, GitHub).

``<testsuites name="crosscheck">`` holds three suites, always in this order and
always present (an empty one has ``tests="0"``):

- ``claims``: one test case per claim of the review;
- ``missed findings``: one test case per analyzer finding the review missed
  (matched findings are already reported by the claims that confirm them);
- ``verdict``: one test case for the consistency of the review's stated verdict.

Mapping to pass, failure and skipped (each failing case has exactly one ``<failure>``):

- claims ``confirmed`` and ``upheld`` pass; ``unsupported`` passes too, since it is
  not the same as wrong: static analysis cannot settle it (its ``<system-out>`` says
  so); ``generic`` is skipped (there was nothing to check); ``ungrounded`` and
  ``contradicted`` fail with ``type`` the outcome, ``message`` the reason and the
  claim text in the body;
- a missed finding at or above ``--min-severity`` fails with ``type`` the rule id,
  ``message`` the analyzer's message, and analyzer, rule, CWE, severity, location and
  snippet in the body; one below the threshold, or noise in test code (see
  :mod:`crosscheck.reconcile.testcode`), is skipped; suppressed findings (``# nosec``) are not
  missed and have no case;
- the verdict fails when ``contradicted`` or ``self-contradictory``, is skipped when
  ``undetermined`` (no verdict stated) and passes when ``consistent``.

Passing cases carry their explanation in ``<system-out>``, skipped ones in the
``<skipped>`` body. A test case's name is the claim's id and title, or the finding's
id, rule and place, never its outcome, so that reporters that track tests by name
(GitLab) see a claim that starts failing, not a new test. ``classname`` is ``crosscheck.<review path, dotted>.<claims |
findings | verdict>`` so reporters group by pair, then by concern.

Every case points at a place, repository-relative (to the working directory; run
crosscheck from the repository root): a claim at the code where its first anchor was
found (an existing line it cites, when only a line was cited), else at its lines in
the review; a finding at its code; the verdict at its first evidence line in the
review (else line 1). A review read from stdin is the file ``-``. Two variants say it:

- ``junit`` (:data:`FORMAT`) validates against Jenkins' xunit schema (``junit-10.xsd``,
  as pytest's ``junit_family=xunit2`` does): the place is the first line of the case's
  body, ``location: <file>:<line>``, and ``<testsuites>`` has no ``skipped`` count
  (its suites have one);
- ``junit-gitlab`` (:data:`GITLAB_FORMAT`, like pytest's ``xunit1``) is the same with
  ``file`` and ``line`` attributes on every ``testcase`` too, which GitLab's test report
  reads (it shows ``file``) and the xsd forbids.

The output is deterministic: no timestamps, hostnames or analyzer versions; ``time``
only with the timings option (analyzer durations on ``<testsuites>``). Untrusted
text loses what XML 1.0 forbids (NUL and other C0 controls but tab, newline and
carriage return, so ANSI escapes lose their ESC; lone surrogates; U+FFFE, U+FFFF),
and ElementTree escapes the rest.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import PurePath

from crosscheck.formats.base import ReportFormat
from crosscheck.grounding.model import Status
from crosscheck.reconcile.model import ClaimResult, Consistency, FindingResult, FindingStatus, Outcome
from crosscheck.results.report import Report, match_dict, match_text, repo_path

_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NOT_NAME = re.compile(r"[^0-9A-Za-z_-]+")
_LOCATED = (Status.EXACT, Status.NEAR, Status.MOVED)
_FAILING_CLAIMS = (Outcome.UNGROUNDED, Outcome.CONTRADICTED)
_FAILING_VERDICTS = (Consistency.CONTRADICTED, Consistency.SELF_CONTRADICTORY)
_UNSUPPORTED_NOTE = "unsupported is not the same as wrong: static analysis cannot settle this claim"
NAME_LIMIT = 80


def xml_safe(text: object) -> str:
    """Untrusted text without the characters XML 1.0 forbids (ANSI escapes lose their ESC)."""
    return _FORBIDDEN.sub("", str(text))


def _line(text: object, limit: int = 0) -> str:
    """Untrusted text as one XML-safe line, shortened to ``limit`` characters if given."""
    flat = " ".join(xml_safe(text).split())
    return flat if not limit or len(flat) <= limit else flat[: limit - 1] + "\u2026"


def _classname(report: Report, concern: str) -> str:
    path = repo_path(report.review.path)
    if path == "-":
        parts = ["stdin"]
    else:
        pure = PurePath(path)
        parts = [pure.stem] if pure.is_absolute() else [*pure.parent.parts, pure.stem]
    dotted = [_NOT_NAME.sub("_", p).strip("_") or "_" for p in parts if p not in ("", ".")]
    return ".".join(["crosscheck", *dotted, concern])


@dataclass(frozen=True)
class _Case:
    """One test case, whatever the variant: where it points and how it ends."""

    name: str
    file: str
    line: int
    body: str
    tag: str = "system-out"
    """``failure``, ``skipped``, or ``system-out`` for a pass."""
    message: str = ""
    kind: str = ""


def _write(suite: ET.Element, classname: str, case: _Case, file_attributes: bool) -> None:
    """``case`` as a ``testcase`` of ``suite``: its place first in its body, and also as GitLab's ``file`` and
    ``line`` attributes with ``file_attributes``; its ``failure`` or ``skipped`` element, or the
    ``system-out`` of a pass."""
    attributes = {"classname": xml_safe(classname), "name": case.name}
    if file_attributes:
        attributes |= {"file": xml_safe(case.file), "line": str(case.line)}
    element = ET.SubElement(suite, "testcase", attributes)
    result = {"message": _line(case.message)} if case.tag != "system-out" else {}
    if case.kind:
        result["type"] = _line(case.kind)
    ET.SubElement(element, case.tag, result).text = xml_safe(f"location: {case.file}:{case.line}\n{case.body}")


def _claim_location(report: Report, result: ClaimResult) -> tuple[str, int]:
    for g in result.grounded.anchors:
        if g.path is None:
            continue
        if g.status in _LOCATED and g.actual_line is not None:
            return report.code_file_path(g.path), g.actual_line
        if g.status is Status.UNCHECKED and g.citation.line is not None:
            return report.code_file_path(g.path), g.citation.line
    return report.review_file_path(), result.grounded.claim.start_line


def _finding_summary(report: Report, f: FindingResult) -> str:
    x = f.finding
    cwe = ", ".join(f"CWE-{n}" for n in x.cwe) or "no CWE"
    return f"{f.id} {x.analyzer} {x.rule_id} ({cwe}, {x.severity.value}) at {report.code_file_path(x.path)}:{x.line}"


def _claims(report: Report) -> Iterator[_Case]:
    findings = {f.id: f for f in report.reconciliation.findings}
    for result in report.reconciliation.claims:
        claim = result.grounded.claim
        title = _line(claim.title or claim.text, NAME_LIMIT) or "(empty)"
        file, line = _claim_location(report, result)
        lines = [f"{claim.id} ({claim.kind.value}, {result.outcome.value}): {result.reason}",
                 f"review {repo_path(report.review.path)} lines {claim.start_line}-{claim.end_line}"]
        lines += [f"{'refuted' if result.outcome is Outcome.CONTRADICTED else 'backed'} by "
                  + _finding_summary(report, findings[m.finding]) + f" ({match_text(match_dict(m), with_id=False)})"
                  for m in result.matches]
        if result.outcome is Outcome.UNSUPPORTED:
            lines.append(_UNSUPPORTED_NOTE)
        case = _Case(f"{claim.id} {title}", file, line, "\n".join(lines) + "\n\n" + claim.text + "\n")
        if result.outcome in _FAILING_CLAIMS:
            yield _ended(case, "failure", result.reason, result.outcome.value)
        elif result.outcome is Outcome.GENERIC:
            yield _ended(case, "skipped", result.reason)
        else:
            yield case


def _missed(report: Report) -> Iterator[_Case]:
    threshold = report.options.min_severity.value
    for f in report.reconciliation.findings:
        if f.status is not FindingStatus.MISSED:
            continue
        x = f.finding
        cwe = ", ".join(f"CWE-{n}" for n in x.cwe) or "none"
        case = _Case(f"{f.id} {_line(x.analyzer)} {_line(x.rule_id)} at {_line(x.path)}:{x.line}",
                     report.code_file_path(x.path), x.line,
                     f"analyzer: {x.analyzer}\nrule: {x.rule_id}\nCWE: {cwe}\nseverity: {x.severity.value}\n"
                     f"confidence: {x.confidence.value}\nmessage: {x.message}\n\n{x.snippet}\n")
        if f.relevant:
            yield _ended(case, "failure", x.message, x.rule_id)
        elif f.test_context and not report.options.test_findings:
            yield _ended(case, "skipped", f"noise in test code ({x.rule_id}); --include-test-findings counts it")
        else:
            yield _ended(case, "skipped", f"below --min-severity {threshold}: {x.severity.value} finding")


def _verdict(report: Report) -> Iterator[_Case]:
    verdict = report.reconciliation.verdict
    review = repo_path(report.review.path)
    lines = [f"stated {verdict.stated.value}, {verdict.consistency.value}: {verdict.reason}"]
    lines += [f"review {review} line {e.line}: {e.text}" for e in verdict.evidence]
    lines += [f"analyzer {r.name}: {r.status.value}" + (f" ({r.message})" if r.message else "")
              for r in sorted(report.runs, key=lambda r: r.name)]
    lines += [f"note: {note}" for note in report.grounding_notes + report.all_diagnostics]
    case = _Case(f"verdict {verdict.stated.value}: {verdict.consistency.value}", review,
                 verdict.evidence[0].line if verdict.evidence else 1, "\n".join(lines) + "\n")
    if verdict.consistency in _FAILING_VERDICTS:
        yield _ended(case, "failure", verdict.reason, verdict.consistency.value)
    elif verdict.consistency is Consistency.UNDETERMINED:
        yield _ended(case, "skipped", verdict.reason)
    else:
        yield case


def _ended(case: _Case, tag: str, message: str, kind: str = "") -> _Case:
    """``case`` failed (``tag`` ``failure``, ``kind`` its type) or skipped, for the reason ``message``."""
    return _Case(case.name, case.file, case.line, case.body, tag, message, kind)


_SUITES: tuple[tuple[str, str, Callable[[Report], Iterator[_Case]]], ...] = (
    ("claims", "claims", _claims), ("missed findings", "findings", _missed), ("verdict", "verdict", _verdict))
"""Each suite: its name, the last part of its cases' ``classname``, and its cases."""


def _counts(element: ET.Element, cases: list[ET.Element], skipped: bool = True) -> None:
    element.set("tests", str(len(cases)))
    element.set("failures", str(sum(c.find("failure") is not None for c in cases)))
    element.set("errors", "0")
    if skipped:
        element.set("skipped", str(sum(c.find("skipped") is not None for c in cases)))


def render(report: Report, color: bool = False, *, file_attributes: bool = False) -> str:
    """The report as JUnit XML: UTF-8 declaration, two-space indent, a final newline. Valid against Jenkins'
    xunit schema (``junit-10.xsd``), unless ``file_attributes`` adds GitLab's ``file`` and ``line`` to every
    ``testcase``, which that schema forbids."""
    root = ET.Element("testsuites", {"name": "crosscheck"})
    for name, concern, cases in _SUITES:
        suite = ET.SubElement(root, "testsuite", {"name": name})
        classname = _classname(report, concern)
        for case in cases(report):
            _write(suite, classname, case, file_attributes)
        _counts(suite, suite.findall("testcase"))
    _counts(root, root.findall("testsuite/testcase"), skipped=False)  # the schema has no skipped here
    if report.options.timings:
        root.set("time", f"{sum(r.duration_s for r in report.runs):.3f}")
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def render_gitlab(report: Report, color: bool = False) -> str:
    """The report as JUnit XML for GitLab: :func:`render` with ``file`` and ``line`` on every ``testcase``."""
    return render(report, color, file_attributes=True)


FORMAT = ReportFormat(name="junit", suffix="junit.xml", order=40, render=render)
"""``--format junit``, registered as the entry point ``junit`` of ``crosscheck.formats``."""

GITLAB_FORMAT = ReportFormat(name="junit-gitlab", suffix="junit-gitlab.xml", order=85, default=False,
                             render=render_gitlab)
"""``--format junit-gitlab``, registered as the entry point ``junit-gitlab`` of ``crosscheck.formats``: only
written when asked for, like the other formats made for one CI system."""
