"""The libcst builder of a file's grounding index (:class:`~crosscheck.grounding.file_index.FileIndex`).

Used for files the standard library's ``ast`` cannot parse (syntax newer than the
running Python, which libcst's own parser knows), and as the reference the ``ast``
builder is tested against. Kept apart so that libcst is imported only when needed.
"""

from __future__ import annotations

from collections import defaultdict

import libcst as cst
from libcst import ParserSyntaxError
from libcst.helpers import get_full_name_for_node
from libcst.metadata import MetadataWrapper, PositionProvider

from crosscheck.grounding.file_index import FileIndex, parsed_index, text_line_offsets
from crosscheck.grounding.model import Scope
from crosscheck.models import SourceFile

__all__ = ["ParserSyntaxError", "libcst_index"]

_COMPOUND = (cst.If, cst.For, cst.While, cst.With, cst.Try, cst.FunctionDef, cst.ClassDef, cst.Else,
             cst.ExceptHandler, cst.Finally)
_STRINGS = (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)


def libcst_index(source: SourceFile) -> FileIndex:
    """The index built with libcst and its position metadata; raises when libcst cannot parse."""
    offsets = text_line_offsets(source.text)
    module = cst.parse_module(source.text)
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    collector = _Collector(offsets)
    wrapper.visit(collector)
    return parsed_index(source, "libcst", offsets, collector.statements, collector.chains, collector.aliases,
                        collector.noncode, collector.scopes)


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
