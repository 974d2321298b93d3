"""Reading a review: its verdict, and its claims with kind, hedging, CWE and citations (:func:`read_review`)."""

from __future__ import annotations

import re
from dataclasses import replace

from crosscheck.cwe import Lexicon
from crosscheck.review.blocks import Block, is_location, review_lines, split_blocks
from crosscheck.review.citations import extract
from crosscheck.review.classify import (
    elsewhere_starts,
    field_kind,
    hedge_of,
    introduces_advice_list,
    is_lead_in,
    kind_of,
    remedy_start,
)
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


def read_review(text: str, lexicon: Lexicon | None = None) -> Review:
    """Read review text into its verdict and claims.

    Blocks that state nothing but the verdict ("**No security defects are
    detected in the code**.") are verdict evidence, not claims.
    """
    lexicon = lexicon or Lexicon.default()
    evidence = find_verdicts(text)
    claims: list[Claim] = []
    advice_list = False
    cwe: tuple[int, ...] = ()  # of the last defect claim
    for block in split_blocks(text):
        if not block.is_item:
            advice_list = introduces_advice_list(block.text)
        if is_verdict_only(block.text):
            continue
        for part in _parts(block, lexicon, advice_list=advice_list and block.is_item, cwe=cwe):
            claims.append(replace(part, id=f"C{len(claims) + 1}"))
            cwe = part.cwe if part.kind is ClaimKind.DEFECT else cwe
    claims = _as_in_original(claims)
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


def _parts(block: Block, lexicon: Lexicon, *, advice_list: bool, cwe: tuple[int, ...]) -> tuple[Claim, ...]:
    """The claims of one block: the block; or its defect and the remedy it closes with; and each remark
    that the same problem is elsewhere, a defect claim of its own, of the categories of the last defect
    (``cwe``, the one before the block, unless the block names its own)."""
    # a field that says what to do, or an item of a section that does ("## Acceptance Criteria")
    field = field_kind(block.title) or (field_kind(block.section) if block.is_item else None)
    if field is not None or is_lead_in(block.text):
        return (_claim(block.text, block.title, block.start_line, block.end_line, lexicon,
                       field or ClaimKind.CONTEXT),)
    cuts = elsewhere_starts(block.text, block.title)
    pieces = list(zip([0, *cuts], [*cuts, len(block.text)], strict=True))
    lines = _piece_lines(block, pieces)
    main = block.text[: pieces[0][1]].rstrip()
    claims = list(_finding(main, block, lines[0], lexicon, advice_list=advice_list))
    cwe = next((c.cwe for c in reversed(claims) if c.kind is ClaimKind.DEFECT and c.cwe), cwe)
    for (a, b), (start, end) in zip(pieces[1:], lines[1:], strict=True):
        same = _claim(block.text[a:b].rstrip(), "", start, end, lexicon, ClaimKind.DEFECT)
        claims.append(same if same.cwe else replace(same, cwe=cwe))
    return tuple(claims)


def _piece_lines(block: Block, pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The review lines of each piece ``block.text[a:b]``: from the line of ``a`` to that of the piece's last
    non-blank character (the block's last line, for the last piece); the text is counted once, as a block
    may say "The same issue exists ..." many times."""
    text, line, counted = block.text, block.start_line, 0
    lines: list[tuple[int, int]] = []
    for a, b in pieces:
        line += text.count("\n", counted, a)
        counted, end = a, b
        while end > a and text[end - 1].isspace():
            end -= 1
        if b == len(text):
            lines.append((line, block.end_line))
        elif end > a:
            lines.append((line, line + text.count("\n", a, end)))
        else:  # a blank piece: its last line is before it
            lines.append((line, block.start_line + text[:b].rstrip().count("\n")))
    return lines


def _finding(text: str, block: Block, lines: tuple[int, int], lexicon: Lexicon, *,
             advice_list: bool) -> tuple[Claim, ...]:
    """``text``, the start of ``block`` at review ``lines``: one claim, or a defect and the remedy it
    closes with."""
    pointed = is_location(block.text.split("\n", 1)[0])
    claim = _claim(text, block.title, *lines, lexicon, None, advice_list=advice_list, pointed=pointed)
    cut = remedy_start(text, block.title) if claim.kind is ClaimKind.DEFECT else None
    if cut is None:
        return (claim,)
    line = lines[0] + text.count("\n", 0, cut)
    head_text = text[:cut].rstrip()
    head = _claim(head_text, block.title, lines[0], lines[0] + head_text.count("\n"), lexicon, None,
                  advice_list=advice_list, pointed=pointed)
    if head.kind is not ClaimKind.DEFECT:
        return (claim,)
    return head, _claim(text[cut:], "", line, lines[1], lexicon, ClaimKind.ADVICE, proposed=False)


def _claim(text: str, title: str, start: int, end: int, lexicon: Lexicon, kind: ClaimKind | None, *,
           advice_list: bool = False, pointed: bool = False, proposed: bool = True) -> Claim:
    """One claim of ``text`` at review lines ``start``..``end``; its kind is ``kind`` when a field or the
    block's shape decided it, else read from its sentences."""
    citations = extract(text, start)
    if kind is ClaimKind.ADVICE and proposed:
        citations = _proposed(citations)
    return Claim(
        id="",
        title=title,
        text=text,
        start_line=start,
        end_line=end,
        kind=kind or kind_of(text, title, lexicon.match, citations, advice_list=advice_list, pointed=pointed),
        hedge=hedge_of(text),
        cwe=lexicon.match(text),
        citations=citations,
    )


_ORIGINAL = re.compile(r"<summary>\s*Original\s+comment\s+in\s+English\s*</summary>", re.IGNORECASE)
"""Sourcery's collapsed block with the English original under a comment it posts translated."""


def _as_in_original(claims: list[Claim]) -> list[Claim]:
    """Claims of a translated comment, with the roles the English original gives the same code: the
    code such a comment names without a line is what the original says of it (proposed, or said not to
    be there), as the reader's cues are English."""
    result, start = list(claims), 0
    for number, claim in enumerate(claims):
        if not _ORIGINAL.search(claim.text):
            continue
        end = next((n for n in range(number + 1, len(claims)) if _ORIGINAL.search(claims[n].text)), len(claims))
        roles = {c.code: c.role for original in claims[number:end] for c in original.citations
                 if c.role is not CitationRole.ANCHOR and c.line is None}
        for index in range(start, number):
            result[index] = replace(result[index], citations=tuple(
                replace(c, role=roles[c.code]) if c.role is CitationRole.ANCHOR and c.line is None and c.code in roles
                else c for c in result[index].citations))
        start = end
    return result


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
