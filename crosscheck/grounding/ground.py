"""The grounder: every citation of every claim checked against the code itself.

Quoted code is looked for whitespace- and quote-insensitively in each file's text,
then fuzzily; names through the file's index (:mod:`crosscheck.grounding.index`).
Each file is parsed once, and only files some citation needs are parsed at all.
"""

from __future__ import annotations

import bisect
import dataclasses
import hashlib
import itertools
import re
from dataclasses import dataclass
from functools import cached_property

from rapidfuzz import fuzz, process

from crosscheck.grounding.file_index import FileIndex
from crosscheck.grounding.index import build_index
from crosscheck.grounding.model import (
    LOCATED,
    NEAR_LINES,
    FileParse,
    GroundedClaim,
    GroundedReview,
    Grounding,
    Status,
)
from crosscheck.models import CodeTarget, SourceFile
from crosscheck.review.model import Citation, CitationKind, Claim, Review

FUZZY_MIN_SCORE = 90.0
FUZZY_MIN_LENGTH = 10
FUZZY_MAX_LINES = 8

_PYTHON_SUFFIXES = (".py", ".pyw", ".pyi")
DIFF_ANCHOR = "diff-"
"""How a citation's file starts when a pull request's diff anchor names it by the sha256 of its path."""
_IDENTIFIER = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*(?:\(\))?$")
_SPACE = re.compile(r"\s+")
_NONSPACE = re.compile(r"\S+")
_ELLIPSIS = re.compile(r"\.\.\.|\u2026")
ELIDED_SPAN = 400
ABRIDGED_SCORE = 80.0
"""The score of an abridged quote found by its names only."""
_NAME = re.compile(r"[A-Za-z_]\w*")


def ground(review: Review, target: CodeTarget) -> GroundedReview:
    """Ground every citation of every claim of ``review`` in ``target``."""
    grounder = _Grounder(target)
    claims = tuple(GroundedClaim(c, tuple(grounder.ground(x, prefer) for x in c.citations))
                   for c in review.claims for prefer in (grounder.commented(c),))
    files = tuple(FileParse(i.source.path, i.parser, i.parse_error) for i in grounder.indexes)
    return GroundedReview(review, claims, files, drift_notes(claims))


def _as_platform(grounding: Grounding) -> Grounding:
    """A platform's anchor is where the platform put the comment: the commented line's code at it is
    exact even when the line is a comment, elsewhere it moved with the code (the comment is re-anchored
    there), and gone, the comment is stale (see :class:`Status`)."""
    c = grounding.citation
    if grounding.status is Status.ABSENT:
        return dataclasses.replace(grounding, status=Status.STALE)
    if grounding.status is Status.COMMENT:
        at = c.line is None or (grounding.actual_line is not None
                                and (c.line or 0) <= grounding.actual_line <= (c.end_line or c.line or 0))
        return dataclasses.replace(grounding, status=Status.EXACT if at else Status.MOVED)
    return grounding


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
    """A file's text with whitespace removed and quotes unified, mapped back to offsets.

    The text is normalized line by line; a normalized position maps back through the
    line that holds it, so only the places something is found at are ever mapped.
    """

    def __init__(self, text: str) -> None:
        self._raw = text.splitlines(keepends=True)
        self.lines = [normalize(line) for line in self._raw]
        """The normalized lines (line N is ``lines[N - 1]``)."""
        self.text = "".join(self.lines)
        self.starts = list(itertools.accumulate(map(len, self.lines), initial=0))
        """Where each normalized line starts in :attr:`text` (one more entry: its length)."""
        self._offsets = list(itertools.accumulate(map(len, self._raw), initial=0))
        self._runs: dict[int, tuple[list[int], list[int]]] = {}

    def origin(self, position: int) -> int:
        """Offset in the original text of the normalized character at ``position``."""
        line = bisect.bisect_right(self.starts, position) - 1
        skip = position - self.starts[line]
        if skip >= len(self.lines[line]):
            raise IndexError(position)
        normalized, raw = self._line_runs(line)
        run = bisect.bisect_right(normalized, skip) - 1
        return self._offsets[line] + raw[run] + skip - normalized[run]

    def _line_runs(self, line: int) -> tuple[list[int], list[int]]:
        """Where each run of non-space characters of a line starts, in the normalized line and in the line:
        found once per line (a line of ``1 + 1 + ...`` may hold a quote a hundred thousand times)."""
        runs = self._runs.get(line)
        if runs is None:
            found = [(run.start(), run.end()) for run in _NONSPACE.finditer(self._raw[line])]
            normalized = list(itertools.accumulate((end - start for start, end in found[:-1]), initial=0))
            runs = self._runs[line] = (normalized, [start for start, _ in found])
        return runs

    def find_all(self, needle: str) -> list[tuple[int, int]]:
        """Original ``[start, end)`` offsets of every occurrence of normalized ``needle``."""
        return self.find_in_order([needle])

    def find_in_order(self, pieces: list[str]) -> list[tuple[int, int]]:
        """Original offsets of every place where ``pieces`` occur in order, each within
        ``ELIDED_SPAN`` normalized characters of the one before (a quote elided with ``...``)."""
        spans = []
        first = pieces[0]
        pos = self.text.find(first) if first else -1
        while pos != -1:
            position = pos + len(first)
            for piece in pieces[1:]:
                found = self.text.find(piece, position, position + ELIDED_SPAN)
                if found == -1:
                    break
                position = found + len(piece)
            else:
                spans.append((self.origin(pos), self.origin(position - 1) + 1))
            pos = self.text.find(first, pos + 1)
        return spans


def normalize(code: str) -> str:
    """Whitespace- and quote-insensitive form of a piece of code."""
    return _SPACE.sub("", code).replace('"', "'")


class _File:
    """Lazily built index and haystack for one source file."""

    def __init__(self, source: SourceFile) -> None:
        self.source = source

    @cached_property
    def index(self) -> FileIndex:
        return build_index(self.source)

    @cached_property
    def haystack(self) -> _Haystack:
        return _Haystack(self.source.text)


class _Grounder:
    def __init__(self, target: CodeTarget) -> None:
        self.target = target
        self.files = {f.path: _File(f) for f in target.files}

    @property
    def indexes(self) -> list[FileIndex]:
        """The indexes of the files some citation needed, by path."""
        return [f.index for path, f in sorted(self.files.items()) if "index" in f.__dict__]

    def commented(self, claim: Claim) -> list[_File]:
        """The files a pull-request platform attached the claim's comment to: where the code its prose quotes
        without naming a file is looked for first (a person reads a comment on a file as about that file)."""
        names = dict.fromkeys(c.file for c in claim.citations if c.platform and c.file)
        return list({id(f): f for name in names for f in self._candidates(name)}.values())

    def ground(self, citation: Citation, prefer: list[_File] | None = None) -> Grounding:
        """Ground ``citation``; one that names no file is looked for in the ``prefer`` files first, then,
        if it is not there, everywhere."""
        near = prefer if prefer and citation.file is None else []
        if near and citation.kind is not CitationKind.FILE:
            first = self._ground(citation, near)
            grounding = first if first.status is not Status.ABSENT else self._ground(citation, self._candidates(None))
        else:
            grounding = self._ground(citation, self._candidates(citation.file))
        if citation.platform:
            grounding = _as_platform(grounding)
        line = (grounding.actual_line if grounding.status in LOCATED
                else citation.line if grounding.status is Status.UNCHECKED else None)
        if grounding.path is None or line is None:
            return grounding
        return dataclasses.replace(grounding, scope=self.files[grounding.path].index.scope_at(line))

    def _ground(self, citation: Citation, candidates: list[_File]) -> Grounding:
        if citation.kind is CitationKind.FILE:
            return self._ground_file(citation)
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
        if name.startswith(DIFF_ANCHOR):  # GitHub names a file of a pull request by the sha256 of its path
            digest = name[len(DIFF_ANCHOR):]
            return [f for f in files if hashlib.sha256(f.source.path.encode("utf-8")).hexdigest() == digest]
        matching = [f for f in files if f.source.path == name or f.source.path.endswith("/" + name)]
        if not matching:  # a path from the repository's root (a permalink's) naming a file of a subfolder
            inner = [f for f in files if name.endswith("/" + f.source.path)]
            longest = max((len(f.source.path) for f in inner), default=0)
            matching = [f for f in inner if len(f.source.path) == longest]
        # A single file given by the user may have been saved under another name
        # than the one the review uses; only a directory can prove a name wrong,
        # or the name itself: a file that is no Python file (`runs.go:74`) is not the one checked.
        if matching or self.target.is_dir or not name.endswith(_PYTHON_SUFFIXES):
            return matching
        return files

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
        fitting = [f for f in candidates if 1 <= first <= last <= f.source.line_count]
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
        # words every match needs in the file's raw text (quotes and spaces aside, the haystack is the text):
        # a file without them is passed over before it is indexed, which in a large tree is most of the cost
        # (taken from the quote as written: the needle has no spaces left between its words)
        words = ([needle.rsplit(".", 1)[-1]] if identifier
                 else [n for n in _NAME.findall(raw) if len(n) >= 3] if elided else _NAME.findall(raw))
        for file in candidates:
            if not all(word in file.source.text for word in words):
                continue
            index = file.index
            if identifier:
                for line in index.symbols.get(needle, ()):
                    code.append(_Occurrence(file.source.path, line, line, 100.0))
            spans = file.haystack.find_in_order(pieces) if elided else file.haystack.find_all(needle)
            score = 100.0
            if elided and not spans:
                # an abridged paraphrase ("`db.execute(text(...))`" of db.execute(sa.text(sql), ...)): its names,
                # in order, close together
                names = [n for n in _NAME.findall(needle) if len(n) >= 3]
                spans = file.haystack.find_in_order(names) if len(names) >= 2 else []
                score = ABRIDGED_SCORE
            for start, end in spans:
                if identifier and not _word_bounded(file.source.text, start, end):
                    continue
                occurrence = _Occurrence(file.source.path, index.line_of(start), index.line_of(end - 1), score)
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
        scored: list[tuple[float, _File, int, str]] = []
        for file in candidates:
            haystack = file.haystack
            starts, count = haystack.starts, len(haystack.lines)
            windows, firsts = [], []
            for first in range(count):
                if not haystack.lines[first]:
                    continue
                # the shortest run of lines that holds the quote, at most FUZZY_MAX_LINES more
                last = min(bisect.bisect_left(starts, starts[first] + len(needle)) - 1, first + FUZZY_MAX_LINES,
                           count - 1)
                if starts[last + 1] - starts[first] >= len(needle) * 0.8:
                    windows.append(haystack.text[starts[first]:starts[last + 1]])
                    firsts.append(first)
            found = process.extract(needle, windows, scorer=fuzz.partial_ratio, score_cutoff=FUZZY_MIN_SCORE,
                                    limit=None)
            scored += [(score, file, firsts[at], windows[at]) for _, score, at in sorted(found, key=lambda m: m[2])]
        best_score = max((score for score, *_ in scored), default=FUZZY_MIN_SCORE)
        if best_score <= FUZZY_MIN_SCORE:
            return []
        best: dict[_Occurrence, None] = {}
        for score, file, first, window in scored:
            if score == best_score:
                # the lines the quote aligns with, not the whole window (which may start with other lines)
                aligned = fuzz.partial_ratio_alignment(needle, window)
                begin, end = (aligned.dest_start, aligned.dest_end) if aligned else (0, len(window))
                offset, starts = file.haystack.starts[first], file.haystack.starts
                low = bisect.bisect_right(starts, offset + begin) - 1
                high = bisect.bisect_right(starts, offset + max(end - 1, begin)) - 1
                best[_Occurrence(file.source.path, low + 1, high + 1, round(score, 1))] = None
        return list(best)

    def _place(self, citation: Citation, found: list[_Occurrence]) -> Grounding:
        best = self._closest(citation, found)
        if citation.line is None:
            return Grounding(citation, Status.EXACT, best.path, best.first, best.score)
        if not 1 <= citation.line <= self.files[best.path].source.line_count:
            # The code exists, but the line the review puts it on does not: the
            # citation points at nothing.
            return Grounding(citation, Status.ABSENT, best.path, best.first, best.score)
        distance = self._distance(citation, best)
        status = Status.EXACT if distance == 0 else Status.NEAR if distance <= NEAR_LINES else Status.MOVED
        if status is Status.MOVED and self._holds(best.path, citation):
            # "in `generate_fingerprint` (line 58)": the line lies in that function, so the name is located
            # there, however far down its def is
            status = Status.NEAR
        return Grounding(citation, status, best.path, best.first, best.score)

    def _holds(self, path: str, citation: Citation) -> bool:
        """Whether the cited name is a function or class of ``path`` whose lines hold the cited line."""
        name = (citation.code or "").removesuffix("()").rsplit(".", 1)[-1]
        line = citation.line or 0
        return any(scope.name == name and scope.first <= line <= scope.last
                   for scope in self.files[path].index.scopes)

    def _closest(self, citation: Citation, found: list[_Occurrence]) -> _Occurrence:
        if citation.line is None:
            return min(found, key=lambda o: (-o.score, o.path, o.first))
        spans = {path: self._cited_span(citation, path) for path in {o.path for o in found}}
        return min(found, key=lambda o: (_distance(spans[o.path], o), -o.score, o.path, o.first))

    def _distance(self, citation: Citation, occurrence: _Occurrence) -> int:
        return _distance(self._cited_span(citation, occurrence.path), occurrence)

    def _cited_span(self, citation: Citation, path: str) -> tuple[int, int]:
        """The cited lines of ``path``, widened to the statements they touch."""
        first = citation.line or 0
        last = citation.end_line or first
        index = self.files[path].index
        if 1 <= first <= index.line_count:
            return index.statement_span(first, min(last, index.line_count))
        return first, last


def _distance(span: tuple[int, int], occurrence: _Occurrence) -> int:
    """How many lines ``occurrence`` lies outside ``span`` (0 when they overlap)."""
    first, last = span
    if occurrence.last < first:
        return first - occurrence.last
    if occurrence.first > last:
        return occurrence.first - last
    return 0


def _word_bounded(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_")
