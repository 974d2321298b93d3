"""What a review says, as read: its verdict and its claims with their citations."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class StatedVerdict(str, enum.Enum):
    """The overall conclusion the review states."""

    NO_DEFECTS = "no-defects"
    DEFECTS = "defects"
    UNCLEAR = "unclear"


class ClaimKind(str, enum.Enum):
    """What sort of statement a claim is."""

    DEFECT = "defect"
    """Asserts a security problem in this code, hedged or not."""
    ADVICE = "advice"
    """A generic recommendation."""
    ASSURANCE = "assurance"
    """Asserts the code is safe in some respect."""
    CONTEXT = "context"
    """Description, disclaimers, framing."""


class Hedge(str, enum.Enum):
    """How tentatively a claim is worded."""

    NONE = "none"
    HEDGED = "hedged"
    """One hedging word ("potential", "could", "might", ...)."""
    SPECULATIVE = "speculative"
    """Several hedging words."""


class CitationKind(str, enum.Enum):
    """What a citation points at."""

    LINE = "line"
    """Only line numbers."""
    CODE = "code"
    """Quoted code (backticks or a code fence), maybe with line numbers."""
    IDENTIFIER = "identifier"
    """A name written in plain text (``nova.db.api``, ``HypervisorUnavailable``), maybe with lines."""
    FILE = "file"
    """A file name."""


class CitationRole(str, enum.Enum):
    """Whether a citation says what the code contains or what it should use."""

    ANCHOR = "anchor"
    """Points at code the review says is there."""
    SUGGESTION = "suggestion"
    """Names an API the review recommends ("consider using `x()` instead")."""
    NEGATED = "negated"
    """Names code the review says is not there ("does not use `eval()`")."""


@dataclass(frozen=True)
class Citation:
    """One place in the code a claim points at."""

    kind: CitationKind
    role: CitationRole
    line: int | None
    """First cited line, if the review gave line numbers."""
    end_line: int | None
    """Last cited line (equal to ``line`` for a single line)."""
    code: str | None
    """Quoted code or the identifier named."""
    file: str | None
    """File name the review gave for this citation, if any."""
    review_line: int
    """Line of the review where the citation is written."""
    platform: bool = False
    """The platform's anchor of the pull-request comment the claim was read from (a file and line the
    platform attached the comment to), not something the review's prose cites."""


@dataclass(frozen=True)
class Claim:
    """One statement of the review: a list item, a headed section or a paragraph."""

    id: str
    """``C1``, ``C2``, ... in review order."""
    title: str
    """The run-in or heading title, or empty."""
    text: str
    """The claim's text as written, list markers removed."""
    start_line: int
    end_line: int
    """Span of the claim in the review (1-based, inclusive)."""
    kind: ClaimKind
    hedge: Hedge
    cwe: tuple[int, ...]
    """CWE categories the claim talks about, from the lexicon."""
    citations: tuple[Citation, ...]
    comment: str = ""
    """The pull-request comment the claim was read from (its URL, else the platform's id), when the review
    is a platform's export of comments."""
    author: str = ""
    """Who wrote that comment (the platform's login), when known."""


@dataclass(frozen=True)
class VerdictEvidence:
    """A sentence of the review that states an overall verdict."""

    stated: StatedVerdict
    line: int
    text: str


@dataclass(frozen=True)
class Review:
    """The review as read: verdict plus claims."""

    verdict: StatedVerdict
    evidence: tuple[VerdictEvidence, ...]
    claims: tuple[Claim, ...]
    line_count: int
