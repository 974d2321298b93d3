"""Finding the places in the code a claim points at: lines, quoted code, names, files.

Line references and code written in the same sentence are paired ("In line 40,
`x = y`, ..." is one citation of ``x = y`` at line 40), because that pairing is
what lets grounding say whether the cited code is really on the cited line.
"""

from __future__ import annotations

import enum
import functools
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from crosscheck.review.blocks import CHANGE_BLOCKS
from crosscheck.review.model import Citation, CitationKind, CitationRole

MAX_LINE = 10_000_000

_NUM = r"(\d{1,12})"
_RANGE = rf"{_NUM}(?:\s*(?:-|\u2013|\u2014|to|through)\s*{_NUM})?"
_LINE_REF = re.compile(
    rf"\b(?:lines?|ln\.?)\s*+(?:[:#]\s*+)?{_RANGE}((?:\s*(?:,|and|&|or|,\s*and)\s*\d{{1,12}}(?:\s*(?:-|\u2013|\u2014|to)\s*\d{{1,12}})?)*)"
    rf"|\bL{_NUM}(?:\s*-\s*L?{_NUM})?\b"
    rf"|\bl\.\s?{_NUM}\b"  # "(l. 10)"
    # a linter's line as review bots relay it: "95-95: `subprocess` call with a shell identified ... (S602)"
    rf"|^[ \t]*{_NUM}-{_NUM}:(?=[ \t])",
    re.IGNORECASE | re.MULTILINE,
)
_PY_PATH = r"(?:[\w.-]+/)*[\w-]+\.(?:py|pyw|pyi)"
_SOURCE_PATH = (r"(?:[\w.-]+/)*[\w-]+\.(?:py|pyw|pyi|go|rs|js|jsx|ts|tsx|mjs|java|kt|rb|php|cs|c|h|cc|cpp|hpp|swift"
                r"|scala|sh|sql|ya?ml|toml|json|cfg|ini|html|tf)")
"""A file a review may cite by line: Python, and the other files a pull request holds beside it."""
_PATH_LINE = re.compile(
    # a code host's permalink (GitHub .../blob/REV/PATH#L10-L14, GitLab .../-/blob/REV/PATH#L10-14)
    rf"\bhttps?://[^\s/]+/(?:[^\s/]+/)+?(?:-/)?blob/[^\s/]+/+({_SOURCE_PATH})/?#L{_NUM}(?:-L?{_NUM})?"
    # a pull request's diff anchor, .../pull/45/files#diff-<sha256 of the path>R5-R11 (the new side)
    rf"|/files#(diff-[0-9a-f]{{64}})R{_NUM}(?:-R{_NUM})?"
    # path/file.py:10, file.py:10-14, file.py:L10, file.py#L10-L14 (a ":col" after the line is left out),
    # and more lines of the file after commas: file.py:44,189 or file.py:692, 720
    rf"|(?<![\w/.-])({_SOURCE_PATH})(?::L?|#L){_NUM}(?:(?:-|\u2013)L?{_NUM})?"
    rf"((?:,[ ]?{_NUM}(?:(?:-|\u2013){_NUM})?(?=[`)\],;\n]|\.(?:\s|$)|$))*)(?![\w-])"
)
"""A line citation that names its file: the conventions of review bots, CLIs and code hosts."""
_MORE_RANGE = re.compile(rf"{_RANGE}")
_FENCED = re.compile(r"(```|~~~)[ \t]*+([\w+-]*+)[ \t]*+\n?(.*?)\1", re.DOTALL)
_INLINE = re.compile(r"(`{1,2})([^`\n]+?)\1")
_INLINE_BODY = re.compile(r"`[^`\n]*`")
_FILE = re.compile(r"(?<![\w/.-])((?:[\w.-]+/)*[\w-]+\.(?:py|pyw|pyi))\b")
_DOTTED = re.compile(r"(?<![\w.`/-])([A-Za-z_]\w*+(?:\.[A-Za-z_]\w*+)++)(\(\))?(?![\w`/-]|\.\w)")
_CALL = re.compile(r"(?<![\w.`])([A-Za-z_]\w*)\(\)")
_KWARG = re.compile(r"(?<![\w.`=])([a-z_]\w*=(?:True|False|None))(?![\w`])")
"""A keyword argument written in plain prose: "verify=False disables certificate checks"."""
_SNAKE = re.compile(r"(?<![\w.`-])([a-z][a-z0-9]*+(?:_[a-z0-9]++)++)(?![\w`-])")
_EXCEPTION = re.compile(
    r"(?<![\w.`])([A-Z][A-Za-z0-9]*?(?:Error|Exception|Unavailable|NotFound|Failed|Failure|Fault"
    r"|Timeout|Conflict|Denied|Invalid|Exists|Forbidden|Unauthorized))(?![\w`])"
)
_NOT_DOTTED = frozenset({"e.g", "i.e", "etc", "vs", "a.k.a", "cf"})
_SENTENCE_END = re.compile(r"(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bl\.)(?<=[.!?])[\"')\]]*\s+(?=[A-Z0-9\"'(\[*_`])|\n\s*\n|\n(?=\s*(?:\d+[.)]|[-*+])\s)")
class _Side(enum.Enum):
    """Which words of the sentence a role cue reads, and how many characters of them."""

    BEFORE = 120
    """The words just before the code span (the pattern ends with ``$``)."""
    AFTER = 60
    """The words just after it (the pattern starts with ``^``)."""


@dataclass(frozen=True)
class _RoleCue:
    """Words next to a code span that give it a role: what the code is to the claim."""

    name: str
    side: _Side
    pattern: re.Pattern[str]
    role: CitationRole


def _cue(name: str, side: _Side, pattern: str, role: CitationRole) -> _RoleCue:
    return _RoleCue(name, side, re.compile(pattern, re.IGNORECASE), role)


_ROLE_CUES: tuple[_RoleCue, ...] = (
    # "use X instead of `y`": y is the code that is there, whatever the sentence suggests
    _cue("instead of (before)", _Side.BEFORE, r"instead\s+of\s+(?:the\s+|a\s+)?$", CitationRole.ANCHOR),
    _cue("negated (before)", _Side.BEFORE,
         r"(?:(?:\bnot|n't|\bnever|\bneither|\bnor)\s+(?:\w+\s+){0,2}?(?:use|uses|using|call|calls|calling|contain|contains|"
         r"include|includes|import|imports|invoke|invokes|rely\s+on|relies\s+on)\b[^.;:!?]{0,30}|\bno\s+(?:calls?\s+to\s+)?"
         r"|(?:\bnot|\bnever)\s+(?:\w+\s+){1,3}?(?:with|using|via|through|by)\s+"
         r"|\b(?:omits?|omitting|(?:is|are)\s+missing)\s+[^.;:!?\n]{0,60})$",
         CitationRole.NEGATED),
    _cue("negated (after)", _Side.AFTER,
         r"^[`)\s]*(?:[\w-]+\s+){0,2}?(?:is|are|was|were)\s+(?:never|not)\s+(?:\w+\s+)?"
         r"(?:used|called|raised|imported|invoked|executed|present|reached)\b",
         CitationRole.NEGATED),
    _cue("suggest (before)", _Side.BEFORE,
         r"(?:consider(?:\s+using)?|use|replace\s+(?:it\s+|this\s+)?with|switch(?:ing)?\s+to|prefer"
         r"|recommend(?:ed)?(?:\s+using)?|should\s+(?:use|call)|(?:alternative|replacement|fix)\s+(?:is|would\s+be))"
         r"\s+(?:the\s+|a\s+|an\s+)?$",
         CitationRole.SUGGESTION),
    _cue("suggest an example (before)", _Side.BEFORE,
         r"\b(?:use|using|prefer|consider|recommend\w*)\s+(?!of\b)(?:[\w-]+\s+){0,3}(?:such\s+as|like|e\.g\.,?)\s+$",
         CitationRole.SUGGESTION),
    _cue("suggesting clause (before)", _Side.BEFORE,
         r"(?:\b(?:consider\w*|recommend\w*|should|could|rewrite|prefer|switch|migrate)\b[^.;!?]{0,80}"
         r"\b(?:such\s+as|e\.g\.,?|for\s+example,?|like|with|as|to)|\brewrite\s+(?:it|this)\s+as"
         r"|\breplace\s+(?:`[^`]*`|\S+)\s+with"
         r"|\b(?:ensure|make\s+sure|consider\w*|should|recommend\w*|prefer|try)\b[^.;!?]{0,80}\busing)\s+(?:the\s+|a\s+|an\s+)?$",
         CitationRole.SUGGESTION),
    _cue("instead (after)", _Side.AFTER, r"^[`)\s]*(?:[\w-]+\s+){0,3}instead\b(?!\s+of)", CitationRole.SUGGESTION),
    _cue("instead of (after)", _Side.AFTER, r"^[`)\s]*(?:[\w-]+\s+){0,2}instead\s+of\b", CitationRole.SUGGESTION),
)
"""What decides a code span's role, in order: the first cue whose pattern matches its side of the
sentence wins; a span that no cue matches is an anchor. Keep each pattern linear: a repeated group
may repeat only what its next part cannot match (``(?:\\w+\\s+){0,3}``), so no text makes it backtrack
without end."""

_CODE_CHARS = re.compile(r"[()\[\]{}=.:_'\"<>/\\+*%,]")
_SINGLE_TOKEN = re.compile(r"^[A-Za-z_][\w]*$")
_SQL = re.compile(r"^(?:SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER)\s+[A-Z]", re.IGNORECASE)
_NOT_CODE = re.compile(
    r"^(?:[a-z][a-z0-9+.-]*://\S*"                    # a URL
    r"|[\w.~-]*(?:/[\w.~-]*)+"                        # a path: a file, a folder, a payload like ../../etc/passwd
    r"|[\w-]+(?:\.[\w-]+)*\.(?:py|pyw|pyi|txt|md|toml|ya?ml|cfg|ini)"  # a file name
    r"|[A-Z]{1,3}\d{3,4}"                              # an analyzer's rule id: B602, S608, DUO116
    r"|[a-z]\w*\.[\w.]*-[\w.-]*"                      # a dotted rule id with dashes: python.lang.security.audit.x-y
    r"|(?:Critical|CRITICAL|High|HIGH|Medium|MEDIUM|Low|LOW)"  # a severity word
    r"|--?[A-Za-z][\w-]*(?:[ =]\S+(?: \S+)*)?"        # a command-line option: --move-to /tmp/x
    r"|(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+/\S*"  # an HTTP request line: GET /agents/{name}
    r"|(?:[\w.-]+\.py|python3?|pip|uv|git|bash|sh|curl|wget|docker|pytest|bandit|semgrep|ruff|npm)[ \t]+-\S.*"
    r"|(?:[\w.-]+\.py|python3?|uv|bash|sh|curl|wget)[ \t]+(?:run[ \t]+)?--?\w.*"
    r")$"
)
_PAYLOAD = re.compile(
    r"\$\(|/etc/(?:passwd|shadow)\b|;[ \t]*(?:rm|cat|curl|wget|id|whoami|ls|touch|echo|nc|bash|sh|sleep|ping)\b|\|[ \t]*(?:sh|bash)\b"
    r"|^(?:SELECT|INSERT|UPDATE|DELETE)\b[^;\n]{0,200};[ \t]*(?:SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|COPY)\b",
    re.IGNORECASE,
)
"""What an attacker would send, quoted to show the attack: a shell substitution or a chained command, a
stacked SQL statement. It is an example, not code the file holds."""
"""Backticked text that names something else than the code: reviews backtick these too, and none of them
is quoted code that could be missing (a ``.py`` file name is read as a file citation instead)."""


@dataclass(frozen=True)
class _Span:
    """A piece of code-like text found in a sentence."""

    start: int
    end: int
    code: str
    kind: CitationKind
    role: CitationRole


@dataclass(frozen=True)
class _LineRef:
    start: int
    end: int
    ranges: tuple[tuple[int, int], ...]
    file: str | None = None
    """The file the reference names itself (``app.py:10``); None for a bare line reference."""


class _Covered:
    """The parts of a sentence that a citation covers already: whether a position is in one is asked of
    every match in the sentence, so it is answered without going through them."""

    def __init__(self, size: int) -> None:
        self._marks = bytearray(size + 1)

    def add(self, start: int, end: int) -> None:
        self._marks[start:end] = b"\x01" * (end - start)

    def __contains__(self, position: int) -> bool:
        return bool(self._marks[position])


def extract(text: str, first_line: int) -> tuple[Citation, ...]:
    """All citations in ``text``, whose first line is review line ``first_line``."""
    citations: list[Citation] = []
    line, counted = first_line, 0
    for sentence_start, sentence in _sentences(text):
        line += text.count("\n", counted, sentence_start)  # counted once: a long review stays linear
        counted = sentence_start
        citations.extend(_from_sentence(sentence, line))
    unique: dict[tuple[object, ...], Citation] = {}
    for citation in citations:
        key = (citation.kind, citation.role, citation.line, citation.end_line, citation.code, citation.file)
        unique.setdefault(key, citation)
    return tuple(unique.values())


def _sentences(text: str) -> list[tuple[int, str]]:
    """Split into sentences without breaking inside backticks or code fences."""
    masked = _mask_code(text)
    result, pos = [], 0
    for match in _SENTENCE_END.finditer(masked):
        result.append((pos, text[pos : match.start()]))
        pos = match.end()
    result.append((pos, text[pos:]))
    return [(start, s) for start, s in result if s.strip()]


def _mask_code(text: str) -> str:
    """Replace the inside of code spans with ``x`` so punctuation there splits nothing."""
    chars = list(text)
    for pattern, group in ((_FENCED, 3), (_INLINE, 2)):
        for match in pattern.finditer(text):
            for i in range(match.start(group), match.end(group)):
                if chars[i] != "\n" or pattern is _INLINE:
                    chars[i] = "x"
    return "".join(chars)


def looks_like_code(span: str) -> bool:
    """True for text that is code rather than prose put in backticks for emphasis."""
    stripped = span.strip()
    if not stripped or _NOT_CODE.match(stripped) or _PAYLOAD.search(stripped):
        return False
    if _SINGLE_TOKEN.match(stripped):
        return True
    if not any(ch.isalnum() for ch in stripped):
        return False
    if _SQL.match(stripped):
        return True
    return bool(_CODE_CHARS.search(stripped))


def _role(sentence: str, start: int, end: int) -> CitationRole:
    """The role of the code at ``sentence[start:end]``, by the first cue of :data:`_ROLE_CUES` around it."""
    # other code in the words around (`os.open()` in "consider using `os.open()` with the `X` flag") is
    # one word to the cues: its dots and semicolons end no clause
    # and a quote around a name in prose ("consider using 'shlex.quote()'") is no word
    before = sentence[max(0, start - _Side.BEFORE.value) : start].rstrip("'\"\u2018\u201c")
    return _role_between(_INLINE_BODY.sub("`x`", before), _INLINE_BODY.sub("`x`", sentence[end : end + _Side.AFTER.value]))


@functools.lru_cache(maxsize=4096)
def _role_between(before: str, after: str) -> CitationRole:
    """The role of code between the words ``before`` and ``after`` it (kept for the last few thousand: the
    cues take a tenth of a millisecond, and a review that names code often says the same around it)."""
    context = {_Side.BEFORE: before, _Side.AFTER: after}
    for cue in _ROLE_CUES:
        if cue.pattern.search(context[cue.side]):
            return cue.role
    return CitationRole.ANCHOR


def _code_spans(sentence: str, cited: list[tuple[int, int]]) -> tuple[list[_Span], _Covered]:
    """Quoted code and plain-text identifiers, plus the regions they cover; the ``cited`` regions (line
    citations naming their file) are covered already, and a backticked one is no code."""
    spans: list[_Span] = []
    covered = _Covered(len(sentence))
    for start, end in cited:
        covered.add(start, end)
    for match in _FENCED.finditer(sentence):
        covered.add(match.start(), match.end())
        body = match.group(3).strip("\n")
        if match.group(2).lower() in CHANGE_BLOCKS:
            spans.extend(_change_spans(match.start(), match.end(), _outdent(body, sentence, match.start()),
                                       match.group(2).lower()))
        elif looks_like_code(body):
            spans.append(_Span(match.start(), match.end(), body.strip(), CitationKind.CODE, _role(sentence, match.start(), match.end())))
    for match in _INLINE.finditer(sentence):
        if match.start(2) in covered:
            continue
        covered.add(match.start(), match.end())
        body = match.group(2).strip()
        if looks_like_code(body):
            spans.append(_Span(match.start(), match.end(), body, CitationKind.CODE, _role(sentence, match.start(), match.end())))
    for pattern in (_KWARG, _DOTTED, _CALL, _EXCEPTION, _SNAKE):
        for match in pattern.finditer(sentence):
            if match.start() in covered:
                continue
            name = match.group(1)
            if pattern is _DOTTED and (name.lower() in _NOT_DOTTED or _FILE.fullmatch(name)):
                continue
            covered.add(match.start(), match.end())
            code = name + ("()" if pattern is _CALL or (pattern is _DOTTED and match.group(2)) else "")
            spans.append(_Span(match.start(), match.end(), code, CitationKind.IDENTIFIER, _role(sentence, match.start(), match.end())))
    return sorted(spans, key=lambda s: s.start), covered


def _path_line_refs(sentence: str) -> list[_LineRef]:
    """The line citations that name their file (``app.py:10``, a permalink), which nothing else may read:
    backticked, such a citation is not quoted code, and its path is not an identifier."""
    refs = []
    for match in _PATH_LINE.finditer(sentence):
        file, first, last = next(match.group(i, i + 1, i + 2) for i in (1, 4, 7) if match.group(i) is not None)
        ranges = [_range(first, last)]
        ranges += [_range(more.group(1), more.group(2)) for more in _MORE_RANGE.finditer(match.group(10) or "")]
        refs.append(_LineRef(match.start(), match.end(), tuple(ranges), file))
    return refs


_DIFF_HEADER = re.compile(r"^(?:@@|\+\+\+ |--- |diff --git |index [0-9a-f])")


def _outdent(body: str, sentence: str, fence: int) -> str:
    """``body`` without the indentation of its fence (a block inside a list item), which is not the code's."""
    indent = sentence[sentence.rfind("\n", 0, fence) + 1 : fence]
    if not indent or indent.strip():
        return body
    return "\n".join(line[len(indent):] if line.startswith(indent) else line.lstrip(" \t") for line in body.split("\n"))


def _change_spans(start: int, end: int, body: str, language: str) -> list[_Span]:
    """A proposed change: its removed and context lines quote code that must be there (one anchor), its
    added lines are the fix (a suggestion, which may well be missing from the code)."""
    if language == "suggestion":
        new = body.strip()
        return [_Span(start, end, new, CitationKind.CODE, CitationRole.SUGGESTION)] if new else []
    old: list[str] = []
    added: list[str] = []
    for line in body.splitlines():
        if _DIFF_HEADER.match(line):
            continue
        if line.startswith("+"):
            added.append(line[1:])
        elif line.startswith(("-", " ")):
            old.append(line[1:])
        elif not line:
            old.append(line)
    spans = []
    for lines, role in ((old, CitationRole.ANCHOR), (added, CitationRole.SUGGESTION)):
        text = "\n".join(lines).strip()
        if text and looks_like_code(text):
            spans.append(_Span(start, end, text, CitationKind.CODE, role))
    return spans


def _line_refs(sentence: str, covered: _Covered) -> list[_LineRef]:
    refs = []
    for match in _LINE_REF.finditer(sentence):
        if match.start() in covered:
            continue
        ranges: list[tuple[int, int]] = []
        if match.group(1) is not None:
            ranges.append(_range(match.group(1), match.group(2)))
            for more in _MORE_RANGE.finditer(match.group(3) or ""):
                ranges.append(_range(more.group(1), more.group(2)))
        elif match.group(4) is not None:
            ranges.append(_range(match.group(4), match.group(5)))
        elif match.group(6) is not None:
            ranges.append(_range(match.group(6), None))
        else:
            ranges.append(_range(match.group(7), match.group(8)))
        refs.append(_LineRef(match.start(), match.end(), tuple(ranges)))
    return refs


def _range(first: str, last: str | None) -> tuple[int, int]:
    start = min(int(first), MAX_LINE)
    end = min(int(last), MAX_LINE) if last else start
    return (start, end) if end >= start else (start, start)


def _from_sentence(sentence: str, review_line: int) -> list[Citation]:
    path_refs = _path_line_refs(sentence)
    spans, covered = _code_spans(sentence, [(r.start, r.end) for r in path_refs])
    refs = sorted(path_refs + _line_refs(sentence, covered), key=lambda r: r.start)
    files = [m for m in _FILE.finditer(sentence)]
    named = {m.group(1) for m in files} | {r.file for r in path_refs if r.file}
    file_name = next(iter(named)) if len(named) == 1 else None
    result: list[Citation] = []
    paired: set[int] = set()
    near = _Nearby(sentence, spans)
    for ref in refs:
        chosen = _pair(sentence, ref, spans, paired, near)
        paired.update(chosen)
        for n, (first, last) in enumerate(ref.ranges):
            span = spans[chosen[n]] if len(chosen) == len(ref.ranges) else spans[chosen[0]] if chosen else None
            result.append(Citation(
                kind=span.kind if span else CitationKind.LINE,
                role=CitationRole.ANCHOR,
                line=first,
                end_line=last,
                code=span.code if span else None,
                file=ref.file or file_name,
                review_line=review_line,
            ))
    for i, span in enumerate(spans):
        if i not in paired:
            result.append(Citation(span.kind, span.role, None, None, span.code, file_name, review_line))
    for match in files:
        result.append(Citation(CitationKind.FILE, CitationRole.ANCHOR, None, None, match.group(1), match.group(1),
                               review_line))
    return result


PAIR_WINDOW = 60
_HEADS = re.compile(r"^\)[\s*_]*[:\u2013\u2014-][\s*_]*$")


class _Nearby:
    """Where a sentence's parentheses and code spans (sorted by start) are, so that pairing each of its
    line references looks only next to it: a long sentence may have many references and spans."""

    def __init__(self, sentence: str, spans: list[_Span]) -> None:
        self.opens = _positions(sentence, "(")
        self.closes = _positions(sentence, ")")
        self.starts = [span.start for span in spans]
        self.reach: list[int] = []
        """The furthest end of the spans up to each one."""
        for span in spans:
            self.reach.append(max(span.end, self.reach[-1] if self.reach else 0))

    def around(self, ref: _LineRef) -> range:
        """The spans that may be within :data:`PAIR_WINDOW` of ``ref``: none before or after these is."""
        first = bisect_left(self.reach, ref.start - PAIR_WINDOW)
        return range(first, bisect_right(self.starts, ref.end + PAIR_WINDOW))

    def parentheses(self, ref: _LineRef, size: int) -> tuple[int, int] | None:
        """The ``(`` that ``ref`` stands in and the ``)`` after it (else ``size``), when it stands in one."""
        before = bisect_left(self.opens, ref.start)
        if not before:
            return None
        opening = self.opens[before - 1]
        shut = bisect_left(self.closes, opening)
        if shut < len(self.closes) and self.closes[shut] < ref.start:
            return None
        after = bisect_left(self.closes, ref.end)
        return opening, self.closes[after] if after < len(self.closes) else size


def _positions(text: str, char: str) -> list[int]:
    """Where ``char`` is in ``text``, in order."""
    found: list[int] = []
    at = text.find(char)
    while at != -1:
        found.append(at)
        at = text.find(char, at + 1)
    return found


def _pair(sentence: str, ref: _LineRef, spans: list[_Span], paired: set[int], near: _Nearby) -> list[int]:
    """The code spans a line reference points at: the nearest unused anchors in its clause.

    A parenthesised reference ("`x` (line 19)") points back at what precedes the
    parenthesis. A reference to several lines ("lines 17 and 18") takes as many
    spans, respectively, when the sentence has them.
    """
    parens = near.parentheses(ref, len(sentence))
    parenthesised = parens is not None
    opening, closing = parens if parens is not None else (-1, len(sentence))

    def in_clause(span: _Span) -> bool:
        if not parenthesised:
            return True
        # "SQL injection (line 26): `x`" heads what follows the parenthesis.
        heads = bool(_HEADS.match(sentence[closing : span.start])) if span.start >= closing else False
        return span.end <= opening or opening < span.start and span.end <= closing or heads

    candidates = [
        i for i in near.around(ref)
        if i not in paired and spans[i].role is CitationRole.ANCHOR and _distance(spans[i], ref) <= PAIR_WINDOW
        and in_clause(spans[i])
    ]
    candidates.sort(key=lambda i: (_crosses_clause(sentence, spans[i], ref), _distance(spans[i], ref)))
    wanted = len(ref.ranges) if len(ref.ranges) > 1 and len(candidates) >= len(ref.ranges) else 1
    return sorted(candidates[:wanted], key=lambda i: spans[i].start)


def _crosses_clause(sentence: str, span: _Span, ref: _LineRef) -> bool:
    """True when a comma or semicolon stands between the span and the reference."""
    gap = sentence[span.end : ref.start] if span.end <= ref.start else sentence[ref.end : span.start]
    return "," in gap or ";" in gap


def _distance(span: _Span, ref: _LineRef) -> int:
    if span.end <= ref.start:
        return ref.start - span.end
    if ref.end <= span.start:
        return span.start - ref.end
    return 0
