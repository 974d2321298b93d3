"""The SARIF 2.1.0 report, for code scanning dashboards (GitHub code scanning among them).

One run per analyzer (sorted by name) holds that analyzer's findings; one more run,
tool ``crosscheck``, holds the review's results and is marked as AI-generated content
in its ``properties`` (``"ai-generated": true``, the review's path and sha256, the
verdict). Each run has its own ``automationDetails.id`` (``crosscheck/<analyzer>/<review>/``,
``crosscheck/review/<review>/``, ``<review>`` the review file's path): GitHub needs a
distinct category per run when several runs come in one upload, and the review's path
keeps the runs of several pairs apart.

What is a result. GitHub code scanning opens an alert for every result, whatever its
level, so by default a result is only what needs action, what the gates count:

- an ``ungrounded`` or ``contradicted`` claim;
- the verdict, when it is ``contradicted`` or ``self-contradictory`` (rules
  ``crosscheck/verdict/<consistency>``), at the line of the review that states it;
- a ``missed`` finding that is relevant (at or above the severity threshold, not
  suppressed, not noise in test code, on the change).

The rest (confirmed, upheld, generic and unsupported claims; matched, suppressed and
irrelevant findings) is listed in the run's ``properties.omitted`` (id, outcome or
state, place) and is in full in the JSON report. ``render(report, all_results=True)``
makes every claim and finding a result, as notes where they need no action.

Levels. Findings: high is ``error``, medium ``warning``, low ``note``, whether the
review matched or missed them (``properties.status`` says which). Claims, as a
judgement of the review: ``ungrounded`` and ``contradicted`` are ``error``,
``unsupported`` is ``warning``, ``confirmed``, ``upheld`` and ``generic`` are
``note``; a contradicted or self-contradictory verdict is ``error``.

Rules carry what GitHub shows on an alert: a PascalCase ``name`` (never the id), a
``shortDescription``, a ``fullDescription`` and ``help`` (text and Markdown). An
analyzer's rule is described by its finding's message, with its CWE categories and its
documentation page (``helpUri``) when the analyzer's plugin knows one; the analyzer's
home page is its driver's ``informationUri``, and crosscheck's is the home page its
package metadata declares (``[project.urls]``), if any.

Locations are repository-relative: ``uriBaseId`` ``%SRCROOT%`` is the working
directory, left unresolved in ``originalUriBaseIds`` so the output does not depend on
the machine (GitHub resolves relative URIs against the repository root and ignores
``originalUriBaseIds``, so run crosscheck from there). A file is named by where it is:
code given as a path by its real place (so the pairs of a manifest, which reports name
relative to the manifest's folder, are named from the working directory too), and the
review likewise when it lies in the folder the code's path is relative to; code fetched
from an upstream project is not in the repository and is named relative to
``uriBaseId`` ``UPSTREAM``. A path outside the working directory becomes an absolute
``file://`` URI.

GitHub shows no result without a location (and refuses a file with such a result),
annotates a pull request at the first one, and wants a second only when every place
must change; so a claim has one location: where its most precise anchor (cited line,
else quoted code, else a name) was actually found in the code, its other found anchors
being related locations. A claim with no anchor found and an ungrounded claim (whose
fault is in the review, not at whatever code it did cite correctly) is located at its
lines in the review file; a review read from stdin has no file, so such a claim (and the
verdict) is located at the first line of the code's first file. ``relatedLocations``
cross-link a claim to the findings that back or refute it and to its lines in the review,
and a finding to the claims that report it or that it refutes (at their lines in the
review).

``partialFingerprints``: a finding's own fingerprint; for a claim, a hash of its kind
and whitespace-normalized text, so moving a claim within the review keeps it.

No timestamps; durations only with the timings option. Control characters other
than newline and tab are removed from all text except code snippets.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from crosscheck import __version__
from crosscheck.formats.base import ReportFormat
from crosscheck.formats.json_text import dumps
from crosscheck.formats.markdown_format import text as markdown
from crosscheck.formats.untrusted import strip_control
from crosscheck.grounding.model import Status
from crosscheck.models import AnalyzerInfo, Severity
from crosscheck.reconcile.model import Consistency, FindingStatus, Outcome
from crosscheck.results.report import Report, finding_state, match_text, repo_path

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
UPSTREAM = "UPSTREAM"
"""The ``uriBaseId`` of code fetched from an upstream project: its source tree, not the repository."""
FINGERPRINT_KEY = "crosscheck/v1"
FINDING_LEVELS = {"high": "error", "medium": "warning", "low": "note"}
SECURITY_SEVERITY = {"high": "8.0", "medium": "5.5", "low": "3.0"}
"""GitHub's ``security-severity`` (high 7.0-8.9, medium 4.0-6.9, low 0.1-3.9)."""
CWE_URI = "https://cwe.mitre.org/data/definitions/{}.html"


@dataclass(frozen=True)
class RuleText:
    """What a rule of crosscheck's own says about itself: GitHub shows it on every alert of the rule."""

    name: str
    level: str
    short: str
    full: str
    help: str
    """Plain sentences, also valid Markdown."""


CLAIM_RULES: dict[Outcome, RuleText] = {
    Outcome.CONFIRMED: RuleText(
        "ConfirmedClaim", "note", "A defect claim that an analyzer finding of a compatible CWE supports.",
        "The review states a defect, and an analyzer finding of a compatible CWE category, at or near the code "
        "the claim cites, says the same.",
        "Nothing is wrong with the review here. The defect itself is real as far as the analyzers can tell: "
        "the backing finding is a related location of the result; fix the code it points at."),
    Outcome.UNSUPPORTED: RuleText(
        "UnsupportedClaim", "warning",
        "A specific, grounded defect claim that no analyzer finding backs; static analysis cannot settle it, "
        "which is not the same as false.",
        "The review states a defect at code that exists, but no analyzer finding of a compatible CWE category "
        "backs it. Static analysis cannot settle such a claim either way.",
        "Read the cited code and decide whether the defect is there. If it is, fix it; if it is not, the review "
        "is wrong on this point."),
    Outcome.UNGROUNDED: RuleText(
        "UngroundedClaim", "error", "The claim cites code or lines that are not in the code.",
        "The review cites code, lines, files or names that are not in the code that was checked: the review "
        "describes code that does not exist (a hallucination), or another revision of it.",
        "Check the claim against the code. The result is located at the claim's lines in the review; whatever "
        "the claim did cite correctly is a related location. Correct the review, or drop the claim."),
    Outcome.GENERIC: RuleText(
        "GenericClaim", "note", "Nothing checkable: advice, context, or a claim with no recognised category.",
        "A statement of the review that names no code and no defect category crosscheck can check: advice, "
        "context, or a claim with no recognised category.",
        "Nothing to do: crosscheck can neither confirm nor refute such a statement."),
    Outcome.CONTRADICTED: RuleText(
        "ContradictedClaim", "error",
        "An assurance that an analyzer finding at or above the severity threshold refutes.",
        "The review assures that a kind of defect is absent (no SQL injection, say), and an analyzer finding of "
        "that kind, at or above the severity threshold, says otherwise.",
        "Look at the refuting finding, a related location of the result: fix the code it points at, or correct "
        "the review's assurance."),
    Outcome.UPHELD: RuleText(
        "UpheldClaim", "note", "An assurance with a CWE category that no analyzer finding refutes.",
        "The review assures that a kind of defect is absent, and no analyzer finding of that category says "
        "otherwise.",
        "Nothing to do: the analyzers agree with the assurance, as far as they can tell."),
}
"""Each claim outcome's rule, in the fixed rule order."""
VERDICT_RULES: dict[Consistency, RuleText] = {
    Consistency.CONTRADICTED: RuleText(
        "ContradictedVerdict", "error", "The review's overall verdict is contradicted by the analyzers.",
        "The review states no defects while analyzer findings at or above the severity threshold exist, or "
        "states defects while no analyzer finding supports any of them.",
        "Look at the relevant findings, related locations of the result. Fix the code, or correct the review's "
        "verdict."),
    Consistency.SELF_CONTRADICTORY: RuleText(
        "SelfContradictoryVerdict", "error", "The review says there are no defects, then claims defects.",
        "The review's overall verdict is no defects, and claims of the same review state defects: the review "
        "contradicts itself.",
        "Read the lines of the review that state the verdict and the defects (related locations of the result), "
        "and correct the review."),
}
"""The verdicts that need action, and their rules, after the claims' rules."""
ACTIONABLE_OUTCOMES = frozenset({Outcome.UNGROUNDED, Outcome.CONTRADICTED})
"""The claim outcomes that are results by default: what the gates count."""

_LOCATED = {Status.EXACT.value, Status.NEAR.value, Status.MOVED.value}
_TEST_NAME = re.compile(r"^([a-z][a-z0-9_-]*): ")
"""Analyzer messages that start with a lowercase word and a colon (``blacklist: ...``) start with a rule name."""
_SENTENCE_END = re.compile(r"(?<=\w[.!?])\s+(?=[A-Z])")
_WORDS = re.compile(r"[^0-9A-Za-z]+")


def render(report: Report, color: bool = False, *, all_results: bool = False) -> str:
    """The report as a SARIF 2.1.0 log: sorted keys, two-space indent, a final newline. By default only what
    needs action is a result (see the module docs); ``all_results`` makes every claim and finding one."""
    sarif = _Sarif(report, report.to_dict(), _Places(report), all_results)
    runs = [sarif.analyzer_run(a) for a in sarif.data["analyzers"]] + [sarif.review_run()]
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


def friendly_name(text: str) -> str:
    """``text``'s words as one PascalCase identifier: ``hardcoded_sql-expressions`` is ``HardcodedSqlExpressions``."""
    return "".join(word[:1].upper() + word[1:] for word in _WORDS.split(text) if word)


@functools.cache
def information_uri() -> str:
    """crosscheck's home page, from the package metadata of the distribution that installs it: the
    ``[project.urls]`` entry labelled Homepage, else Repository, Source or Documentation, else ``Home-page``;
    "" when it declares none. The distribution is found by the import package it provides, whatever its name
    (another project's distribution may be called ``crosscheck``)."""
    for name in sorted(importlib.metadata.packages_distributions().get("crosscheck", [])):
        try:
            url = _home_page(importlib.metadata.metadata(name))
        except importlib.metadata.PackageNotFoundError:
            continue
        if url:
            return url
    return ""


def _home_page(meta: importlib.metadata.PackageMetadata) -> str:
    urls: dict[str, str] = {}
    for entry in meta.get_all("Project-URL") or []:
        label, _, url = str(entry).partition(",")
        urls.setdefault(label.strip().casefold().replace(" ", "").replace("-", ""), url.strip())
    found = [urls.get(label, "") for label in ("homepage", "repository", "source", "documentation")]
    found += [str(page) for page in meta.get_all("Home-page") or []]  # get_all: None when absent, in every version
    return next((url for url in found if url.startswith(("https://", "http://"))), "")


class _Places:
    """Where the report's files are, as artifact locations; each worked out once, since it asks the file system."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self._code: dict[str, dict[str, str]] = {}
        self.review = artifact(report.review_file_path()) if report.review.path != "-" else None

    def code(self, path: str) -> dict[str, str]:
        """The code file ``path`` (relative to the code's root, as findings and groundings give it)."""
        if path not in self._code:
            self._code[path] = self._code_file(path)
        return self._code[path]

    def _code_file(self, path: str) -> dict[str, str]:
        report = self.report
        shown = report.code_file_path(path)
        if report.source is not None:  # fetched from an upstream project: not in the repository
            return {"uri": quote(shown), "uriBaseId": UPSTREAM}
        real = os.path.join(report.code.root, path) if report.code.is_dir else report.code.root
        try:
            same = os.path.samefile(shown, real)
        except OSError:  # the shown path is not a file from here (a manifest's pair), or the file is gone
            same = not os.path.exists(real)
        return artifact(shown if same else real)


def _uri_bases(report: Report) -> dict[str, Any]:
    """``originalUriBaseIds``: what each ``uriBaseId`` of the run stands for, left unresolved."""
    bases: dict[str, Any] = {SRCROOT: {"description": {"text": "The directory crosscheck ran in: the repository root."}}}
    if report.source is not None:
        source = report.source
        bases[UPSTREAM] = {"description": {"text": (
            f"The source tree of the upstream project the code was fetched from ({source.revision}, "
            f"{source.source.value}: {source.location}); it is not part of the repository.")}}
    return bases


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
    review = report.review_file_path()
    name = "stdin" if review == "-" else unquote(artifact(review)["uri"]).removeprefix("file://")
    return f"crosscheck/{tool}/{name.strip('/')}/"


def _rule(rule_id: str, text: RuleText, tags: list[str]) -> dict[str, Any]:
    """One of crosscheck's own rules."""
    return {
        "id": rule_id,
        "name": text.name,
        "shortDescription": {"text": text.short},
        "fullDescription": {"text": text.full},
        "help": {"text": f"{text.full}\n\n{text.help}", "markdown": f"**{text.short}**\n\n{text.full}\n\n{text.help}"},
        "defaultConfiguration": {"level": text.level},
        "properties": {"tags": tags},
    }


def _analyzer_rules(findings: list[dict[str, Any]], info: AnalyzerInfo, analyzer: str) -> list[dict[str, Any]]:
    """One rule per rule id used, sorted; its level is that of its most severe finding, its description its first
    finding's message, its ``helpUri`` the rule's documentation page when the analyzer's plugin knows one."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for f in findings:
        groups.setdefault(f["rule_id"], []).append(f)
    rules = []
    for rule_id in sorted(groups):
        group = groups[rule_id]
        worst = max((Severity(f["severity"]) for f in group), key=lambda s: s.rank).value
        cwe = sorted({c for f in group for c in f["cwe"]})
        named = _TEST_NAME.match(group[0]["message"])
        description = (group[0]["message"][named.end():] if named else group[0]["message"]).strip() or rule_id
        name = friendly_name((named[1] if named else rule_id).rsplit(".", 1)[-1])
        rule: dict[str, Any] = {
            "id": rule_id,
            "name": name if name and name != rule_id else friendly_name(f"{analyzer} {rule_id}"),
            "shortDescription": {"text": _SENTENCE_END.split(description, maxsplit=1)[0]},
            "fullDescription": {"text": description},
            "help": _analyzer_help(description, cwe, info.help_uri(rule_id)),
            "defaultConfiguration": {"level": FINDING_LEVELS[worst]},
            "properties": {
                "cwe": cwe,
                "security-severity": SECURITY_SEVERITY[worst],
                "tags": ["security"] + [f"CWE-{c}" for c in cwe] + [f"external/cwe/cwe-{c:03d}" for c in cwe],
            },
        }
        if info.help_uri(rule_id):
            rule["helpUri"] = info.help_uri(rule_id)
        rules.append(rule)
    return rules


def _analyzer_help(description: str, cwe: list[int], uri: str) -> dict[str, str]:
    """An analyzer rule's help: its description, its CWE categories and its documentation page. The description
    is the analyzer's (a rule file's, perhaps), so in Markdown it is escaped into inert text."""
    text, md = [description], [markdown(description)]
    if cwe:
        text.append("CWE: " + ", ".join(f"CWE-{c} ({CWE_URI.format(c)})" for c in cwe) + ".")
        md.append("CWE: " + ", ".join(f"[CWE-{c}]({CWE_URI.format(c)})" for c in cwe) + ".")
    if uri:
        text.append(f"Documentation: {uri}")
        md.append(f"[Documentation](<{uri}>)" if not re.search(r"[\s<>]", uri) else f"Documentation: {markdown(uri)}")
    return {"text": "\n\n".join(text), "markdown": "\n\n".join(md)}


class _Sarif:
    """The runs of one report's log."""

    def __init__(self, report: Report, data: dict[str, Any], places: _Places, every: bool) -> None:
        self.report, self.data, self.places, self.every = report, data, places, every
        self.claims = {c["id"]: c for c in data["claims"]}
        self.findings = {f["id"]: f for f in data["findings"]}

    def code_location(self, path: str, line: int, end_line: int, snippet: str | None = None) -> dict[str, Any]:
        """A location in the code; ``path`` is relative to the code root, as findings and groundings give it."""
        if snippet is None:
            source = self.report.code.file(path)
            snippet = "\n".join(source.lines[line - 1:end_line]) if source else ""
        region: dict[str, Any] = {"startLine": line, "endLine": end_line}
        if snippet:
            region["snippet"] = {"text": snippet}
        return {"physicalLocation": {"artifactLocation": self.places.code(path), "region": region}}

    def review_location(self, start: int, end: int | None = None) -> dict[str, Any] | None:
        """Lines of the review file; None for a review read from standard input."""
        if self.places.review is None:
            return None
        region = {"startLine": start, "endLine": end or start}
        return {"physicalLocation": {"artifactLocation": self.places.review, "region": region}}

    def fallback_location(self) -> list[dict[str, Any]]:
        """Where a result with no place of its own goes when the review has no file: the first line of the
        code's first file (GitHub refuses a result without a location); none when the code has no file."""
        files = self.report.code.files
        return [self.code_location(files[0].path, 1, 1)] if files else []

    def run(self, name: str, version: str, rules: list[dict[str, Any]], results: list[dict[str, Any]],
            invocation: dict[str, Any], home: str = "") -> dict[str, Any]:
        """A run of tool ``name`` (whose home page is ``home``), in its own code scanning category."""
        driver: dict[str, Any] = {"name": name, "rules": rules}
        if version:
            driver["version"] = version
        if home:
            driver["informationUri"] = home
        return {
            "tool": {"driver": driver},
            "automationDetails": {"id": _category(self.report, "review" if name == "crosscheck" else name)},
            "originalUriBaseIds": _uri_bases(self.report),
            "invocations": [invocation],
            "results": results,
        }

    def analyzer_run(self, analyzer: dict[str, Any]) -> dict[str, Any]:
        """One analyzer's run: its findings (those that need action, by default), in report order, linked to the
        claims that report or they refute; the others listed in its properties."""
        findings = [f for f in self.data["findings"] if f["analyzer"] == analyzer["name"]]
        info = next(r.info for r in self.report.runs if r.name == analyzer["name"])  # the plugin's, on its run
        rules = _analyzer_rules(findings, info, analyzer["name"])
        index = {rule["id"]: i for i, rule in enumerate(rules)}
        shown = [f for f in findings if self.every or (f["status"] == FindingStatus.MISSED.value and f["relevant"])]
        results = [self.finding_result(f, index[f["rule_id"]]) for f in shown]
        notes = [("error" if analyzer["status"] in ("failed", "missing") else "warning", analyzer["message"])]
        notes = [n for n in notes if n[1]] + [("error", e) for e in analyzer["errors"]]
        properties = {"status": analyzer["status"]}
        if analyzer["duration_s"] is not None:
            properties["duration_s"] = analyzer["duration_s"]
        invocation = _invocation(analyzer["status"] in ("ok", "partial"), notes, properties)
        run = self.run(analyzer["name"], analyzer["version"], rules, results, invocation, info.information_uri)
        if not self.every:
            run["properties"] = {"omitted": [
                {"id": f["id"], "rule_id": f["rule_id"], "state": finding_state(f),
                 "uri": self.places.code(f["path"])["uri"], "line": f["line"]} for f in findings if f not in shown]}
        return run

    def finding_result(self, f: dict[str, Any], rule_index: int) -> dict[str, Any]:
        """One finding as a result, linked to the claims that report it or that it refutes."""
        claims = self.claims
        reporters = [cid for cid in f["claims"] if claims[cid]["outcome"] == Outcome.CONFIRMED.value]
        refuted = [cid for cid in f["claims"] if cid not in reporters]
        said = f"reported by the review in {', '.join(reporters)}" if reporters else "missed by the review"
        said += f"; it refutes {', '.join(refuted)}" if refuted else ""
        result: dict[str, Any] = {
            "ruleId": f["rule_id"],
            "ruleIndex": rule_index,
            "level": FINDING_LEVELS[f["severity"]],
            "message": {"text": f"{f['message']} ({f['id']}: {said})"},
            "locations": [self.code_location(f["path"], f["line"], f["end_line"], f["snippet"])],
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
                (self.review_location(claims[cid]["span"]["start_line"], claims[cid]["span"]["end_line"]),
                 f"{cid}: {claims[cid]['outcome']} claim in the review") for cid in f["claims"]])
        return result

    def review_run(self) -> dict[str, Any]:
        """The review's run: the verdict when it needs action, then one result per claim (those that need
        action, by default) in review order, ruled by its outcome; the other claims listed in its properties."""
        data = self.data
        rules = [_rule(f"crosscheck/claim/{o.value}", CLAIM_RULES[o], ["ai-generated"]) for o in Outcome]
        rules += [_rule(f"crosscheck/verdict/{c.value}", text, ["ai-generated"]) for c, text in VERDICT_RULES.items()]
        index = {rule["id"]: i for i, rule in enumerate(rules)}
        shown = [c for c in data["claims"] if self.every or Outcome(c["outcome"]) in ACTIONABLE_OUTCOMES]
        results = [self.verdict_result(index)] if data["verdict"]["consistency"] in VERDICT_RULES else []
        results += [self.claim_result(c, index) for c in shown]
        omitted = [{"id": c["id"], "outcome": c["outcome"], "kind": c["kind"], "line": c["span"]["start_line"]}
                   for c in data["claims"] if c not in shown]
        omitted += [{"id": r["properties"]["id"], "outcome": r["ruleId"].rsplit("/", 1)[1], "why": "no location"}
                    for r in results if not r["locations"]]  # a review from stdin of code with no file
        notes = [("warning", d) for d in data["diagnostics"]] + [("note", n) for n in data["grounding"]["notes"]]
        run = self.run("crosscheck", __version__, rules, [r for r in results if r["locations"]],
                       _invocation(True, notes, {}), information_uri())
        run["properties"] = {
            "ai-generated": True,
            "tags": ["ai-generated"],
            "review": data["review"],
            "code": {"path": data["code"]["path"], "sha256": data["code"]["sha256"], "source": data["code"]["source"]},
            "verdict": {key: data["verdict"][key] for key in ("stated", "consistency", "reason")},
            "metrics": data["metrics"],
        } | ({} if self.every and not omitted else {"omitted": omitted})
        return run

    def verdict_result(self, index: dict[str, int]) -> dict[str, Any]:
        """The verdict as a result, at the review's first line that states it, linked to every line that
        does and to the relevant findings."""
        verdict = self.data["verdict"]
        rule_id = f"crosscheck/verdict/{verdict['consistency']}"
        evidence = verdict["evidence"]
        place = self.review_location(evidence[0]["line"] if evidence else 1)
        related: list[tuple[dict[str, Any] | None, str]] = [
            (self.review_location(e["line"]), f"the review states {e['stated']} at line {e['line']}")
            for e in evidence]
        if verdict["consistency"] == Consistency.SELF_CONTRADICTORY.value:  # the claims that state defects
            related += [(self.review_location(c["span"]["start_line"], c["span"]["end_line"]),
                         f"{c['id']}: a defect claim of the review ({c['outcome']})")
                        for c in self.data["claims"] if c["kind"] == "defect"]
        else:  # the findings that count against it
            related += [(self.code_location(f["path"], f["line"], f["end_line"], f["snippet"]),
                         f"{f['id']}: {f['analyzer']} {f['rule_id']} ({f['severity']}, {f['status']})")
                        for f in self.data["findings"] if f["relevant"]]
        result: dict[str, Any] = {
            "ruleId": rule_id,
            "ruleIndex": index[rule_id],
            "level": VERDICT_RULES[Consistency(verdict["consistency"])].level,
            "message": {"text": f"The review states {verdict['stated']}, and its verdict is "
                                f"{verdict['consistency']}: {verdict['reason']}"},
            "locations": [place] if place else self.fallback_location(),
            "partialFingerprints": {FINGERPRINT_KEY: hashlib.sha256(
                f"verdict\x1f{verdict['stated']}\x1f{verdict['consistency']}".encode()).hexdigest()},
            "properties": {"id": "verdict"} | {key: verdict[key] for key in ("stated", "consistency", "reason",
                                                                             "evidence")},
        }
        if related:
            result["relatedLocations"] = _related(related)
        return result

    def claim_result(self, c: dict[str, Any], index: dict[str, int]) -> dict[str, Any]:
        """One claim as a result: at its most precise anchor found in the code (or its lines in the review),
        linked to its other anchors, to the findings that back or refute it and to its lines in the review."""
        rule_id = f"crosscheck/claim/{c['outcome']}"
        review = self.review_location(c["span"]["start_line"], c["span"]["end_line"])
        anchors = self.anchor_locations(c)
        related: list[tuple[dict[str, Any] | None, str]] = [
            (self.code_location(f["path"], f["line"], f["end_line"], f["snippet"]),
             f"{f['id']}: {f['analyzer']} {f['rule_id']} ({match_text(m, with_id=False)})")
            for m in c["matches"] for f in (self.findings[m["finding"]],)]
        if anchors and c["outcome"] != Outcome.UNGROUNDED.value:
            locations = [anchors[0][0]]
            related += anchors[1:] + ([(review, f"{c['id']} in the review")] if review else [])
        else:  # the fault of an ungrounded claim is in the review, not at the code it did find
            locations = [review] if review else self.fallback_location()
            related += anchors
        normalized = " ".join(c["text"].split()).casefold()
        result: dict[str, Any] = {
            "ruleId": rule_id,
            "ruleIndex": index[rule_id],
            "level": CLAIM_RULES[Outcome(c["outcome"])].level,
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
        return result

    def anchor_locations(self, claim: dict[str, Any]) -> list[tuple[dict[str, Any], str]]:
        """Where the claim's anchors really are in the code, most precise first (cited lines, then quoted
        code, then names), without repeats; each with what the claim cites there."""
        anchors = [g for g in claim["citations"] if g["role"] == "anchor" and g["status"] in _LOCATED
                   and g["path"] is not None and g["actual_line"] is not None]
        anchors.sort(key=lambda g: 0 if g["line"] is not None else 1 if g["kind"] == "code" else 2)
        located: list[tuple[dict[str, Any], str]] = []
        for g in anchors:
            source = self.report.code.file(g["path"])
            span = (g["end_line"] or g["line"] or 0) - (g["line"] or 0)
            end = min(g["actual_line"] + span, source.line_count) if source else g["actual_line"]
            location = self.code_location(g["path"], g["actual_line"], max(end, g["actual_line"]))
            cited = f"`{g['code']}`" if g["code"] else f"line {g['line']}"
            if all(location != seen for seen, _ in located):
                located.append((location, f"{claim['id']} cites {cited} ({g['status']})"))
        return located


def render_all(report: Report, color: bool = False) -> str:
    """:func:`render` with every claim and finding a result, for a reader of SARIF rather than code scanning."""
    return render(report, color, all_results=True)


FORMAT = ReportFormat(name="sarif", suffix="sarif", order=30, render=render)
"""``--format sarif``, registered as the entry point ``sarif`` of ``crosscheck.formats``."""

ALL_RESULTS_FORMAT = ReportFormat(name="sarif-all", suffix="all.sarif", order=95, default=False, render=render_all)
"""``--format sarif-all``: every claim and finding a result (code scanning would open an alert for each)."""
