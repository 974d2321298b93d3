"""The SARIF 2.1.0 report, for code scanning dashboards (GitHub code scanning among them).

One run per analyzer (sorted by name) holds that analyzer's findings; one more run,
tool ``crosscheck``, holds one result per claim of the review and is marked as
AI-generated content in its ``properties`` (``"ai-generated": true``, the review's
path and sha256, the verdict). Each run has its own ``automationDetails.id``
(``crosscheck/bandit/<review>/``, ``crosscheck/semgrep/<review>/``,
``crosscheck/review/<review>/``, ``<review>`` the review file's path): GitHub needs a
distinct category per run when several runs come in one upload, and the review's path
keeps the runs of several pairs apart.

Levels. Findings: high is ``error``, medium ``warning``, low ``note``, whether the
review matched or missed them (``properties.status`` says which). Claims, as a
judgement of the review: ``ungrounded`` and ``contradicted`` are ``error``,
``unsupported`` is ``warning``, ``confirmed``, ``upheld`` and ``generic`` are
``note``. SARIF's ``none`` would suit ``generic``, but GitHub documents only
error/warning/note, so ``note`` it is.

Locations are repository-relative: ``uriBaseId`` ``%SRCROOT%`` is the working
directory, left unresolved in ``originalUriBaseIds`` so the output does not depend on
the machine (GitHub resolves relative URIs against the repository root, so run
crosscheck from there); a path outside the working directory becomes an absolute
``file://`` URI. GitHub shows no result without a location, annotates a pull request
at the first one, and wants a second only when every place must change; so a claim
has one location: where its most precise anchor (cited line, else quoted code, else a
name) was actually found in the code, its other found anchors being related
locations. A claim with no anchor found (generic ones, say) and an ungrounded claim
(whose fault is in the review, not at whatever code it did cite correctly) is located
at its lines in the review file, which GitHub can show if the review is committed; a
review read from stdin has no file, so such a claim has no location (its span and
citations are in ``properties``). ``relatedLocations`` cross-link a claim to the
findings that back or refute it and to its lines in the review, and a finding to the
claims that report it or that it refutes (at their lines in the review).

An analyzer's rule links to its documentation page (``helpUri``, which GitHub code
scanning shows) when the analyzer's plugin knows one.

``partialFingerprints``: a finding's own fingerprint; for a claim, a hash of its kind
and whitespace-normalized text, so moving a claim within the review keeps it.

No timestamps; durations only with the timings option. Control characters other
than newline and tab are removed from all text except code snippets.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from crosscheck import __version__
from crosscheck.formats.base import ReportFormat
from crosscheck.formats.json_text import dumps
from crosscheck.formats.untrusted import strip_control
from crosscheck.grounding.model import Status
from crosscheck.models import AnalyzerInfo, Severity
from crosscheck.reconcile.model import FindingStatus, Outcome
from crosscheck.results.report import Report, match_text, repo_path

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "crosscheck/v1"
FINDING_LEVELS = {"high": "error", "medium": "warning", "low": "note"}
SECURITY_SEVERITY = {"high": "8.0", "medium": "5.5", "low": "3.0"}
"""GitHub's ``security-severity`` (high 7.0-8.9, medium 4.0-6.9, low 0.1-3.9)."""
CLAIM_RULES: dict[Outcome, tuple[str, str]] = {
    Outcome.CONFIRMED: ("note", "A defect claim that an analyzer finding of a compatible CWE supports."),
    Outcome.UNSUPPORTED: ("warning", "A specific, grounded defect claim that no analyzer finding backs; "
                                     "static analysis cannot settle it, which is not the same as false."),
    Outcome.UNGROUNDED: ("error", "The claim cites code or lines that are not in the code."),
    Outcome.GENERIC: ("note", "Nothing checkable: advice, context, or a claim with no recognised category."),
    Outcome.CONTRADICTED: ("error", "An assurance that an analyzer finding at or above the severity threshold "
                                    "refutes."),
    Outcome.UPHELD: ("note", "An assurance with a CWE category that no analyzer finding refutes."),
}
"""Level and description of each claim outcome's rule, in the fixed rule order."""

_LOCATED = {Status.EXACT.value, Status.NEAR.value, Status.MOVED.value}
_TEST_NAME = re.compile(r"^([a-z][a-z0-9_-]*): ")
"""bandit's messages start with its test's name (``blacklist: ...``), a rule name."""
_SENTENCE_END = re.compile(r"(?<=\w[.!?])\s+(?=[A-Z])")


def render(report: Report, color: bool = False) -> str:
    """The report as a SARIF 2.1.0 log: sorted keys, two-space indent, a final newline."""
    data = report.to_dict()
    runs = [_analyzer_run(report, data, a) for a in data["analyzers"]] + [_review_run(report, data)]
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": runs}
    return dumps(_scrub(log))


def _scrub(value: Any, key: str = "") -> Any:
    """Every string without control characters (bar newline and tab), except code snippets."""
    if isinstance(value, str):
        return value if key == "snippet" else strip_control(value)
    if isinstance(value, dict):
        return {k: _scrub(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def artifact(path: str) -> dict[str, str]:
    """An artifactLocation: relative to ``%SRCROOT%`` (the working directory) if it lies there, else ``file://``."""
    relative = repo_path(path)
    if not os.path.isabs(relative) and relative != ".." and not relative.startswith("../"):
        return {"uri": quote(relative), "uriBaseId": SRCROOT}
    return {"uri": Path(os.path.abspath(os.path.normpath(path))).as_uri()}


def _code_location(report: Report, path: str, line: int, end_line: int, snippet: str | None = None) -> dict[str, Any]:
    """A location in the code; ``path`` is relative to the code root, as findings and groundings give it."""
    full = report.code_file_path(path)
    if snippet is None:
        source = report.code.file(path)
        snippet = "\n".join(source.lines[line - 1:end_line]) if source else ""
    region: dict[str, Any] = {"startLine": line, "endLine": end_line}
    if snippet:
        region["snippet"] = {"text": snippet}
    return {"physicalLocation": {"artifactLocation": artifact(full), "region": region}}


def _review_location(report: Report, claim: dict[str, Any]) -> dict[str, Any] | None:
    """The claim's lines in the review file; None for a review read from standard input."""
    if report.review.path == "-":
        return None
    region = {"startLine": claim["span"]["start_line"], "endLine": claim["span"]["end_line"]}
    return {"physicalLocation": {"artifactLocation": artifact(report.review.path), "region": region}}


def _related(locations: list[tuple[dict[str, Any] | None, str]]) -> list[dict[str, Any]]:
    """Related locations numbered from 1, each with its message."""
    return [dict(location or {}, id=i, message={"text": text}) for i, (location, text) in enumerate(locations, 1)]


def _invocation(successful: bool, notes: list[tuple[str, str]], properties: dict[str, Any]) -> dict[str, Any]:
    """A run's one invocation, its ``(level, text)`` notes as tool execution notifications."""
    invocation: dict[str, Any] = {"executionSuccessful": successful}
    if properties:
        invocation["properties"] = properties
    if notes:
        invocation["toolExecutionNotifications"] = [{"level": level, "message": {"text": text}}
                                                    for level, text in notes]
    return invocation


def _category(report: Report, tool: str) -> str:
    """``crosscheck/<tool>/<review>/``: one code scanning category per tool and review, so the files of
    several pairs can be uploaded together (an id ending in ``/`` is all category)."""
    review = report.review.path
    name = "stdin" if review == "-" else unquote(artifact(review)["uri"]).removeprefix("file://")
    return f"crosscheck/{tool}/{name.strip('/')}/"


def _run(report: Report, name: str, version: str, rules: list[dict[str, Any]], results: list[dict[str, Any]],
         invocation: dict[str, Any], information_uri: str = "") -> dict[str, Any]:
    """A run of tool ``name``, in its own code scanning category."""
    driver: dict[str, Any] = {"name": name, "rules": rules}
    if version:
        driver["version"] = version
    if information_uri:
        driver["informationUri"] = information_uri
    return {
        "tool": {"driver": driver},
        "automationDetails": {"id": _category(report, "review" if name == "crosscheck" else name)},
        "originalUriBaseIds": {SRCROOT: {"description": {
            "text": "The directory crosscheck ran in: the repository root."}}},
        "invocations": [invocation],
        "results": results,
    }


def _analyzer_run(report: Report, data: dict[str, Any], analyzer: dict[str, Any]) -> dict[str, Any]:
    """One analyzer's run: its findings, in report order, linked to the claims that report or they refute."""
    findings = [f for f in data["findings"] if f["analyzer"] == analyzer["name"]]
    info = next(r.info for r in report.runs if r.name == analyzer["name"])  # the plugin's, carried on its run
    rules = _analyzer_rules(findings, info)
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    claims = {c["id"]: c for c in data["claims"]}
    results = []
    for f in findings:
        reporters = [cid for cid in f["claims"] if claims[cid]["outcome"] == Outcome.CONFIRMED.value]
        refuted = [cid for cid in f["claims"] if cid not in reporters]
        said = f"reported by the review in {', '.join(reporters)}" if reporters else "missed by the review"
        said += f"; it refutes {', '.join(refuted)}" if refuted else ""
        result: dict[str, Any] = {
            "ruleId": f["rule_id"],
            "ruleIndex": index[f["rule_id"]],
            "level": FINDING_LEVELS[f["severity"]],
            "message": {"text": f"{f['message']} ({f['id']}: {said})"},
            "locations": [_code_location(report, f["path"], f["line"], f["end_line"], f["snippet"])],
            "partialFingerprints": {FINGERPRINT_KEY: f["fingerprint"]},
            "properties": {key: f[key] for key in ("id", "status", "relevant", "severity", "confidence", "cwe",
                                                   "claims", "suppression", "test_context", "outside_change")
                           if key in f},
        }
        if "outside_change" in f:  # pull-request mode: what the change brings is new, the rest was there
            result["baselineState"] = "unchanged" if f["outside_change"] else "new"
        if f["status"] == FindingStatus.SUPPRESSED.value:
            result["suppressions"] = [{"kind": "inSource", "justification": f["suppression"]}]
        if f["claims"]:
            result["relatedLocations"] = _related([
                (_review_location(report, claims[cid]), f"{cid}: {claims[cid]['outcome']} claim in the review")
                for cid in f["claims"]])
        results.append(result)
    notes = [("error" if analyzer["status"] in ("failed", "missing") else "warning", analyzer["message"])]
    notes = [n for n in notes if n[1]] + [("error", e) for e in analyzer["errors"]]
    properties = {"status": analyzer["status"]}
    if analyzer["duration_s"] is not None:
        properties["duration_s"] = analyzer["duration_s"]
    invocation = _invocation(analyzer["status"] in ("ok", "partial"), notes, properties)
    return _run(report, analyzer["name"], analyzer["version"], rules, results, invocation, info.information_uri)


def _analyzer_rules(findings: list[dict[str, Any]], info: AnalyzerInfo) -> list[dict[str, Any]]:
    """One rule per rule id used, sorted; its level is that of its most severe finding, its
    ``helpUri`` the rule's documentation page when the analyzer's plugin knows one."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for f in findings:
        groups.setdefault(f["rule_id"], []).append(f)
    rules = []
    for rule_id in sorted(groups):
        group = groups[rule_id]
        worst = max((Severity(f["severity"]) for f in group), key=lambda s: s.rank).value
        cwe = sorted({c for f in group for c in f["cwe"]})
        named = _TEST_NAME.match(group[0]["message"])
        description = group[0]["message"][named.end():] if named else group[0]["message"]
        short = _SENTENCE_END.split(description, maxsplit=1)[0]
        rule: dict[str, Any] = {
            "id": rule_id,
            "name": named[1] if named else rule_id,
            "shortDescription": {"text": short},
            "defaultConfiguration": {"level": FINDING_LEVELS[worst]},
            "properties": {
                "cwe": cwe,
                "security-severity": SECURITY_SEVERITY[worst],
                "tags": ["security"] + [f"CWE-{c}" for c in cwe] + [f"external/cwe/cwe-{c:03d}" for c in cwe],
            },
        }
        if short != description:
            rule["fullDescription"] = {"text": description}
        if info.help_uri(rule_id):
            rule["helpUri"] = info.help_uri(rule_id)
        rules.append(rule)
    return rules


def _review_run(report: Report, data: dict[str, Any]) -> dict[str, Any]:
    """The review's run: one result per claim, in review order, ruled by its outcome."""
    rules = [{
        "id": f"crosscheck/claim/{outcome.value}",
        "name": f"claim-{outcome.value}",
        "shortDescription": {"text": CLAIM_RULES[outcome][1]},
        "defaultConfiguration": {"level": CLAIM_RULES[outcome][0]},
        "properties": {"tags": ["ai-generated"]},
    } for outcome in Outcome]
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    findings = {f["id"]: f for f in data["findings"]}
    results = []
    for c in data["claims"]:
        rule_id = f"crosscheck/claim/{c['outcome']}"
        review = _review_location(report, c)
        anchors = _anchor_locations(report, c)
        related: list[tuple[dict[str, Any] | None, str]] = [
            (_code_location(report, f["path"], f["line"], f["end_line"], f["snippet"]),
             f"{f['id']}: {f['analyzer']} {f['rule_id']} ({match_text(m, with_id=False)})")
            for m in c["matches"] for f in (findings[m["finding"]],)]
        if anchors and c["outcome"] != Outcome.UNGROUNDED.value:
            locations = [anchors[0][0]]
            related += anchors[1:] + ([(review, f"{c['id']} in the review")] if review else [])
        else:  # the fault of an ungrounded claim is in the review, not at the code it did find
            locations = [review] if review else []
            related += anchors
        normalized = " ".join(c["text"].split()).casefold()
        result: dict[str, Any] = {
            "ruleId": rule_id,
            "ruleIndex": index[rule_id],
            "level": CLAIM_RULES[Outcome(c["outcome"])][0],
            "message": {"text": f"{c['title'] or c['text']} \u2014 {c['id']} {c['outcome']}: {c['reason']}"
                                + (f" (comment {c['comment']['url']})" if "comment" in c else "")},
            "locations": locations,
            "partialFingerprints": {FINGERPRINT_KEY: hashlib.sha256(
                f"{c['kind']}\x1f{normalized}".encode()).hexdigest()},
            "properties": {key: c[key] for key in ("id", "title", "text", "span", "outcome", "kind", "hedge", "cwe",
                                                   "reason", "findings", "matches", "citations", "outside_change",
                                                   "comment") if key in c},
        }
        if related:
            result["relatedLocations"] = _related(related)
        results.append(result)
    notes = [("warning", d) for d in data["diagnostics"]] + [("note", n) for n in data["grounding"]["notes"]]
    run = _run(report, "crosscheck", __version__, rules, results, _invocation(True, notes, {}))
    run["properties"] = {
        "ai-generated": True,
        "tags": ["ai-generated"],
        "review": data["review"],
        "code": {"path": data["code"]["path"], "sha256": data["code"]["sha256"], "source": data["code"]["source"]},
        "verdict": {key: data["verdict"][key] for key in ("stated", "consistency", "reason")},
        "metrics": data["metrics"],
    }
    return run


def _anchor_locations(report: Report, claim: dict[str, Any]) -> list[tuple[dict[str, Any], str]]:
    """Where the claim's anchors really are in the code, most precise first (cited lines, then quoted
    code, then names), without repeats; each with what the claim cites there."""
    anchors = [g for g in claim["citations"] if g["role"] == "anchor" and g["status"] in _LOCATED
               and g["path"] is not None and g["actual_line"] is not None]
    anchors.sort(key=lambda g: 0 if g["line"] is not None else 1 if g["kind"] == "code" else 2)
    located: list[tuple[dict[str, Any], str]] = []
    for g in anchors:
        source = report.code.file(g["path"])
        span = (g["end_line"] or g["line"] or 0) - (g["line"] or 0)
        end = min(g["actual_line"] + span, source.line_count) if source else g["actual_line"]
        location = _code_location(report, g["path"], g["actual_line"], max(end, g["actual_line"]))
        cited = f"`{g['code']}`" if g["code"] else f"line {g['line']}"
        if all(location != seen for seen, _ in located):
            located.append((location, f"{claim['id']} cites {cited} ({g['status']})"))
    return located


FORMAT = ReportFormat(name="sarif", suffix="sarif", order=30, render=render)
"""``--format sarif``, registered as the entry point ``sarif`` of ``crosscheck.formats``."""
