"""The standard library's ``ast`` builder of a file's grounding index.

Built from ``ast`` plus a light scan of the text for what the tree does not keep
(comments, keywords such as ``else``, raw identifiers); the index is field for field the
one the libcst builder (:mod:`crosscheck.grounding.cst_index`) would build, at a fraction
of the cost. Where it cannot be sure of that, it raises :class:`NotMirrored` and leaves
the file to libcst.
"""

from __future__ import annotations

import ast
import bisect
import contextlib
import gc
import io
import itertools
import re
import tokenize
import unicodedata
import warnings
from collections import defaultdict
from collections.abc import Iterator

from crosscheck.grounding.file_index import FileIndex, parsed_index, text_line_offsets
from crosscheck.grounding.model import Scope
from crosscheck.models import SourceFile


class NotMirrored(Exception):
    """The ``ast`` builder met something it cannot index exactly as libcst would."""


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while an ``ast`` tree is made and read.

    The tree holds no reference cycles, so reference counting frees it; meanwhile the
    collector would walk its hundreds of thousands of young nodes again and again (on
    nova/tests, a third of the time ``ast.parse`` took).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def ast_index(source: SourceFile) -> FileIndex:
    """The index built from the standard library's ``ast``: the same as
    :func:`~crosscheck.grounding.cst_index.libcst_index`'s.

    Raises ``SyntaxError`` (or ``ValueError``) when this Python cannot parse the file, and
    :class:`NotMirrored` when the result could differ from libcst's.
    """
    offsets = text_line_offsets(source.text)
    # ast refuses a byte order mark, and libcst leaves it out of its columns: so does this index
    text = source.text[1:] if source.text.startswith("\ufeff") else source.text
    if "\f" in text and _FORM_FEED_CODE.search(text):
        # libcst regenerates the indentation of such lines, so its columns there are not
        # the text's: leave them to libcst.
        raise NotMirrored("form feed before code")
    with _cyclic_gc_paused():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences and the like: not our concern
            tree = ast.parse(text)
        builder = _AstBuilder(text, offsets)
        try:
            builder.build(tree)
        except (LookupError, UnicodeError) as err:  # a position that is not where ast says
            raise NotMirrored(f"unexpected position: {err}") from err
    return parsed_index(source, "ast", builder.offsets, builder.statements, builder.chains, builder.aliases,
                        builder.noncode, builder.scopes)


# Lines as ``ast`` and libcst count them (``str.splitlines`` also breaks at form feeds and more).
_LINE_BREAK = re.compile(r"\r\n?|\n")
_CONTINUATION = r"\\(?:\r\n?|\n)"
_SPACE = rf"(?:[ \t\f]|{_CONTINUATION})"
_GAP = rf"(?:\s|{_CONTINUATION}|#[^\r\n]*)*"
"""Whitespace, line continuations and comments (comments only occur inside brackets)."""
_FORM_FEED_CODE = re.compile(r"(?:^|[\r\n])[ \t\f]*\f[ \t\f]*\S")
_DEFINITION = re.compile(rf"(?:async{_SPACE}+)?(?:def|class){_SPACE}+(\w+)")
_CLAUSE = re.compile(rf"(?:[\s;]|{_CONTINUATION}|#[^\r\n]*)*")
_DECORATOR = re.compile(rf"(?:[\s(]|{_CONTINUATION}|#[^\r\n]*)*")
_AS_NAME = re.compile(rf"(?:[\s)]|{_CONTINUATION}|#[^\r\n]*)*as\b{_GAP}(\w+)")
_REST = re.compile(rf"(?:[\s,]|{_CONTINUATION}|#[^\r\n]*)*\*\*{_GAP}(\w+)")
_KEYWORD = re.compile(rf"(?:[\s,(]|{_CONTINUATION}|#[^\r\n]*)*(\w+)")
_STARS_NAME = re.compile(rf"\**{_GAP}(\w+)")
_WORD = re.compile(r"\w+")
_WORD_AT_END = re.compile(r"\w+\Z")
_WORD_OR_COMMENT = re.compile(r"#[^\r\n]*|(\w+)")
_REST_OF_LINE = re.compile(r"[^\r\n]*")

_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_TYPE_PARAMS = tuple(getattr(ast, name) for name in ("TypeVar", "ParamSpec", "TypeVarTuple") if hasattr(ast, name))


def _same_name(raw: str, name: str) -> bool:
    """``ast`` keeps identifiers NFKC-normalized, libcst as written."""
    return raw == name or unicodedata.normalize("NFKC", raw) == name


class _AstBuilder:
    """Everything the libcst ``_Collector`` collects, read from an ``ast`` tree and the text.

    Positions in ``ast`` are UTF-8 byte columns; libcst's are character columns, and what
    ends up in the index are libcst's (line, column) pairs turned into offsets through
    ``line_offsets``, exactly as ``_Collector`` does.
    """

    def __init__(self, text: str, offsets: tuple[int, ...]) -> None:
        self.text = text
        self.offsets = offsets
        if "\r" in text:
            self.starts = [0, *(m.end() for m in _LINE_BREAK.finditer(text))]
        else:
            self.starts = list(itertools.accumulate(map((1).__add__, map(len, text.split("\n")[:-1])), initial=0))
        self.ascii = text.isascii()
        self.statements: list[tuple[int, int]] = []
        self.chains: dict[str, list[int]] = defaultdict(list)
        self.aliases: dict[str, str] = {}
        self.noncode: list[tuple[int, int]] = []
        self.scopes: list[Scope] = []
        self._names: list[str] = []
        self._encoded: dict[int, bytes | None] = {}
        self._strings: list[tuple[int, int]] = []
        self._imports: list[ast.Import | ast.ImportFrom] = []
        self._definitions: dict[int, tuple[str, int]] = {}
        self._comments: list[tuple[int, int]] = []

    def build(self, tree: ast.Module) -> None:
        self._walk(tree, in_fstring=False)
        self._find_comments()
        for node in sorted(self._imports, key=lambda n: (n.lineno, n.col_offset)):
            self._import(node)
        self._body(tree.body, block=True)

    # Positions

    def _char(self, line: int, column: int) -> int:
        """Offset in the text of ``ast``'s (line, byte column)."""
        start = self.starts[line - 1]
        if self.ascii:
            return start + column
        if line not in self._encoded:
            end = self.starts[line] if line < len(self.starts) else len(self.text)
            segment = self.text[start:end]
            self._encoded[line] = None if segment.isascii() else segment.encode("utf-8", "surrogatepass")
        encoded = self._encoded[line]
        return start + (column if encoded is None else len(encoded[:column].decode("utf-8", "surrogatepass")))

    def _start(self, node: ast.AST) -> int:
        return self._char(node.lineno, node.col_offset)  # type: ignore[attr-defined]

    def _end(self, node: ast.AST) -> int:
        return self._char(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]

    def _line(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)

    def _mark(self, offset: int) -> int:
        """What ``_Collector._offset`` makes of the libcst position of text offset ``offset``."""
        line = self._line(offset)
        column = offset - self.starts[line - 1]
        return self.offsets[line - 1] + column if line - 1 < len(self.offsets) else self.offsets[-1] + column

    # Names

    def _name(self, node: ast.Name) -> str:
        if self.ascii:
            start = self.starts[node.lineno - 1]
            raw = self.text[start + node.col_offset:start + (node.end_col_offset or 0)]
        else:
            raw = self.text[self._start(node):self._end(node)]
        if raw != node.id and not _same_name(raw, node.id):
            raise NotMirrored(f"name {node.id!r} is not where ast puts it")
        return raw

    def _attr(self, node: ast.Attribute) -> str:
        end = self._end(node)
        raw = self.text[end - len(node.attr):end]
        if raw != node.attr:
            found = _WORD_AT_END.search(self.text, self.starts[self._line(end) - 1], end)
            raw = found.group() if found else ""
            if not _same_name(raw, node.attr):
                raise NotMirrored(f"attribute {node.attr!r} is not where ast puts it")
        return raw

    def _word(self, pattern: re.Pattern[str], position: int, expected: str) -> tuple[str, int]:
        """The identifier ``pattern`` finds at ``position`` (group 1, or the whole match), and its line."""
        found = pattern.match(self.text, position)
        group = 1 if found and found.re.groups else 0
        if not found or not _same_name(found.group(group), expected):
            raise NotMirrored(f"{expected!r} is not where expected")
        return found.group(group), self._line(found.start(group))

    def _full_name(self, node: ast.AST) -> str | None:
        """What libcst's ``get_full_name_for_node`` says of the node ``node`` becomes."""
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.Attribute):
            return f"{self._full_name(node.value)}.{self._attr(node)}"
        if isinstance(node, ast.Call):
            return self._full_name(node.func)
        if isinstance(node, ast.Subscript):
            return self._full_name(node.value)
        if isinstance(node, ast.Constant) and (node.value is None or isinstance(node.value, bool)):
            return str(node.value)  # True, False and None are names to libcst
        return None

    def _definition(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> tuple[str, int]:
        found = self._definitions.get(id(node))
        if found is None:
            found = self._definitions[id(node)] = self._word(_DEFINITION, self._start(node), node.name)
        return found

    def _walk(self, root: ast.AST, in_fstring: bool) -> None:
        """Names, attributes, strings and imports anywhere in the tree, in no particular order."""
        chains = self.chains
        formatted: list[ast.FormattedValue] = []
        stack: list[object] = [root]
        while stack:
            node = stack.pop()
            if type(node) is ast.Name:
                chains[self._name(node)].append(node.lineno)
                continue
            if type(node) is ast.Constant:
                if node.value is None or node.value is True or node.value is False:
                    chains[str(node.value)].append(node.lineno)
                elif isinstance(node.value, (str, bytes)) and not in_fstring:
                    self._strings.append((self._start(node), self._end(node)))
                continue
            if type(node) is ast.Attribute:
                chains[self._attr(node)].append(node.end_lineno or node.lineno)
                parts = str(self._full_name(node)).split(".")
                for i in range(len(parts) - 1):
                    chains[".".join(parts[i:])].append(node.lineno)
            elif type(node) is ast.JoinedStr:
                if not in_fstring:
                    self._strings.append((self._start(node), self._end(node)))
                formatted.extend(v for v in node.values if isinstance(v, ast.FormattedValue))
                continue
            elif type(node) is ast.Import or type(node) is ast.ImportFrom:
                self._imports.append(node)
                continue
            elif type(node) is ast.MatchSingleton:
                chains[str(node.value)].append(node.lineno)
                continue
            elif type(node) in _IDENTIFIER_NODES:
                self._identifiers(node)  # type: ignore[arg-type]
            elif not isinstance(node, ast.AST):
                continue  # None in a list of children: a dict's ``**`` key, a missing default
            fields = _CHILD_FIELDS.get(type(node))
            for field in _child_fields(type(node)) if fields is None else fields:
                child = getattr(node, field)
                if type(child) is list:
                    stack.extend(child)
                elif child is not None:
                    stack.append(child)
        for value in formatted:  # inside an f-string: names count, strings are part of the f-string
            self._walk(value.value, in_fstring=True)
            if value.format_spec is not None:
                self._walk(value.format_spec, in_fstring=True)

    def _identifiers(self, node: ast.AST) -> None:
        """Identifiers ``ast`` keeps as plain strings, which are Name nodes to libcst."""
        found: list[tuple[str, int]] = []
        if isinstance(node, ast.arg):
            found.append(self._word(_WORD, self._start(node), node.arg))
        elif isinstance(node, ast.keyword):
            if node.arg is not None:
                found.append(self._word(_WORD, self._start(node), node.arg))
        elif isinstance(node, _DEFINITIONS):
            found.append(self._definition(node))
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            words = list(_WORD.finditer(self.text, self._start(node), self._end(node)))[1:]
            if len(words) != len(node.names) or not all(
                    _same_name(w.group(), n) for w, n in zip(words, node.names, strict=True)):
                raise NotMirrored("global or nonlocal names")
            found.extend((w.group(), self._line(w.start())) for w in words)
        elif isinstance(node, ast.ExceptHandler):
            if node.name is not None and node.type is not None:
                found.append(self._word(_AS_NAME, self._end(node.type), node.name))
        elif isinstance(node, ast.MatchAs):
            if node.name is not None:
                found.append(self._word(_WORD, self._start(node), node.name) if node.pattern is None
                             else self._word_before(self._end(node), node.name))
        elif isinstance(node, ast.MatchStar):
            if node.name is not None:
                found.append(self._word_before(self._end(node), node.name))
        elif isinstance(node, ast.MatchMapping):
            if node.rest is not None:
                after = self._end(node.patterns[-1]) if node.patterns else self._start(node) + 1
                found.append(self._word(_REST, after, node.rest))
        elif isinstance(node, ast.MatchClass):
            after = self._end(node.patterns[-1] if node.patterns else node.cls)
            for attr, pattern in zip(node.kwd_attrs, node.kwd_patterns, strict=True):
                found.append(self._word(_KEYWORD, after, attr))
                after = self._end(pattern)
        elif isinstance(node, _TYPE_PARAMS):
            found.append(self._word(_STARS_NAME, self._start(node), node.name))
        for raw, line in found:
            self.chains[raw].append(line)

    def _word_before(self, end: int, expected: str) -> tuple[str, int]:
        raw = self.text[end - len(expected):end]
        if raw != expected:
            found = _WORD_AT_END.search(self.text, self.starts[self._line(end) - 1], end)
            raw = found.group() if found else ""
            if not _same_name(raw, expected):
                raise NotMirrored(f"{expected!r} is not where expected")
        return raw, self._line(end - len(raw))

    # Imports, in the order of the file (a later alias replaces an earlier one)

    def _words(self, start: int, end: int) -> list[tuple[str, int]]:
        return [(m.group(1), self._line(m.start())) for m in _WORD_OR_COMMENT.finditer(self.text, start, end)
                if m.group(1)]

    def _dotted(self, parts: list[tuple[str, int]], expected: str) -> str:
        """Chains for a dotted name in an import, as libcst's Name and Attribute nodes make them."""
        names = [raw for raw, _ in parts]
        qualified = ".".join(names)
        if not _same_name(qualified, expected):
            raise NotMirrored(f"import of {expected!r}")
        for raw, line in parts:
            self.chains[raw].append(line)
        for j in range(2, len(names) + 1):
            for i in range(j - 1):
                self.chains[".".join(names[i:j])].append(parts[0][1])
        return qualified

    def _import(self, node: ast.Import | ast.ImportFrom) -> None:
        line = node.lineno
        if isinstance(node, ast.Import):
            for alias in node.names:
                words = self._words(self._start(alias), self._end(alias))
                cut = next((i for i, (raw, _) in enumerate(words) if raw == "as"), len(words))
                qualified = self._dotted(words[:cut], alias.name)
                self._add_module(qualified, line)
                if alias.asname is not None:
                    asname = self._single(words[cut + 1:], alias.asname)
                    self.aliases[asname] = qualified
            return
        words = self._words(self._start(node) + len("from"), self._start(node.names[0]))
        if not words or words[-1][0] != "import":
            raise NotMirrored("from-import")
        module = self._dotted(words[:-1], node.module or "")
        if node.names[0].name == "*":
            self._add_module(module, line)
            return
        for alias in node.names:
            words = self._words(self._start(alias), self._end(alias))
            name = self._single(words[:1], alias.name)
            qualified = f"{module}.{name}" if module else name
            self._add_module(qualified, line)
            local = self._single(words[2:], alias.asname) if alias.asname is not None else name
            if local != qualified:
                self.aliases[local] = qualified

    def _single(self, words: list[tuple[str, int]], expected: str) -> str:
        if len(words) != 1 or not _same_name(words[0][0], expected):
            raise NotMirrored(f"import name {expected!r}")
        self.chains[words[0][0]].append(words[0][1])
        return words[0][0]

    def _add_module(self, qualified: str, line: int) -> None:
        parts = [p for p in qualified.split(".") if p]
        for i in range(len(parts)):
            self.chains[".".join(parts[: i + 1])].append(line)

    # Comments: every ``#`` outside a string starts one

    def _find_comments(self) -> None:
        text = self.text
        spans: list[tuple[int, int]] = []
        for start, end in sorted(self._strings):
            if spans and start < spans[-1][1]:
                spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
            else:
                spans.append((start, end))
        starts = [start for start, _ in spans]
        comments = self._comments
        position = text.find("#")
        while position != -1:
            i = bisect.bisect_right(starts, position) - 1
            if i >= 0 and position < spans[i][1]:
                comments.extend(self._comments_between_strings(*spans[i]))
                position = text.find("#", spans[i][1])
                continue
            end = _REST_OF_LINE.match(text, position).end()  # type: ignore[union-attr]
            comments.append((position, end))
            position = text.find("#", end)
        comments.sort()
        self.noncode.extend((self._mark(start), self._mark(end)) for start, end in comments)

    def _comments_between_strings(self, start: int, end: int) -> list[tuple[int, int]]:
        """Comments between the parts of an implicitly concatenated string."""
        piece = self.text[start:end]
        if "\n" not in piece and "\r" not in piece:
            return []  # a comment runs to the end of its line: here it would swallow the closing quote
        first = self._line(start)
        # Rows as ast counts them: every line break made a newline, which tokenize always reads as one.
        readline = io.StringIO(_LINE_BREAK.sub("\n", "(" + piece + ")")).readline
        found = []
        try:
            for token in tokenize.generate_tokens(readline):
                if token.type == tokenize.ERRORTOKEN:
                    raise NotMirrored("tokenizing a string")
                if token.type == tokenize.COMMENT:
                    row, column = token.start
                    offset = start - 1 + column if row == 1 else self.starts[first + row - 2] + column
                    found.append((offset, offset + len(token.string)))
        except (tokenize.TokenError, SyntaxError) as err:
            raise NotMirrored("tokenizing a string") from err
        return found

    def _in_comment(self, offset: int) -> bool:
        i = bisect.bisect_right(self._comments, (offset, float("inf"))) - 1
        return i >= 0 and self._comments[i][0] <= offset < self._comments[i][1]

    # Statements, docstrings and scopes

    def _is_block(self, body: list[ast.stmt]) -> bool:
        """True for an indented block, False for statements on the header's line (libcst's
        ``IndentedBlock`` and ``SimpleStatementSuite``)."""
        first = body[0]
        line_start = self.starts[first.lineno - 1]
        if self.text[line_start:self._start(first)].strip(" \t\f"):
            return False
        if first.lineno < 2:
            return True
        previous = self.text[self.starts[first.lineno - 2]:line_start].rstrip("\r\n")
        backslash = self.starts[first.lineno - 2] + len(previous) - 1
        return not (previous.endswith("\\") and not self._in_comment(backslash))

    def _header(self, first: int, body: list[ast.stmt], last: int) -> bool:
        """Record a compound statement's header; True when its body is an indented block."""
        block = self._is_block(body)
        self.statements.append((first, max(first, body[0].lineno - 1) if block else last))
        return block

    def _clause(self, keyword: str, after: ast.AST, body: list[ast.stmt]) -> None:
        """An ``else`` or ``finally`` clause, whose keyword ``ast`` does not place."""
        position = _CLAUSE.match(self.text, self._end(after)).end()  # type: ignore[union-attr]
        if not self.text.startswith(keyword, position):
            raise NotMirrored(f"no {keyword} where expected")
        line = self._line(position)
        self._body(body, self._header(line, body, body[-1].end_lineno or line))

    def _body(self, body: list[ast.stmt], block: bool) -> None:
        if not block:
            return  # statements on the header's line: libcst records nothing for them
        i = 0
        while i < len(body):
            node = body[i]
            if isinstance(node, _AST_COMPOUND):
                self._compound(node)
                i += 1
                continue
            j = i  # statements joined by ";" are one line of statements
            while (j + 1 < len(body) and not isinstance(body[j + 1], _AST_COMPOUND)
                   and body[j + 1].lineno == body[j].end_lineno):
                j += 1
            self.statements.append((node.lineno, body[j].end_lineno or node.lineno))
            if j == i and isinstance(node, ast.Expr) and _is_string(node.value):
                self.noncode.append((self._mark(self._start(node.value)), self._mark(self._end(node.value))))
            i = j + 1

    def _compound(self, node: ast.stmt) -> None:
        last = node.end_lineno or node.lineno
        if isinstance(node, _DEFINITIONS):
            block = self._header(node.lineno, node.body, last)
            first = min([node.lineno, *(self._decorator_line(d) for d in node.decorator_list)])
            self._names.append(self._definition(node)[0])
            kind = "class" if isinstance(node, ast.ClassDef) else "function"
            self.scopes.append(Scope(kind, ".".join(self._names), first, last))
            self._body(node.body, block)
            self._names.pop()
        elif isinstance(node, ast.If):
            self._body(node.body, self._header(node.lineno, node.body, last))
            if node.orelse:
                elif_ = node.orelse[0]
                if len(node.orelse) == 1 and isinstance(elif_, ast.If) and self.text.startswith(
                        "elif", self._start(elif_)):
                    self._compound(elif_)
                else:
                    self._clause("else", node.body[-1], node.orelse)
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
            self._body(node.body, self._header(node.lineno, node.body, last))
            if node.orelse:
                self._clause("else", node.body[-1], node.orelse)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            self._body(node.body, self._header(node.lineno, node.body, last))
        elif isinstance(node, (ast.Try, ast.TryStar)):
            star = isinstance(node, ast.TryStar)  # libcst's TryStar and ExceptStarHandler: not recorded
            self._body(node.body, self._is_block(node.body) if star else self._header(node.lineno, node.body, last))
            previous: ast.AST = node.body[-1]
            for handler in node.handlers:
                hlast = handler.end_lineno or handler.lineno
                self._body(handler.body, self._is_block(handler.body) if star
                           else self._header(handler.lineno, handler.body, hlast))
                previous = handler
            if node.orelse:
                self._clause("else", previous, node.orelse)
                previous = node.orelse[-1]
            if node.finalbody:
                self._clause("finally", previous, node.finalbody)
        elif isinstance(node, ast.Match):
            for case in node.cases:
                self._body(case.body, self._is_block(case.body))

    def _decorator_line(self, decorator: ast.expr) -> int:
        start = self._start(decorator)
        at = self.text.rfind("@", 0, start)
        if at == -1 or _DECORATOR.match(self.text, at + 1).end() != start:  # type: ignore[union-attr]
            raise NotMirrored("decorator")
        return self._line(at)


_IDENTIFIER_NODES = frozenset({ast.arg, ast.keyword, *_DEFINITIONS, ast.Global, ast.Nonlocal, ast.ExceptHandler,
                                ast.MatchAs, ast.MatchStar, ast.MatchMapping, ast.MatchClass, *_TYPE_PARAMS})
# Fields that never hold a node worth visiting: identifiers, numbers, operators, contexts.
_NOT_CHILDREN = frozenset({"ctx", "op", "ops", "id", "attr", "arg", "name", "names", "asname", "module", "level",
                           "type_comment", "conversion", "kind", "is_async", "simple", "rest", "kwd_attrs", "tag"})
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(kind: type) -> tuple[str, ...]:
    fields = tuple(f for f in getattr(kind, "_fields", ())
                   if f not in _NOT_CHILDREN or (f == "name" and kind.__name__ == "TypeAlias"))  # its name is a Name
    _CHILD_FIELDS[kind] = fields
    return fields


_AST_COMPOUND = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try, ast.TryStar,
                 ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Match)


def _is_string(node: ast.expr) -> bool:
    return isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)))

