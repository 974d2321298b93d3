"""What reconciliation concludes: each claim's outcome, each finding's status, the verdict's consistency.

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

Findings are ``matched`` when a confirmed claim reports them, ``missed``
otherwise, and ``suppressed`` when a ``# nosec`` / ``# nosemgrep`` comment
covers them (unless auditing). A finding is *relevant* to the verdict when it is
at or above the severity threshold, not suppressed, not test-context noise
(see :mod:`crosscheck.reconcile.testcode`) unless test findings are asked for, and,
when a pull request's change is checked, on the change.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from crosscheck.grounding.model import GroundedClaim, Scope
from crosscheck.models import Finding
from crosscheck.review.model import StatedVerdict, VerdictEvidence


class Outcome(str, enum.Enum):
    """What became of a claim (see module docs)."""

    CONFIRMED = "confirmed"
    UNSUPPORTED = "unsupported"
    UNGROUNDED = "ungrounded"
    GENERIC = "generic"
    CONTRADICTED = "contradicted"
    UPHELD = "upheld"


OUTCOME_ORDER = (Outcome.CONTRADICTED, Outcome.UNGROUNDED, Outcome.UNSUPPORTED, Outcome.CONFIRMED,
                 Outcome.UPHELD, Outcome.GENERIC)
"""The outcomes, most telling first: the order reports and summaries list claims by outcome in."""


class FindingStatus(str, enum.Enum):
    """Whether the review reported a finding."""

    MATCHED = "matched"
    MISSED = "missed"
    SUPPRESSED = "suppressed"
    """A ``# nosec`` or ``# nosemgrep`` comment covers it (and auditing is off)."""


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
class Match:
    """Why a finding is tied to a claim: the signals that agree (see :mod:`crosscheck.reconcile.claims`)."""

    finding: str
    """The finding's id."""
    cwe: str
    """How the CWEs agree ("CWE-89", "CWE-78 is a kind of CWE-77"), or "" when they do not."""
    location: str
    """Where the finding is relative to the claim ("at line 58", "in the same function f", ...)."""
    vocabulary: tuple[str, ...]
    """Words of the rule's vocabulary that the claim uses."""


@dataclass(frozen=True)
class ClaimResult:
    """A grounded claim and its outcome."""

    grounded: GroundedClaim
    outcome: Outcome
    reason: str
    matches: tuple[Match, ...]
    """The findings that confirm or contradict the claim, and why each is tied to it."""
    outside_change: bool = False
    """In pull-request mode: every place the claim is about lies outside the change (it stays grounded)."""

    @property
    def findings(self) -> tuple[str, ...]:
        """Ids of the findings that confirm or contradict the claim."""
        return tuple(m.finding for m in self.matches)


@dataclass(frozen=True)
class FindingResult:
    """An analyzer finding and whether the review reported it."""

    id: str
    finding: Finding
    status: FindingStatus
    relevant: bool
    """Counts in the verdict check: at or above the severity threshold, not suppressed,
    and not test-context noise (unless test findings are asked for)."""
    claims: tuple[str, ...]
    """Ids of claims that report it (or that it contradicts)."""
    test_context: bool = False
    """In a test file, and of a kind that is noise there (see :mod:`crosscheck.reconcile.testcode`)."""
    outside_change: bool = False
    """In pull-request mode: not on the change (see :class:`~crosscheck.models.ChangeScope`), so it is
    not relevant: the review of a change is not asked about code the change did not touch."""


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


@dataclass(frozen=True)
class Place:
    """A stretch of lines a claim is about (``path`` None: whichever file has them)."""

    path: str | None
    first: int
    last: int
    scope: Scope | None = None
    """The function or class holding the place, when the file parsed."""


def ratio(part: int, whole: int) -> float | None:
    """``part / whole`` rounded to 4 places, as every ratio in reports is; None when ``whole`` is 0."""
    return round(part / whole, 4) if whole else None
