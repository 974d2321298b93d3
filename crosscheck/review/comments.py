"""Reading a pull request's comments (a platform's export) as one review.

Each comment's body is read as a review of its own, then its claims are put in the
order of the export, numbered again, and placed at the comment's lines of the text
the export is read as (:func:`comment_lines`). A comment the platform anchors to a
file and line carries that anchor into every claim read from it, as an exact
citation of the ``platform``: the code of the commented line (the end of GitHub's
diff hunk) at that line, or the line alone when the platform gives no code. The
grounding finds it where it is now, which re-anchors a comment made on an older
commit, or marks it stale when the code is gone.
"""

from __future__ import annotations

from dataclasses import replace

from crosscheck.cwe import Lexicon
from crosscheck.load.code import PYTHON_SUFFIXES
from crosscheck.load.comments import CommentExport, PlatformComment
from crosscheck.review.model import Citation, CitationKind, CitationRole, Claim, Review, VerdictEvidence
from crosscheck.review.verdict import stated_verdict


def comment_lines(export: CommentExport) -> tuple[tuple[int, ...], int]:
    """Where each comment's body lies when the export is read as one text (a heading line per comment,
    a blank line before each but the first, then the body): the line just before the body's first line,
    for each comment, and the text's line count. Claims and citations are numbered by that text."""
    offsets = []
    count = 0
    for comment in export.comments:
        count += 2 if count else 1  # the blank line, then the heading
        offsets.append(count)
        count += len(comment.body.splitlines())
    return tuple(offsets), count


def read_comments(export: CommentExport, lexicon: Lexicon | None = None) -> Review:
    """Read every comment of ``export`` into one review (see the module docs)."""
    from crosscheck.review import read_review

    lexicon = lexicon or Lexicon.default()
    offsets, line_count = comment_lines(export)
    claims: list[Claim] = []
    evidence: list[VerdictEvidence] = []
    for comment, offset in zip(export.comments, offsets, strict=True):
        read = read_review(comment.body, lexicon)
        anchor = platform_anchor(comment, offset)
        evidence += [replace(e, line=e.line + offset) for e in read.evidence]
        for claim in read.claims:
            cited = tuple(replace(c, review_line=c.review_line + offset) for c in claim.citations)
            claims.append(replace(claim, id=f"C{len(claims) + 1}", start_line=claim.start_line + offset,
                                  end_line=claim.end_line + offset, citations=cited + ((anchor,) if anchor else ()),
                                  comment=comment.url or f"{comment.platform} note {comment.id}",
                                  author=comment.author))
    ordered = tuple(sorted(evidence, key=lambda e: e.line))
    return Review(verdict=stated_verdict(ordered), evidence=ordered, claims=tuple(claims),
                  line_count=line_count)


def platform_anchor(comment: PlatformComment, offset: int) -> Citation | None:
    """The citation the platform's anchor of ``comment`` makes, if it is anchored to a line of a file.

    A comment on removed lines (the old side) names code that is no longer there: its code is looked
    for, with no line. A comment GitHub calls outdated (no current line) is looked for near the line it
    was made on. A comment on a whole file cites the file; one on a file that is not Python cites
    nothing crosscheck can check.
    """
    if comment.path is None or not comment.path.endswith(PYTHON_SUFFIXES):
        return None  # crosscheck reads Python files only: an anchor in another file cannot be checked
    code = comment.commented_line_text
    new_side = comment.side != "LEFT"
    last = (comment.line or comment.original_line) if new_side else None
    first = (comment.start_line or comment.original_start_line or last) if last is not None else None
    if last is None and code is None:  # on the whole file
        return Citation(kind=CitationKind.FILE, role=CitationRole.ANCHOR, line=None, end_line=None,
                        code=comment.path, file=comment.path, review_line=offset, platform=True)
    return Citation(kind=CitationKind.CODE if code else CitationKind.LINE, role=CitationRole.ANCHOR,
                    line=min(first, last) if first is not None and last is not None else last, end_line=last,
                    code=code.strip() if code else None, file=comment.path, review_line=offset, platform=True)
