"""Grounding: checking every citation of every claim against the code itself.

Each citation gets a status:

- ``exact``: the cited code is on the cited line, or on the statement spanning it
  (with no line cited: the code is there);
- ``near``: it is within 3 lines of the cited lines;
- ``moved``: it is elsewhere in the code;
- ``comment``: it is only inside a comment, docstring or bare string;
- ``absent``: it is nowhere in the code, or the cited line does not exist;
- ``unchecked``: only a line number was cited, and it exists: nothing to compare.

Each file is parsed once, and only files some citation needs are parsed at all.
"""

from __future__ import annotations

import bisect
import dataclasses
import enum
import re
from dataclasses import dataclass
from functools import cached_property

from rapidfuzz import fuzz

from crosscheck.grounding.index import FileIndex, Scope, build_index
from crosscheck.models import CodeTarget, SourceFile
from crosscheck.review.model import Citation, CitationKind, CitationRole, Claim, Review

NEAR_LINES = 3
FUZZY_MIN_SCORE = 90.0
FUZZY_MIN_LENGTH = 10
FUZZY_MAX_LINES = 8

_IDENTIFIER = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*(?:\(\))?$")
_SPACE = re.compile(r"\s+")
_ELLIPSIS = re.compile(r"\.\.\.|\u2026")
ELIDED_SPAN = 400


class Status(str, enum.Enum):
    """Whether a citation's code is where the review says (see module docs)."""

    EXACT = "exact"
    NEAR = "near"
    MOVED = "moved"
    ABSENT = "absent"
    COMMENT = "comment"
    UNCHECKED = "unchecked"


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


def ground(review: Review, target: CodeTarget) -> GroundedReview:
    """Ground every citation of every claim of ``review`` in ``target``."""
    grounder = _Grounder(target)
    claims = tuple(GroundedClaim(c, tuple(grounder.ground(x) for x in c.citations)) for c in review.claims)
    files = tuple(FileParse(i.source.path, i.parser, i.parse_error) for i in sorted(grounder.indexes.values(),
                                                                                    key=lambda i: i.source.path))
    return GroundedReview(review, claims, files, drift_notes(claims))


def drift_notes(claims: tuple[GroundedClaim, ...]) -> tuple[str, ...]:
    """Say so when the anchors suggest the code is not the revision the review saw.

    Drift shows as most line-anchored code found a few lines off in the same
    direction; invention shows as many anchors absent. Either way the report
    should not let a reader mistake drift for hallucination.
    """
    located = [g for c in claims for g in c.anchors if g.citation.line is not None and g.citation.code
               and g.status is not Status.ABSENT]
    shifts = sorted(g.actual_line - g.citation.line for g in located
                    if g.status in (Status.NEAR, Status.MOVED) and g.actual_line is not None
                    and g.citation.line is not None)
    notes = []
    if len(shifts) >= 2 and len(shifts) * 2 > len(located) and (shifts[0] > 0 or shifts[-1] < 0):
        median = shifts[len(shifts) // 2]
        notes.append(f"revision drift: {len(shifts)} of {len(located)} line-anchored citations are found "
                     f"{shifts[0]:+d} to {shifts[-1]:+d} lines away (median {median:+d}); the code is probably not "
                     "the revision the review saw")
    checked = [g for c in claims for g in c.anchors if g.status is not Status.UNCHECKED]
    absent = sum(g.status is Status.ABSENT for g in checked)
    if absent >= 3 and absent * 2 >= len(checked):
        notes.append(f"{absent} of {len(checked)} checkable anchors are absent: either the review invents code "
                     "or the code is not the revision it saw")
    return tuple(notes)


@dataclass(frozen=True)
class _Occurrence:
    path: str
    first: int
    last: int
    score: float


class _Haystack:
    """A file's text with whitespace removed and quotes unified, mapped back to offsets."""

    def __init__(self, text: str) -> None:
        kept = [(i, "'" if ch == '"' else ch) for i, ch in enumerate(text) if not ch.isspace()]
        self.origin = [i for i, _ in kept]
        self.text = "".join(ch for _, ch in kept)

    def find_all(self, needle: str) -> list[tuple[int, int]]:
        """Original ``[start, end)`` offsets of every occurrence of normalized ``needle``."""
        spans, pos = [], self.text.find(needle)
        while pos != -1 and needle:
            spans.append((self.origin[pos], self.origin[pos + len(needle) - 1] + 1))
            pos = self.text.find(needle, pos + 1)
        return spans

    def find_in_order(self, pieces: list[str]) -> list[tuple[int, int]]:
        """Original offsets of every place where ``pieces`` occur in order, each within
        ``ELIDED_SPAN`` normalized characters of the one before (a quote elided with ``...``)."""
        spans = []
        for start, end in self.find_all(pieces[0]):
            position = bisect.bisect_left(self.origin, start) + len(pieces[0])
            for piece in pieces[1:]:
                found = self.text.find(piece, position, position + ELIDED_SPAN)
                if found == -1:
                    break
                position = found + len(piece)
                end = self.origin[position - 1] + 1
            else:
                spans.append((start, end))
        return spans


def normalize(code: str) -> str:
    """Whitespace- and quote-insensitive form of a piece of code."""
    return _SPACE.sub("", code).replace('"', "'")


class _File:
    """Lazily built index and haystack for one source file."""

    def __init__(self, source: SourceFile, owner: _Grounder) -> None:
        self.source = source
        self.owner = owner

    @cached_property
    def index(self) -> FileIndex:
        index = build_index(self.source)
        self.owner.indexes[self.source.path] = index
        return index

    @cached_property
    def haystack(self) -> _Haystack:
        return _Haystack(self.source.text)

    @cached_property
    def normalized_lines(self) -> list[str]:
        return [normalize(line) for line in self.source.lines]


class _Grounder:
    def __init__(self, target: CodeTarget) -> None:
        self.target = target
        self.files = {f.path: _File(f, self) for f in target.files}
        self.indexes: dict[str, FileIndex] = {}

    def ground(self, citation: Citation) -> Grounding:
        grounding = self._ground(citation)
        line = (grounding.actual_line if grounding.status in LOCATED
                else citation.line if grounding.status is Status.UNCHECKED else None)
        if grounding.path is None or line is None:
            return grounding
        return dataclasses.replace(grounding, scope=self.files[grounding.path].index.scope_at(line))

    def _ground(self, citation: Citation) -> Grounding:
        if citation.kind is CitationKind.FILE:
            return self._ground_file(citation)
        candidates = self._candidates(citation.file)
        if citation.code is None:
            return self._ground_line(citation, candidates)
        code, noncode = self._find(citation, candidates)
        if not code and not noncode:
            code = self._fuzzy(citation, candidates)
        if code:
            return self._place(citation, code)
        if noncode:
            best = self._closest(citation, noncode)
            return Grounding(citation, Status.COMMENT, best.path, best.first, best.score)
        return Grounding(citation, Status.ABSENT, None, None, None)

    def _candidates(self, name: str | None) -> list[_File]:
        files = list(self.files.values())
        if name is None:
            return files
        matching = [f for f in files if f.source.path == name or f.source.path.endswith("/" + name)]
        # A single file given by the user may have been saved under another name
        # than the one the review uses; only a directory can prove a name wrong.
        return matching or (files if not self.target.is_dir else [])

    def _ground_file(self, citation: Citation) -> Grounding:
        name = citation.code or ""
        matching = self._candidates(name)
        if not self.target.is_dir:
            hit = matching and self.target.files[0].path.endswith(name)
            return Grounding(citation, Status.EXACT if hit else Status.UNCHECKED, self.target.files[0].path, None, None)
        if matching:
            return Grounding(citation, Status.EXACT, matching[0].source.path, None, None)
        return Grounding(citation, Status.ABSENT, None, None, None)

    def _ground_line(self, citation: Citation, candidates: list[_File]) -> Grounding:
        first, last = citation.line or 0, citation.end_line or citation.line or 0
        fitting = [f for f in candidates if 1 <= first <= last <= len(f.source.lines)]
        if not fitting:
            return Grounding(citation, Status.ABSENT, None, None, None)
        path = fitting[0].source.path if len(fitting) == 1 else None
        return Grounding(citation, Status.UNCHECKED, path, None, None)

    def _find(self, citation: Citation, candidates: list[_File]) -> tuple[list[_Occurrence], list[_Occurrence]]:
        """Occurrences of the cited code in code, and in comments or docstrings."""
        raw = (citation.code or "").strip()
        identifier = _IDENTIFIER.match(raw)
        needle = normalize(raw[:-2] if identifier and raw.endswith("()") else raw)
        pieces = [p for p in _ELLIPSIS.split(needle) if p]
        elided = bool(pieces) and pieces != [needle]  # "hashlib.md5(...)": the pieces, in order
        code: list[_Occurrence] = []
        noncode: list[_Occurrence] = []
        for file in candidates:
            index = file.index
            if identifier:
                for line in index.symbols.get(needle, ()):
                    code.append(_Occurrence(file.source.path, line, line, 100.0))
            spans = file.haystack.find_in_order(pieces) if elided else file.haystack.find_all(needle)
            for start, end in spans:
                if identifier and not _word_bounded(file.source.text, start, end):
                    continue
                occurrence = _Occurrence(file.source.path, index.line_of(start), index.line_of(end - 1), 100.0)
                if index.is_noncode(start, end):
                    noncode.append(occurrence)
                else:
                    code.append(occurrence)
        return code, noncode

    def _fuzzy(self, citation: Citation, candidates: list[_File]) -> list[_Occurrence]:
        """Best approximate match of quoted code above the threshold.

        The quote is compared with windows of consecutive lines just long enough
        to hold it, so a quote of a statement that spans lines is found too.
        """
        needle = normalize(citation.code or "")
        if citation.kind is not CitationKind.CODE or len(needle) < FUZZY_MIN_LENGTH:
            return []
        best: list[_Occurrence] = []
        best_score = FUZZY_MIN_SCORE
        for file in candidates:
            lines = file.normalized_lines
            for first in range(len(lines)):
                if not lines[first]:
                    continue
                window, last = lines[first], first
                while len(window) < len(needle) and last + 1 < len(lines) and last - first < FUZZY_MAX_LINES:
                    last += 1
                    window += lines[last]
                if len(window) < len(needle) * 0.8:
                    continue
                score = fuzz.partial_ratio(needle, window, score_cutoff=best_score)
                occurrence = _Occurrence(file.source.path, first + 1, last + 1, round(score, 1))
                if score > best_score:
                    best, best_score = [occurrence], score
                elif score == best_score and best:
                    best.append(occurrence)
        return best

    def _place(self, citation: Citation, found: list[_Occurrence]) -> Grounding:
        best = self._closest(citation, found)
        if citation.line is None:
            return Grounding(citation, Status.EXACT, best.path, best.first, best.score)
        if not 1 <= citation.line <= len(self.files[best.path].source.lines):
            # The code exists, but the line the review puts it on does not: the
            # citation points at nothing.
            return Grounding(citation, Status.ABSENT, best.path, best.first, best.score)
        distance = self._distance(citation, best)
        status = Status.EXACT if distance == 0 else Status.NEAR if distance <= NEAR_LINES else Status.MOVED
        return Grounding(citation, status, best.path, best.first, best.score)

    def _closest(self, citation: Citation, found: list[_Occurrence]) -> _Occurrence:
        if citation.line is None:
            return min(found, key=lambda o: (-o.score, o.path, o.first))
        return min(found, key=lambda o: (self._distance(citation, o), -o.score, o.path, o.first))

    def _distance(self, citation: Citation, occurrence: _Occurrence) -> int:
        first = citation.line or 0
        last = citation.end_line or first
        index = self.files[occurrence.path].index
        if 1 <= first <= index.line_count:
            first, last = index.statement_span(first, min(last, index.line_count))
        if occurrence.last < first:
            return first - occurrence.last
        if occurrence.first > last:
            return occurrence.first - last
        return 0


def _word_bounded(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_")
