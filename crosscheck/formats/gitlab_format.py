"""A GitLab Code Quality report (``artifacts:reports:codequality``): the results that need attention, in
the merge request's widget and, on lines of the diff, in its changes view.

GitLab reads a subset of the Code Climate issue format: a JSON array of objects with ``description``,
``check_name`` (the check or rule), ``fingerprint`` (unique per issue; GitLab tells new issues from fixed
ones by it), ``severity`` (``info``, ``minor``, ``major``, ``critical`` or ``blocker``) and ``location``:
``path`` (relative to the repository's root, without ``./``) and ``lines.begin`` (with ``lines.end``, as
Code Climate has it). It ignores the other Code Climate fields, so they are left out.

What gets an issue is :mod:`crosscheck.formats.attention`'s selection, as in the ``github`` format. Its
severity: a missed finding's follows the finding's (high ``critical``, medium ``major``, low ``minor``);
otherwise an error is ``critical``, a warning ``major`` and a notice ``info``. ``check_name`` is
``crosscheck/claim/<outcome>``, ``crosscheck/verdict/<consistency>`` or the finding's
``<analyzer>/<rule id>``.

GitLab wants a place for every issue. A result with none in the code (the verdict, a claim none of whose
anchors was found) is put in the review file, at the claim's (or the verdict's) first line there; a review
that is no one file (standard input, a comment export, whose text is not the file's lines) gives the line
1 of the review file, or of the code when there is no review file either.

The fingerprint is the sha256 of the result's identity, which holds no line number (a claim's kind, text
and comment; a finding's analyzer fingerprint, itself made of the rule, the path and the code), so it
stays when lines move; two results of one identity (the same code twice in a file) are told apart by their
rank among them. Paths are relative to the working directory: run crosscheck from the repository's root.
"""

from __future__ import annotations

import hashlib
from typing import Any

from crosscheck.formats import attention
from crosscheck.formats.base import ReportFormat
from crosscheck.formats.json_text import dumps
from crosscheck.formats.untrusted import printable
from crosscheck.results.report import Report, repo_path

SEVERITIES = ("info", "minor", "major", "critical", "blocker")
"""GitLab's severities, least first."""
FINDING_SEVERITY = {"high": "critical", "medium": "major", "low": "minor"}
LEVEL_SEVERITY = {attention.Level.ERROR: "critical", attention.Level.WARNING: "major",
                  attention.Level.NOTICE: "info"}
FINGERPRINT_KEY = "crosscheck/codequality/v1"


def _severity(item: attention.Item) -> str:
    if item.subject is attention.Subject.FINDING:
        return FINDING_SEVERITY.get(item.severity, LEVEL_SEVERITY[item.level])
    return LEVEL_SEVERITY[item.level]


def _location(report: Report, item: attention.Item) -> dict[str, Any]:
    """Where the issue is: its place in the code, else in the review file, else in the code."""
    if item.place is not None:
        path, begin, end = item.place.path, item.place.line, item.place.end_line
    elif attention.review_file(report):
        path, begin = report.review_file_path(), item.review_line or 1
        end = begin
    else:
        path = report.code_file_path(report.code.files[0].path) if report.code.files else repo_path(report.code_path)
        begin = end = 1
    return {"path": printable(path).removeprefix("./"), "lines": {"begin": begin, "end": end}}


def issues(report: Report) -> list[dict[str, Any]]:
    """The report's Code Quality issues, sorted by place, then check, then fingerprint."""
    seen: dict[str, int] = {}
    found: list[dict[str, Any]] = []
    for item in attention.items(report):
        rank = seen.get(item.identity, 0)
        seen[item.identity] = rank + 1
        key = "\x1f".join((FINGERPRINT_KEY, item.identity, str(rank)))
        found.append({
            "description": " \u2014 ".join(attention.lines(item)),
            "check_name": attention.plain(item.rule),
            "fingerprint": hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest(),
            "severity": _severity(item),
            "location": _location(report, item),
        })
    found.sort(key=lambda i: (i["location"]["path"], i["location"]["lines"]["begin"], i["check_name"],
                              i["fingerprint"]))
    return found


def render(report: Report, color: bool = False) -> str:
    """The report as a Code Quality JSON array: sorted keys, two-space indent, a final newline."""
    return dumps(issues(report))


FORMAT = ReportFormat(name="gitlab", suffix="codequality.json", order=80, default=False, render=render)
"""``--format gitlab``, registered as the entry point ``gitlab`` of ``crosscheck.formats``."""
