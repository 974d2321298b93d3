"""What grounding concludes: the status of every citation, and the grounded review.

Each citation gets a status:

- ``exact``: the cited code is on the cited line, or on the statement spanning it
  (with no line cited: the code is there);
- ``near``: it is within :data:`NEAR_LINES` (3) lines of the cited lines;
- ``moved``: it is elsewhere in the code;
- ``comment``: it is only inside a comment, docstring or bare string;
- ``absent``: it is nowhere in the code, or the cited line does not exist;
- ``unchecked``: only a line number was cited, and it exists: nothing to compare;
- ``stale``: a pull-request platform's anchor of a comment made on an older commit, whose code is no
  longer anywhere in the code: the comment is out of date, which is not the reviewer's invention.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from crosscheck.review.model import Citation, CitationRole, Claim, Review

NEAR_LINES = 3
"""How many lines off cited code may be and still be ``near`` (reconciliation uses it for findings too)."""


@dataclass(frozen=True)
class Scope:
    """A function or class definition: the place a claim about one of its lines is about."""

    kind: str
    """``function`` or ``class``."""
    name: str
    """Qualified within the module: ``Class.method``, ``outer.inner``."""
    first: int
    """First line, decorators included."""
    last: int


class Status(str, enum.Enum):
    """Whether a citation's code is where the review says (see module docs)."""

    EXACT = "exact"
    NEAR = "near"
    MOVED = "moved"
    ABSENT = "absent"
    COMMENT = "comment"
    UNCHECKED = "unchecked"
    STALE = "stale"


LOCATED = (Status.EXACT, Status.NEAR, Status.MOVED)
"""Statuses that put a citation at a real place in the code."""


@dataclass(frozen=True)
class Grounding:
    """The verdict on one citation."""

    citation: Citation
    status: Status
    path: str | None
    """File where the cited code was found (or the only file, for a line citation)."""
    actual_line: int | None
    """Where the cited code really is; the occurrence closest to the cited line."""
    score: float | None
    """How well the code matched: 100 for an exact (whitespace- and quote-insensitive)
    match, the fuzzy score otherwise; None when no text was compared."""
    scope: Scope | None = None
    """The innermost function or class holding the cited place (found code, or a cited line
    that exists); None at module level, for absent code, or when the file did not parse."""

    @property
    def lines(self) -> tuple[int, int] | None:
        """The lines of :attr:`path` the citation is at: where its code really is (a located citation,
        as many lines as it cites), or the cited lines of an ``unchecked`` line citation; None otherwise."""
        c = self.citation
        first = (self.actual_line if self.status in LOCATED
                 else c.line if self.status is Status.UNCHECKED else None)
        return None if first is None else (first, first + (c.end_line or c.line or 0) - (c.line or 0))


@dataclass(frozen=True)
class GroundedClaim:
    """A claim with the grounding of each of its citations, in the same order."""

    claim: Claim
    groundings: tuple[Grounding, ...]

    @property
    def anchors(self) -> tuple[Grounding, ...]:
        """Groundings of citations that say what the code contains (not suggestions)."""
        return tuple(g for g in self.groundings if g.citation.role is CitationRole.ANCHOR)


@dataclass(frozen=True)
class FileParse:
    """How one cited file was parsed."""

    path: str
    parser: str
    error: str


@dataclass(frozen=True)
class GroundedReview:
    """The review with every citation grounded."""

    review: Review
    claims: tuple[GroundedClaim, ...]
    files: tuple[FileParse, ...]
    """Files that had to be parsed, and with what."""
    notes: tuple[str, ...]
    """Observations about the whole review, e.g. signs of revision drift."""

    def comment_anchors(self) -> tuple[tuple[GroundedClaim, Grounding], ...]:
        """The platform's anchor of each pull-request comment the claims were read from, grounded, once per
        comment (every claim of a comment carries the same anchor), with the comment's first claim, in
        review order."""
        seen: dict[str, tuple[GroundedClaim, Grounding]] = {}
        for claim in self.claims:
            anchor = next((g for g in claim.groundings if g.citation.platform), None)
            if anchor is not None and claim.claim.comment not in seen:
                seen[claim.claim.comment] = (claim, anchor)
        return tuple(seen.values())

