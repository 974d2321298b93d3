"""Reading a review: its verdict, and its claims with kind, hedging, CWE and citations.

The reader (:func:`read_review`, in :mod:`crosscheck.review.reader`) is loaded when it is first asked
for: the model's types alone are what most of crosscheck needs (a report, a warm batch from the cache),
and the reader's patterns take a twentieth of a second to compile.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from crosscheck.review.model import (
    Citation,
    CitationKind,
    CitationRole,
    Claim,
    ClaimKind,
    Hedge,
    Review,
    StatedVerdict,
    VerdictEvidence,
)

if TYPE_CHECKING:
    from crosscheck.review.reader import read_review

__all__ = [
    "Citation",
    "CitationKind",
    "CitationRole",
    "Claim",
    "ClaimKind",
    "Hedge",
    "Review",
    "StatedVerdict",
    "VerdictEvidence",
    "read_review",
]


def __getattr__(name: str) -> object:
    """``read_review``, from :mod:`crosscheck.review.reader`, loaded on first use."""
    if name == "read_review":
        from crosscheck.review.reader import read_review

        return read_review
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
