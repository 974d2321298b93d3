"""What every builder of a file's grounding index shares: the index itself, and the plain-text fallback.

A builder collects statements, names, imports, non-code regions and scopes in any order;
:func:`parsed_index` turns that into a :class:`FileIndex`. A file that does not parse at
all gets :func:`text_index`, which says so, so grounding still works, only less precisely.
"""

from __future__ import annotations

import bisect
import io
import itertools
import re
import tokenize
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from crosscheck.grounding.model import Scope
from crosscheck.models import SourceFile


@dataclass(frozen=True)
class FileIndex:
    """What grounding needs to know about one file."""

    source: SourceFile
    parser: str
    """How the file was read: ``ast`` or ``libcst`` (both mean it parsed as Python; libcst
    only takes syntax newer than the running Python), or ``text`` (the fallback when the
    file does not parse)."""
    parse_error: str
    """Why libcst could not parse the file (empty when it parsed)."""
    statements: tuple[tuple[int, int], ...]
    """Line spans of statements (compound statements: their header), sorted."""
    symbols: dict[str, tuple[int, ...]]
    """Dotted names used or defined in code, with every dotted suffix, and imports
    resolved to their qualified names, mapped to the lines where they occur."""
    noncode: tuple[tuple[int, int], ...]
    """Character offsets ``[start, end)`` of comments, docstrings and bare strings."""
    line_offsets: tuple[int, ...]
    """Offset in the text where each line starts (index 0 is line 1)."""
    scopes: tuple[Scope, ...] = ()
    """Every function and class definition, sorted by first line (none for the text fallback)."""

    @property
    def line_count(self) -> int:
        return len(self.line_offsets)

    def line_of(self, offset: int) -> int:
        """The 1-based line holding character ``offset``."""
        return bisect.bisect_right(self.line_offsets, offset)

    def is_noncode(self, start: int, end: int) -> bool:
        """True when ``[start, end)`` lies entirely inside one comment or docstring."""
        i = bisect.bisect_right(self.noncode, (start, float("inf"))) - 1
        return i >= 0 and self.noncode[i][0] <= start and end <= self.noncode[i][1]

    def statement_span(self, first: int, last: int) -> tuple[int, int]:
        """The lines of every statement that touches lines ``first..last``, as one span."""
        low, high = first, last
        for start, end in self.statements:
            if start > last:
                break
            if end >= first:
                low, high = min(low, start), max(high, end)
        return low, high

    def scope_at(self, line: int) -> Scope | None:
        """The innermost function or class whose lines hold ``line``, if any."""
        inner = None
        for scope in self.scopes:
            if scope.first > line:
                break
            if line <= scope.last:
                inner = scope  # sorted by first line: a later one that holds it is nested deeper
        return inner


def parsed_index(source: SourceFile, parser: str, offsets: tuple[int, ...], statements: Iterable[tuple[int, int]],
                 chains: dict[str, list[int]], aliases: dict[str, str], noncode: Iterable[tuple[int, int]],
                 scopes: Iterable[Scope]) -> FileIndex:
    """The index of a file that parsed, from what a builder collected (in any order, with repeats)."""
    symbols = expand_aliases(chains, aliases)
    return FileIndex(
        source=source,
        parser=parser,
        parse_error="",
        statements=tuple(sorted(set(statements))),
        symbols={k: tuple(sorted(set(v))) for k, v in symbols.items()},
        noncode=tuple(sorted(noncode)),
        line_offsets=offsets,
        scopes=tuple(sorted(scopes, key=lambda s: (s.first, -s.last))),
    )


def index_data(index: FileIndex) -> dict[str, Any]:
    """What :func:`index_from_data` needs to give ``index`` back for the same text: every field but the
    source and its line offsets (computed again, in less time than they take to read)."""
    return {"parser": index.parser, "parse_error": index.parse_error, "statements": index.statements,
            "symbols": index.symbols, "noncode": index.noncode,
            "scopes": [(scope.kind, scope.name, scope.first, scope.last) for scope in index.scopes]}


def index_from_data(data: Any, source: SourceFile) -> FileIndex:
    """The index that :func:`index_data` gave ``data`` for ``source``'s text, after a JSON round trip.

    Raises ``ValueError``, ``TypeError``, ``KeyError`` or ``AttributeError`` when ``data`` has another shape.
    """
    if not isinstance(data, dict) or not isinstance(data["symbols"], dict):
        raise ValueError("not an index")
    return FileIndex(
        source=source,
        parser=str(data["parser"]),
        parse_error=str(data["parse_error"]),
        statements=tuple((int(a), int(b)) for a, b in data["statements"]),
        symbols={str(k): tuple(map(int, v)) for k, v in data["symbols"].items()},
        noncode=tuple((int(a), int(b)) for a, b in data["noncode"]),
        line_offsets=text_line_offsets(source.text),
        scopes=tuple(Scope(str(kind), str(name), int(first), int(last)) for kind, name, first, last in data["scopes"]),
    )


def text_line_offsets(text: str) -> tuple[int, ...]:
    return tuple(itertools.accumulate(map(len, text.splitlines(keepends=True)), initial=0))[:-1] or (0,)


def expand_aliases(chains: dict[str, list[int]], aliases: dict[str, str]) -> dict[str, list[int]]:
    """Add the qualified form of every chain that starts with an import alias.

    ``from nova.db import api as db_api`` plus ``db_api.instance_get(...)`` makes
    ``nova.db.api.instance_get`` known at that line.
    """
    expanded: dict[str, list[int]] = defaultdict(list, {k: list(v) for k, v in chains.items()})
    for chain, lines in chains.items():
        head, _, rest = chain.partition(".")
        if head in aliases:
            qualified = aliases[head] + ("." + rest if rest else "")
            parts = qualified.split(".")
            for i in range(len(parts)):
                expanded[".".join(parts[i:])].extend(lines)
    return expanded


_NAME = re.compile(r"[A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)*")
_LONGEST_CHAIN = 32
"""The most names of a dotted name the text index keeps together: every run of them in ``a.b.c...``
is a chain, and in a line of ``a.b.b...`` a hundred thousand long that would be quadratically many."""


def text_index(source: SourceFile, error: str) -> FileIndex:
    """A plain-text index, for a file that does not parse (``error`` says why): each line is a
    statement, names are found by regex.

    Comments are found with the tokenizer where it copes, else by ``#`` at the
    start of a line.
    """
    offsets = text_line_offsets(source.text)
    noncode: list[tuple[int, int]] = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source.text).readline):
            if tok.type == tokenize.COMMENT:
                noncode.append((offsets[tok.start[0] - 1] + tok.start[1], offsets[tok.end[0] - 1] + tok.end[1]))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        noncode = []
        for number, line in enumerate(source.text.splitlines(), start=1):
            stripped = line.lstrip()
            if stripped.startswith("#"):
                start = offsets[number - 1] + len(line) - len(stripped)
                noncode.append((start, offsets[number - 1] + len(line)))
    chains: dict[str, list[int]] = defaultdict(list)
    for number, line in enumerate(source.text.splitlines(), start=1):
        code = line.split("#", 1)[0]
        found: set[str] = set()
        for match in _NAME.finditer(code):
            parts = [p.strip() for p in match.group(0).split(".")]
            for i in range(len(parts)):
                found.update(".".join(parts[i:j]) for j in range(i + 1, min(i + _LONGEST_CHAIN, len(parts)) + 1))
        for chain in found:
            chains[chain].append(number)
    return FileIndex(
        source=source,
        parser="text",
        parse_error=error,
        statements=tuple((n, n) for n in range(1, len(offsets) + 1)),
        symbols={k: tuple(sorted(set(v))) for k, v in chains.items()},
        noncode=tuple(sorted(noncode)),
        line_offsets=offsets,
    )
