"""Reconciliation: what the review claims against what the analyzers found.

Outcomes of claims:

- ``confirmed``: a defect claim that a finding of a compatible CWE at or near
  its anchors supports (anywhere in the code, when it has no located anchor);
- ``unsupported``: a specific, grounded defect claim that no finding backs:
  static analysis cannot settle it, which is not the same as false;
- ``ungrounded``: the claim cites code or lines that are not there;
- ``generic``: nothing checkable (advice, context, or a claim with no category);
- ``contradicted``: an assurance that a finding (at or above the severity
  threshold) refutes;
- ``upheld``: an assurance with a CWE category that no such finding refutes.

Findings are ``matched`` when a defect claim reports them, ``missed`` otherwise.
Findings whose lines overlap are treated as one site: their CWEs are pooled, so
bandit calling ``eval`` CWE-78 and semgrep calling it CWE-95 both match a claim
about code injection there.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from crosscheck.analyzers.base import sort_key
from crosscheck.cwe import Lexicon
from crosscheck.grounding import NEAR_LINES, GroundedClaim, GroundedReview, Grounding, Status
from crosscheck.models import AnalyzerRun, Finding, Severity
from crosscheck.review.model import CitationKind, CitationRole, ClaimKind, StatedVerdict, VerdictEvidence


class Outcome(str, enum.Enum):
    """What became of a claim (see module docs)."""

    CONFIRMED = "confirmed"
    UNSUPPORTED = "unsupported"
    UNGROUNDED = "ungrounded"
    GENERIC = "generic"
    CONTRADICTED = "contradicted"
    UPHELD = "upheld"


class FindingStatus(str, enum.Enum):
    """Whether the review reported a finding."""

    MATCHED = "matched"
    MISSED = "missed"


class Consistency(str, enum.Enum):
    """Whether the review's overall verdict stands."""

    CONSISTENT = "consistent"
    CONTRADICTED = "contradicted"
    """Says no defects while findings at or above the threshold exist, or says
    defects while no analyzer finding supports anything."""
    SELF_CONTRADICTORY = "self-contradictory"
    """Says no defects and then claims defects."""
    UNDETERMINED = "undetermined"
    """The review states no clear verdict."""


@dataclass(frozen=True)
class ClaimResult:
    """A grounded claim and its outcome."""

    grounded: GroundedClaim
    outcome: Outcome
    reason: str
    findings: tuple[str, ...]
    """Ids of the findings that confirm or contradict the claim."""


@dataclass(frozen=True)
class FindingResult:
    """An analyzer finding and whether the review reported it."""

    id: str
    finding: Finding
    status: FindingStatus
    relevant: bool
    """At or above the severity threshold."""
    claims: tuple[str, ...]
    """Ids of claims that report it (or that it contradicts)."""


@dataclass(frozen=True)
class VerdictResult:
    """The review's stated verdict and whether it stands."""

    stated: StatedVerdict
    consistency: Consistency
    reason: str
    evidence: tuple[VerdictEvidence, ...]


@dataclass(frozen=True)
class Metrics:
    """Per-review numbers; ratios are None when their denominator is zero."""

    claims_by_kind: tuple[tuple[str, int], ...]
    claims_by_outcome: tuple[tuple[str, int], ...]
    findings_by_status: tuple[tuple[str, int], ...]
    findings_relevant: int
    claim_precision: float | None
    """Confirmed claims / defect claims."""
    finding_recall: float | None
    """Matched relevant findings / relevant findings."""
    grounding_rate: float | None
    """Checkable anchors that are not absent / checkable anchors (``unchecked`` ones excluded)."""
    specificity: float | None
    """Claims with at least one checkable anchor / all claims."""
    unverified_suggestions: int
    """APIs the review recommends that exist nowhere in the code or its imports."""
    verdict_consistent: bool | None


@dataclass(frozen=True)
class Reconciliation:
    """Everything reconciliation concludes about one pair."""

    claims: tuple[ClaimResult, ...]
    findings: tuple[FindingResult, ...]
    verdict: VerdictResult
    metrics: Metrics


_LOCATED = (Status.EXACT, Status.NEAR, Status.MOVED)


@dataclass(frozen=True)
class _Place:
    path: str | None
    first: int
    last: int


def reconcile(grounded: GroundedReview, runs: Iterable[AnalyzerRun], min_severity: Severity,
              lexicon: Lexicon | None = None, *, reviewed_revision: bool = True) -> Reconciliation:
    """Decide every claim's outcome, every finding's status and the verdict's consistency.

    ``reviewed_revision`` False says the code is not the revision the review saw
    (a nearby release, say): ungrounded claims then say that drift may explain them.
    """
    lexicon = lexicon or Lexicon.default()
    all_findings = sorted((f for run in runs for f in run.findings), key=sort_key)
    ids = {f: f"F{i}" for i, f in enumerate(all_findings, start=1)}
    site_cwe = {f: _site_cwe(f, all_findings) for f in all_findings}
    links: dict[str, list[str]] = {ids[f]: [] for f in all_findings}
    matched: set[str] = set()
    results = []
    for claim in grounded.claims:
        places = _places(claim)
        # A claim with no anchors at all may be about any place in the code; one
        # whose anchors were all not found is about no place we know.
        anywhere = not claim.anchors
        related = [f for f in all_findings
                   if claim.claim.cwe and lexicon.compatible_any(claim.claim.cwe, site_cwe[f])
                   and (any(_near(f, p) for p in places) if places else anywhere)]
        outcome, reason, backing = _outcome(claim, related, min_severity, lexicon)
        if outcome is Outcome.UNGROUNDED and not reviewed_revision:
            reason += " in this revision of the code, which is not the one reviewed (may be drift)"
        backing_ids = tuple(ids[f] for f in backing)
        for fid in backing_ids:
            links[fid].append(claim.claim.id)
            if outcome is Outcome.CONFIRMED:
                matched.add(fid)
        results.append(ClaimResult(claim, outcome, reason, backing_ids))
    findings = tuple(
        FindingResult(ids[f], f, FindingStatus.MATCHED if ids[f] in matched else FindingStatus.MISSED,
                      f.severity.rank >= min_severity.rank, tuple(links[ids[f]]))
        for f in all_findings
    )
    verdict = _verdict(grounded, tuple(results), findings, min_severity)
    return Reconciliation(tuple(results), findings, verdict, _metrics(tuple(results), findings, verdict))


def _site_cwe(finding: Finding, findings: list[Finding]) -> tuple[int, ...]:
    """CWEs of every finding whose lines overlap this one's, in the same file."""
    return tuple(sorted({c for other in findings if other.path == finding.path
                         and other.line <= finding.end_line and finding.line <= other.end_line for c in other.cwe}))


def _places(claim: GroundedClaim) -> list[_Place]:
    """Where in the code the claim's anchors are: the real place when found, else the cited lines.

    The most precise anchors say where a claim is: cited lines, else quoted
    code, else names in prose (a parameter, a function).
    """
    anchors = claim.anchors
    lined = [g for g in anchors if g.citation.line is not None]
    quoted = [g for g in anchors if g.citation.kind is CitationKind.CODE]
    places = []
    for g in lined or quoted or anchors:
        c = g.citation
        span = (c.end_line or c.line or 0) - (c.line or 0)
        if g.status in _LOCATED and g.actual_line is not None:
            places.append(_Place(g.path, g.actual_line, g.actual_line + span))
        elif g.status is Status.UNCHECKED and c.line is not None:
            places.append(_Place(g.path, c.line, c.end_line or c.line))
    return places


def _near(finding: Finding, place: _Place) -> bool:
    if place.path is not None and place.path != finding.path:
        return False
    return finding.line <= place.last + NEAR_LINES and place.first - NEAR_LINES <= finding.end_line


def _absent_anchors(claim: GroundedClaim) -> list[Grounding]:
    """The anchors that make a claim ungrounded.

    Quoted code, line numbers and file names that are not there count one by
    one; names found in plain prose are weaker evidence (a phrase may look like
    an identifier) and count only when none of the claim's anchors is found.
    Code the review says is not there (``negated``) is no anchor. A defect
    that cites code found only in a comment or docstring cites code that does
    not run.
    """
    anchors = [g for g in claim.anchors if g.status is not Status.UNCHECKED]
    missing = (Status.ABSENT, Status.COMMENT) if claim.claim.kind is ClaimKind.DEFECT else (Status.ABSENT,)
    strong = [g for g in anchors if g.citation.kind is not CitationKind.IDENTIFIER and g.status in missing]
    if strong:
        return strong
    if anchors and all(g.status is Status.ABSENT for g in anchors):
        return anchors
    return []


def _describe(g: Grounding) -> str:
    c = g.citation
    where = "" if c.line is None else f"line {c.line}" if c.end_line in (None, c.line) else f"lines {c.line}-{c.end_line}"
    what = f"`{c.code}`" + (f" at {where}" if where else "") if c.code else where
    return what + (" (only in a comment)" if g.status is Status.COMMENT else "")


def _outcome(claim: GroundedClaim, related: list[Finding], min_severity: Severity,
             lexicon: Lexicon) -> tuple[Outcome, str, list[Finding]]:
    kind = claim.claim.kind
    absent = _absent_anchors(claim)
    absent_text = ", ".join(_describe(g) for g in absent[:3])
    has_checkable = any(g.status is not Status.UNCHECKED for g in claim.anchors)
    cwe_text = ", ".join(f"CWE-{c}" for c in claim.claim.cwe)
    if kind is ClaimKind.DEFECT:
        if related:
            rules = ", ".join(sorted({f"{f.analyzer} {f.rule_id}" for f in related}))
            return Outcome.CONFIRMED, f"supported by {rules} ({cwe_text})", related
        if absent:
            return Outcome.UNGROUNDED, f"cites code that is not there: {absent_text}", []
        if has_checkable or claim.claim.cwe or claim.anchors:
            why = f" ({cwe_text})" if cwe_text else " (no CWE category recognised)"
            return Outcome.UNSUPPORTED, f"no analyzer finding backs this defect claim{why}", []
        return Outcome.GENERIC, "defect claim with no category and no location to check", []
    if kind is ClaimKind.ASSURANCE:
        refuting = [f for f in related if f.severity.rank >= min_severity.rank]
        if refuting:
            rules = ", ".join(sorted({f"{f.analyzer} {f.rule_id}" for f in refuting}))
            return Outcome.CONTRADICTED, f"refuted by {rules} ({cwe_text})", refuting
        if absent:
            return Outcome.UNGROUNDED, f"cites code that is not there: {absent_text}", []
        if claim.claim.cwe:
            return Outcome.UPHELD, f"no finding of {cwe_text} at or above {min_severity.value} severity", []
        return Outcome.GENERIC, "assurance with no recognised category to check", []
    if absent:
        return Outcome.UNGROUNDED, f"cites code that is not there: {absent_text}", []
    return Outcome.GENERIC, f"{kind.value}: nothing a static analyzer can check", []


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


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _metrics(claims: tuple[ClaimResult, ...], findings: tuple[FindingResult, ...],
             verdict: VerdictResult) -> Metrics:
    defects = [c for c in claims if c.grounded.claim.kind is ClaimKind.DEFECT]
    confirmed = [c for c in defects if c.outcome is Outcome.CONFIRMED]
    relevant = [f for f in findings if f.relevant]
    checkable = [g for c in claims for g in c.grounded.anchors if g.status is not Status.UNCHECKED]
    specific = [c for c in claims if any(g.status is not Status.UNCHECKED for g in c.grounded.anchors)]
    return Metrics(
        claims_by_kind=_count((c.grounded.claim.kind.value for c in claims), (k.value for k in ClaimKind)),
        claims_by_outcome=_count((c.outcome.value for c in claims), (o.value for o in Outcome)),
        findings_by_status=_count((f.status.value for f in findings), (s.value for s in FindingStatus)),
        findings_relevant=len(relevant),
        claim_precision=_ratio(len(confirmed), len(defects)),
        finding_recall=_ratio(sum(f.status is FindingStatus.MATCHED for f in relevant), len(relevant)),
        grounding_rate=_ratio(sum(g.status is not Status.ABSENT for g in checkable), len(checkable)),
        specificity=_ratio(len(specific), len(claims)),
        unverified_suggestions=sum(g.citation.role is CitationRole.SUGGESTION and g.status is Status.ABSENT
                                   for c in claims for g in c.grounded.groundings),
        verdict_consistent=None if verdict.consistency is Consistency.UNDETERMINED
        else verdict.consistency is Consistency.CONSISTENT,
    )
