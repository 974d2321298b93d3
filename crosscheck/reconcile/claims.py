"""Reconciliation: deciding what the review's claims, the analyzers' findings and the verdict come to.

A finding is tied to a claim on three signals, each recorded in a :class:`Match`:

- **CWE**: the claim's category and the finding's are the same or one is a kind
  of the other in the CWE hierarchy (siblings are not compatible). Findings whose
  lines overlap are one site: their CWEs are pooled, so bandit calling ``eval``
  CWE-78 and semgrep calling it CWE-95 both match a claim about code injection;
- **location**: the finding is at the claim's cited lines (or where its quoted
  code really is), within ``NEAR_LINES`` of them, or in the same function or
  class (scopes from the grounding index). A claim with no anchors at all may be about anywhere;
- **vocabulary**: the claim uses words of the rule's own vocabulary ("md5",
  "weak hash").

A defect claim is confirmed by a finding at its location with a compatible CWE
or the rule's vocabulary (a claim about anywhere needs the CWE); an assurance is
contradicted by a relevant finding with a compatible CWE. A finding can back
several claims and a claim can have several findings. A claim about line 58 in
one function does not take a same-rule finding at line 76 in another function:
that one stays missed.

The outcomes and statuses themselves are defined in :mod:`crosscheck.reconcile.model`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence

from crosscheck.analyzers.base import sort_key
from crosscheck.cwe import Lexicon
from crosscheck.grounding.model import NEAR_LINES, GroundedClaim, GroundedReview, Grounding, Status
from crosscheck.load.change import Change
from crosscheck.models import AnalyzerRun, ChangeScope, Finding, Severity
from crosscheck.reconcile.model import (
    ClaimResult,
    Consistency,
    FindingResult,
    FindingStatus,
    Match,
    Metrics,
    Outcome,
    Place,
    Reconciliation,
    VerdictResult,
    ratio,
)
from crosscheck.reconcile.testcode import in_test_context
from crosscheck.review.model import CitationKind, CitationRole, ClaimKind, StatedVerdict


def reconcile(grounded: GroundedReview, runs: Sequence[AnalyzerRun], min_severity: Severity,
              lexicon: Lexicon | None = None, *, reviewed_revision: bool = True, audit: bool = False,
              test_files: frozenset[str] = frozenset(), test_findings: bool = False,
              change: Change | None = None, scope: ChangeScope = ChangeScope.LINE) -> Reconciliation:
    """Decide every claim's outcome, every finding's status and the verdict's consistency.

    ``reviewed_revision`` False says the code is not the revision the review saw
    (a nearby release, say): ungrounded claims then say that drift may explain them.
    ``audit`` ignores suppression comments; ``test_files`` are the paths of test
    files, where noise findings count only with ``test_findings``. With a pull request's ``change``,
    only findings on it (by ``scope``) are relevant, and claims about nothing but code outside it are
    marked so.
    """
    lexicon = lexicon or Lexicon.default()
    all_findings = sorted((f for run in runs for f in run.findings), key=sort_key)
    ids = {f: f"F{i}" for i, f in enumerate(all_findings, start=1)}
    site_cwe = {f: _site_cwe(f, all_findings) for f in all_findings}
    suppressed = {f for f in all_findings if f.suppression and not audit}
    test_context = in_test_context(runs, test_files)
    outside = {f for f in all_findings if change and not change.covers(f.path, f.line, f.end_line, scope)}
    relevant = {f for f in all_findings if f.severity.rank >= min_severity.rank and f not in suppressed
                and (test_findings or f not in test_context) and f not in outside}
    links: dict[str, list[str]] = {ids[f]: [] for f in all_findings}
    matched: set[str] = set()
    results = []
    for claim in grounded.claims:
        candidates = _matches(claim, all_findings, site_cwe, lexicon)
        outcome, reason, backing = _outcome(claim, candidates, relevant, min_severity)
        if outcome is Outcome.UNGROUNDED and not reviewed_revision:
            reason += " in this revision of the code, which is not the one reviewed (may be drift)"
        matches = tuple(Match(ids[f], *signals) for f, signals in backing)
        for m in matches:
            links[m.finding].append(claim.claim.id)
            if outcome is Outcome.CONFIRMED:
                matched.add(m.finding)
        results.append(ClaimResult(claim, outcome, reason, matches,
                                   change is not None and _outside(claim, change, scope)))
    findings = tuple(
        FindingResult(ids[f], f, FindingStatus.SUPPRESSED if f in suppressed
                      else FindingStatus.MATCHED if ids[f] in matched else FindingStatus.MISSED,
                      f in relevant, tuple(links[ids[f]]), f in test_context, f in outside)
        for f in all_findings
    )
    verdict = _verdict(grounded, tuple(results), findings, min_severity)
    return Reconciliation(tuple(results), findings, verdict, _metrics(tuple(results), findings, verdict))


_Signals = tuple[str, str, tuple[str, ...]]
"""A candidate match's (cwe, location, vocabulary), as in :class:`Match`."""


def _matches(claim: GroundedClaim, findings: list[Finding], site_cwe: dict[Finding, tuple[int, ...]],
             lexicon: Lexicon) -> list[tuple[Finding, _Signals]]:
    """Every finding tied to ``claim`` by location and by CWE or vocabulary, with the signals."""
    places = claim_places(claim)
    # A claim with no anchors at all may be about any place in the code; one
    # whose anchors were all not found is about no place we know.
    if not places and claim.anchors:
        return []
    text = f"{claim.claim.title} {claim.claim.text}"
    found = []
    for f in findings:
        location = _location(f, places) if places else "anywhere: the claim names no place"
        if location is None:
            continue
        cwe = _cwe_link(lexicon, claim.claim.cwe, site_cwe[f])
        words = vocabulary_hits(text, f.vocabulary)
        if cwe or (places and words):
            found.append((f, (cwe, location, words)))
    return found


def _location(finding: Finding, places: list[Place]) -> str | None:
    """How close ``finding`` is to the nearest of ``places``, in words; None when it is not close."""
    best: tuple[int, str] | None = None
    for p in places:
        if p.path is not None and p.path != finding.path:
            continue
        lines = f"line {p.first}" if p.first == p.last else f"lines {p.first}-{p.last}"
        gap = max(p.first - finding.end_line, finding.line - p.last, 0)
        if gap == 0:
            candidate = (0, f"at {lines}")
        elif gap <= NEAR_LINES:
            candidate = (1, f"within {NEAR_LINES} lines of {lines}")
        elif p.scope is not None and p.scope.first <= finding.line <= p.scope.last:
            candidate = (2, f"in the same {p.scope.kind} as {lines} ({p.scope.name})")
        else:
            continue
        best = candidate if best is None or candidate < best else best
    return None if best is None else best[1]


def _cwe_link(lexicon: Lexicon, claim: tuple[int, ...], site: tuple[int, ...]) -> str:
    """How the claim's CWEs and the finding site's agree, in words; "" when they do not."""
    for a in claim:
        for b in site:
            if a == b:
                return f"CWE-{a}"
            if b in lexicon.ancestors(a):
                return f"CWE-{a} is a kind of CWE-{b}"
            if a in lexicon.ancestors(b):
                return f"CWE-{b} is a kind of CWE-{a}"
    return ""


@functools.cache
def _term_pattern(term: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w.]){re.escape(term)}(?![\w])", re.IGNORECASE)


def vocabulary_hits(text: str, vocabulary: Iterable[str]) -> tuple[str, ...]:
    """The terms of ``vocabulary`` that ``text`` uses as whole words, sorted."""
    return tuple(sorted({t for t in vocabulary if t and _term_pattern(t).search(text)}))


def _site_cwe(finding: Finding, findings: list[Finding]) -> tuple[int, ...]:
    """CWEs of every finding whose lines overlap this one's, in the same file."""
    return tuple(sorted({c for other in findings if other.path == finding.path
                         and other.line <= finding.end_line and finding.line <= other.end_line for c in other.cwe}))


def claim_places(claim: GroundedClaim) -> list[Place]:
    """Where in the code the claim's anchors are: the real place when found, else the cited lines.

    The most precise anchors say where a claim is: cited lines, else quoted
    code, else names in prose (a parameter, a function).
    """
    anchors = claim.anchors
    lined = [g for g in anchors if g.citation.line is not None]
    quoted = [g for g in anchors if g.citation.kind is CitationKind.CODE]
    return [Place(g.path, *lines, g.scope) for g in lined or quoted or anchors if (lines := g.lines) is not None]


def _outside(claim: GroundedClaim, change: Change, scope: ChangeScope) -> bool:
    """Whether every place ``claim`` is about lies outside ``change`` (a claim about no place is not; lines
    cited in no file are the change's when they are in any changed file)."""
    places = claim_places(claim)
    return bool(places) and not any(change.covers(path, p.first, p.last, scope) for p in places
                                    for path in ([p.path] if p.path else [f.path for f in change.files]))


def _absent_anchors(claim: GroundedClaim) -> tuple[list[Grounding], list[Grounding]]:
    """The anchors that make a claim ungrounded, and the quoted ones that are not there (reported even
    when they do not sink the claim).

    Quoted code with more than a name in it (a call with arguments, a statement), line numbers and file
    names that are not there count one by one. Names are weaker evidence and count only when none of
    the claim's anchors is found: a name in plain prose (a phrase may look like an identifier), and a
    name in backticks with no line (`chr()`, `type.__dict__`), which an exploit's steps or an example
    name as often as the code does. Nothing sinks the claim of a pull-request comment made on code that
    is gone since (a ``stale`` anchor): its other code may have gone with it. Code the review says is not there (``negated``) is no anchor. A
    defect that cites code found only in a comment or docstring cites code that does not run.
    """
    anchors = [g for g in claim.anchors if g.status is not Status.UNCHECKED]
    if any(g.status is Status.STALE for g in anchors):  # the code moved on since the comment: nothing sinks it
        return [], []
    missing = (Status.ABSENT, Status.COMMENT) if claim.claim.kind is ClaimKind.DEFECT else (Status.ABSENT,)
    quoted = [g for g in anchors if g.citation.kind is not CitationKind.IDENTIFIER and g.status in missing]
    if any(g.citation.line is not None or not _NAME.match(g.citation.code or "") for g in quoted):
        return quoted, quoted
    if anchors and all(g.status is Status.ABSENT for g in anchors):
        return anchors, quoted
    return [], quoted


_NAME = re.compile(r"[A-Za-z_][\w.]*(?:\(\))?\Z")
"""Code that is only a name: `chr()`, `type.__dict__`, `BuiltinImporter.load_module`."""


def _describe(g: Grounding) -> str:
    c = g.citation
    where = "" if c.line is None else f"line {c.line}" if c.end_line in (None, c.line) else f"lines {c.line}-{c.end_line}"
    what = f"`{c.code}`" + (f" at {where}" if where else "") if c.code else where
    return what + (" (only in a comment)" if g.status is Status.COMMENT else "")


def _outcome(claim: GroundedClaim, candidates: list[tuple[Finding, _Signals]], relevant: set[Finding],
             min_severity: Severity) -> tuple[Outcome, str, list[tuple[Finding, _Signals]]]:
    kind = claim.claim.kind
    absent, details = _absent_anchors(claim)
    absent_text = ", ".join(_describe(g) for g in absent[:3])
    # one wrong detail does not sink a claim (an analyzer backs it where it points, or it names a name
    # that is not there beside code that is): it is reported
    wrong = f"; but cites code that is not there: {', '.join(_describe(g) for g in details[:3])}" if details else ""
    has_checkable = any(g.status is not Status.UNCHECKED for g in claim.anchors)
    cwe_text = ", ".join(f"CWE-{c}" for c in claim.claim.cwe)
    if kind is ClaimKind.DEFECT:
        if candidates:
            rules = ", ".join(sorted({f"{f.analyzer} {f.rule_id}" for f, _ in candidates}))
            words = sorted({w for _, (cwe, _, hits) in candidates if not cwe for w in hits})
            signals = ([cwe_text] if any(cwe for _, (cwe, _, _) in candidates) else []) + (
                [f"the rule's words: {', '.join(words)}"] if words else [])
            return Outcome.CONFIRMED, f"supported by {rules} ({'; '.join(signals)}){wrong}", candidates
        if absent:
            return Outcome.UNGROUNDED, f"cites code that is not there: {absent_text}", []
        if has_checkable or claim.claim.cwe or claim.anchors:
            why = f" ({cwe_text})" if cwe_text else " (no CWE category recognised)"
            return Outcome.UNSUPPORTED, f"no analyzer finding backs this defect claim{why}{wrong}", []
        return Outcome.GENERIC, "defect claim with no category and no location to check", []
    if kind is ClaimKind.ASSURANCE:
        refuting = [(f, signals) for f, signals in candidates if f in relevant and signals[0]]
        if refuting:
            rules = ", ".join(sorted({f"{f.analyzer} {f.rule_id}" for f, _ in refuting}))
            return Outcome.CONTRADICTED, f"refuted by {rules} ({cwe_text})", refuting
        if absent:
            return Outcome.UNGROUNDED, f"cites code that is not there: {absent_text}", []
        if claim.claim.cwe:
            return (Outcome.UPHELD, f"no relevant finding of {cwe_text} at or above {min_severity.value} severity{wrong}",
                    [])
        return Outcome.GENERIC, f"assurance with no recognised category to check{wrong}", []
    if absent:
        return Outcome.UNGROUNDED, f"cites code that is not there: {absent_text}", []
    return Outcome.GENERIC, f"{kind.value}: nothing a static analyzer can check{wrong}", []


def _verdict(grounded: GroundedReview, claims: tuple[ClaimResult, ...], findings: tuple[FindingResult, ...],
             min_severity: Severity) -> VerdictResult:
    review = grounded.review
    defects = [c.grounded.claim.id for c in claims if c.grounded.claim.kind is ClaimKind.DEFECT]
    relevant = [f for f in findings if f.relevant]
    stated = review.verdict
    if stated is StatedVerdict.NO_DEFECTS:
        if defects:
            consistency, reason = Consistency.SELF_CONTRADICTORY, (
                f"states no defects, then claims {len(defects)} defect(s): {', '.join(defects)}")
        elif any(e.stated is StatedVerdict.DEFECTS for e in review.evidence):
            consistency, reason = Consistency.SELF_CONTRADICTORY, "states both no defects and defects found"
        elif relevant:
            consistency, reason = Consistency.CONTRADICTED, (
                f"states no defects, but {len(relevant)} finding(s) at or above {min_severity.value} severity exist: "
                + ", ".join(f.id for f in relevant[:10]))
        else:
            consistency, reason = Consistency.CONSISTENT, (
                f"no analyzer finding at or above {min_severity.value} severity")
    elif stated is StatedVerdict.DEFECTS:
        confirmed = [c for c in claims if c.outcome is Outcome.CONFIRMED]
        if not findings and not confirmed:
            consistency, reason = Consistency.CONTRADICTED, "states defects, but no analyzer finding supports any"
        else:
            consistency, reason = Consistency.CONSISTENT, (
                f"{len(confirmed)} claim(s) confirmed, {len(findings)} finding(s) in the code")
    else:
        consistency, reason = Consistency.UNDETERMINED, "the review states no overall verdict"
    return VerdictResult(stated, consistency, reason, review.evidence)


def _count(values: Iterable[str], keys: Iterable[str]) -> tuple[tuple[str, int], ...]:
    counted = list(values)
    return tuple((k, counted.count(k)) for k in keys)


def _metrics(claims: tuple[ClaimResult, ...], findings: tuple[FindingResult, ...],
             verdict: VerdictResult) -> Metrics:
    defects = [c for c in claims if c.grounded.claim.kind is ClaimKind.DEFECT]
    confirmed = [c for c in defects if c.outcome is Outcome.CONFIRMED]
    relevant = [f for f in findings if f.relevant]
    checkable = [g for c in claims for g in c.grounded.anchors if g.status not in (Status.UNCHECKED, Status.STALE)]
    specific = [c for c in claims if any(g.status is not Status.UNCHECKED for g in c.grounded.anchors)]
    return Metrics(
        claims_by_kind=_count((c.grounded.claim.kind.value for c in claims), (k.value for k in ClaimKind)),
        claims_by_outcome=_count((c.outcome.value for c in claims), (o.value for o in Outcome)),
        findings_by_status=_count((f.status.value for f in findings), (s.value for s in FindingStatus)),
        findings_relevant=len(relevant),
        claim_precision=ratio(len(confirmed), len(defects)),
        finding_recall=ratio(sum(f.status is FindingStatus.MATCHED for f in relevant), len(relevant)),
        grounding_rate=ratio(sum(g.status is not Status.ABSENT for g in checkable), len(checkable)),
        specificity=ratio(len(specific), len(claims)),
        unverified_suggestions=sum(g.citation.role is CitationRole.SUGGESTION and g.status is Status.ABSENT
                                   for c in claims for g in c.grounded.groundings),
        verdict_consistent=None if verdict.consistency is Consistency.UNDETERMINED
        else verdict.consistency is Consistency.CONSISTENT,
    )
