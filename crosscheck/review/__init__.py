"""Reading a review: its verdict, and its claims with kind, hedging, CWE and citations."""

from __future__ import annotations

from dataclasses import replace

from crosscheck.cwe import Lexicon
from crosscheck.review.blocks import is_location, review_lines, split_blocks
from crosscheck.review.citations import extract
from crosscheck.review.classify import field_kind, hedge_of, introduces_advice_list, is_lead_in, kind_of
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
from crosscheck.review.verdict import find_verdicts, is_verdict_only, stated_verdict

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


def read_review(text: str, lexicon: Lexicon | None = None) -> Review:
    """Read review text into its verdict and claims.

    Blocks that state nothing but the verdict ("**No security defects are
    detected in the code**.") are verdict evidence, not claims.
    """
    lexicon = lexicon or Lexicon.default()
    evidence = find_verdicts(text)
    claims: list[Claim] = []
    advice_list = False
    for block in split_blocks(text):
        if not block.is_item:
            advice_list = introduces_advice_list(block.text)
        if is_verdict_only(block.text):
            continue
        citations = extract(block.text, block.start_line)
        # a field that says what to do, or an item of a section that does ("## Acceptance Criteria")
        field = field_kind(block.title) or (field_kind(block.section) if block.is_item else None)
        if field is ClaimKind.ADVICE:
            citations = _proposed(citations)
        cwe = lexicon.match(block.text)
        kind = field or (ClaimKind.CONTEXT if is_lead_in(block.text) else kind_of(
            block.text, block.title, lexicon.match, citations, advice_list=advice_list and block.is_item,
            pointed=is_location(block.text.split("\n", 1)[0])))
        claims.append(Claim(
            id=f"C{len(claims) + 1}",
            title=block.title,
            text=block.text,
            start_line=block.start_line,
            end_line=block.end_line,
            kind=kind,
            hedge=hedge_of(block.text),
            cwe=cwe,
            citations=citations,
        ))
    verdict = stated_verdict(evidence)
    if verdict is StatedVerdict.UNCLEAR:
        # no verdict sentence: a review that asserts a defect (a bot's comment, a scanner's issue) states
        # that the code has one, as a person reading it takes it; speculation ("if ..., it might ...") does not
        defect = next((c for c in claims if c.kind is ClaimKind.DEFECT and c.hedge is not Hedge.SPECULATIVE), None)
        if defect is not None:
            verdict = StatedVerdict.DEFECTS
            evidence = (VerdictEvidence(verdict, defect.start_line, _first_line(defect)),)
    return Review(
        verdict=verdict,
        evidence=evidence,
        claims=tuple(claims),
        line_count=len(review_lines(text)),
    )


def _first_line(claim: Claim) -> str:
    """The claim's title, or its first line, as the sentence that states a verdict by itself."""
    return (claim.title or claim.text.split("\n", 1)[0]).replace("`", "").replace("**", "").strip()[:300]


def _proposed(citations: tuple[Citation, ...]) -> tuple[Citation, ...]:
    """The citations of a field that says what to do ("**Fix:** use `os.path.basename()`"): the code it
    names without a line is the proposed fix, a suggestion; code it cites at a line is still there."""
    return tuple(
        replace(c, role=CitationRole.SUGGESTION)
        if c.role is CitationRole.ANCHOR and c.line is None and c.kind in (CitationKind.CODE, CitationKind.IDENTIFIER)
        else c
        for c in citations
    )
