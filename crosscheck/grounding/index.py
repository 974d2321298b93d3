"""An index of one source file for grounding: statements, names, comments, docstrings.

Built with libcst and its position metadata. When the file does not parse
(Python 2 syntax, a syntax error, not Python at all), a plain-text index is built
instead and says so, so grounding still works, only less precisely.
"""

from __future__ import annotations

import bisect
import io
import re
import tokenize
from collections import defaultdict
from dataclasses import dataclass

import libcst as cst
from libcst.helpers import get_full_name_for_node
from libcst.metadata import MetadataWrapper, PositionProvider

from crosscheck.models import SourceFile

_COMPOUND = (cst.If, cst.For, cst.While, cst.With, cst.Try, cst.FunctionDef, cst.ClassDef, cst.Else,
             cst.ExceptHandler, cst.Finally)
_STRINGS = (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)


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


@dataclass(frozen=True)
class FileIndex:
    """What grounding needs to know about one file."""

    source: SourceFile
    parser: str
    """``libcst`` or ``text`` (the fallback when the file does not parse)."""
    parse_error: str
    """Why libcst could not parse the file (empty when it could)."""
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


def build_index(source: SourceFile) -> FileIndex:
    """Index ``source`` with libcst, or with plain text when it does not parse."""
    offsets = _line_offsets(source.text)
    try:
        module = cst.parse_module(source.text)
    except (cst.ParserSyntaxError, RecursionError, ValueError) as err:
        return _text_index(source, offsets, _first_line(str(err)))
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    collector = _Collector(offsets)
    wrapper.visit(collector)
    symbols = _expand_aliases(collector.chains, collector.aliases)
    return FileIndex(
        source=source,
        parser="libcst",
        parse_error="",
        statements=tuple(sorted(set(collector.statements))),
        symbols={k: tuple(sorted(set(v))) for k, v in symbols.items()},
        noncode=tuple(sorted(collector.noncode)),
        line_offsets=offsets,
        scopes=tuple(sorted(collector.scopes, key=lambda s: (s.first, -s.last))),
    )


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "syntax error")[:200]


def _line_offsets(text: str) -> tuple[int, ...]:
    offsets = [0]
    for line in text.splitlines(keepends=True):
        offsets.append(offsets[-1] + len(line))
    return tuple(offsets[:-1]) if len(offsets) > 1 else (0,)


class _Collector(cst.CSTVisitor):
    """One pass over the tree collecting statements, names, imports and non-code regions."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, offsets: tuple[int, ...]) -> None:
        super().__init__()
        self.offsets = offsets
        self.statements: list[tuple[int, int]] = []
        self.chains: dict[str, list[int]] = defaultdict(list)
        self.aliases: dict[str, str] = {}
        self.noncode: list[tuple[int, int]] = []
        self.scopes: list[Scope] = []
        self._names: list[str] = []

    def _pos(self, node: cst.CSTNode) -> tuple[int, int]:
        pos = self.get_metadata(PositionProvider, node)
        return pos.start.line, pos.end.line

    def _offset(self, line: int, column: int) -> int:
        return self.offsets[line - 1] + column if line - 1 < len(self.offsets) else self.offsets[-1] + column

    def _region(self, node: cst.CSTNode) -> None:
        pos = self.get_metadata(PositionProvider, node)
        self.noncode.append((self._offset(pos.start.line, pos.start.column), self._offset(pos.end.line, pos.end.column)))

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self.statements.append(self._pos(node))
        if len(node.body) == 1 and isinstance(node.body[0], cst.Expr) and isinstance(node.body[0].value, _STRINGS):
            self._region(node.body[0].value)  # docstring or a bare string used as a comment

    def visit_Comment(self, node: cst.Comment) -> None:
        self._region(node)

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, _COMPOUND):
            start, end = self._pos(node)
            body = getattr(node, "body", None)
            if isinstance(body, cst.IndentedBlock) and body.body:
                end = max(start, self._pos(body.body[0])[0] - 1)
            self.statements.append((start, end))
        return super().on_visit(node)

    def _enter(self, node: cst.FunctionDef | cst.ClassDef, kind: str) -> None:
        start, end = self._pos(node)
        first = min([start, *(self._pos(d)[0] for d in node.decorators)])
        self._names.append(node.name.value)
        self.scopes.append(Scope(kind, ".".join(self._names), first, end))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._enter(node, "function")

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._names.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._enter(node, "class")

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._names.pop()

    def visit_Name(self, node: cst.Name) -> None:
        self.chains[node.value].append(self._pos(node)[0])

    def visit_Attribute(self, node: cst.Attribute) -> None:
        name = get_full_name_for_node(node)
        if name:
            line = self._pos(node)[0]
            parts = name.split(".")
            for i in range(len(parts) - 1):
                self.chains[".".join(parts[i:])].append(line)

    def visit_Import(self, node: cst.Import) -> None:
        line = self._pos(node)[0]
        for alias in node.names:
            qualified = get_full_name_for_node(alias.name) or ""
            self._add_module(qualified, line)
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.aliases[alias.asname.name.value] = qualified

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        line = self._pos(node)[0]
        module = get_full_name_for_node(node.module) if node.module is not None else ""
        if isinstance(node.names, cst.ImportStar):
            self._add_module(module or "", line)
            return
        for alias in node.names:
            name = get_full_name_for_node(alias.name) or ""
            qualified = f"{module}.{name}" if module else name
            self._add_module(qualified, line)
            local = alias.asname.name.value if alias.asname is not None and isinstance(alias.asname.name, cst.Name) else name
            if local != qualified:
                self.aliases[local] = qualified

    def _add_module(self, qualified: str, line: int) -> None:
        parts = [p for p in qualified.split(".") if p]
        for i in range(len(parts)):
            self.chains[".".join(parts[: i + 1])].append(line)


def _expand_aliases(chains: dict[str, list[int]], aliases: dict[str, str]) -> dict[str, list[int]]:
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


def _text_index(source: SourceFile, offsets: tuple[int, ...], error: str) -> FileIndex:
    """A plain-text index: each line is a statement, names are found by regex.

    Comments are found with the tokenizer where it copes, else by ``#`` at the
    start of a line.
    """
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
        for match in _NAME.finditer(code):
            parts = [p.strip() for p in match.group(0).split(".")]
            for i in range(len(parts)):
                for j in range(i + 1, len(parts) + 1):
                    chains[".".join(parts[i:j])].append(number)
    return FileIndex(
        source=source,
        parser="text",
        parse_error=error,
        statements=tuple((n, n) for n in range(1, len(offsets) + 1)),
        symbols={k: tuple(sorted(set(v))) for k, v in chains.items()},
        noncode=tuple(sorted(noncode)),
        line_offsets=offsets,
    )
