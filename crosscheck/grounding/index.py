"""Which builder indexes a file: ``ast`` first, libcst for syntax newer than the running Python, plain text last.

The ``ast`` builder (:mod:`crosscheck.grounding.ast_index`) is the fast one. Syntax newer
than the running Python goes to libcst (:mod:`crosscheck.grounding.cst_index`), whose
parser knows it; when that fails too (Python 2 syntax, a syntax error, not Python at
all) the plain-text index (:func:`~crosscheck.grounding.file_index.text_index`) is built
instead and says so, so grounding still works, only less precisely.

A file nested too deeply (``x = 1+1+...`` of a hundred thousand terms) is grounded as
plain text too: ``ast`` refuses it, and libcst, whose native parser would take minutes
on it or crash the process, is never given it (:func:`nesting_depth` tells beforehand).

Within :func:`kept_in`, indexes are also kept in a store by file content (a batch's
persistent cache), so that a later batch over the same files (new reviews of them)
reads each index instead of parsing its file again.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import keyword
import re
import threading
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any, Protocol

from crosscheck.grounding.ast_index import NotMirrored, ast_index
from crosscheck.grounding.file_index import FileIndex, index_data, index_from_data, text_index
from crosscheck.models import SourceFile


class IndexStore(Protocol):
    """Where indexes are kept by file content: JSON-able data (:func:`index_data`) by sha256."""

    def get_index(self, sha256: str) -> Any | None: ...

    def put_index(self, sha256: str, data: dict[str, Any]) -> None: ...


_STORE: contextvars.ContextVar[IndexStore | None] = contextvars.ContextVar("index_store", default=None)


@contextlib.contextmanager
def kept_in(store: IndexStore | None) -> Iterator[None]:
    """Within this block (in this thread), :func:`build_index` reads indexes from ``store`` and puts
    those it builds there; ``None`` keeps nothing."""
    token = _STORE.set(store)
    try:
        yield
    finally:
        _STORE.reset(token)

_RECENT: OrderedDict[tuple[str, str], FileIndex] = OrderedDict()
_RECENT_SIZE = 8
_RECENT_LOCK = threading.Lock()


def build_index(source: SourceFile) -> FileIndex:
    """The index of ``source`` (see :func:`index_file`). The last few are kept, by content and path, so
    that the reviews of one file in a batch (several models' reviews of it, read one after the other)
    share one parse; the texts are compared too, whatever the digest says."""
    key = (source.sha256, source.path)
    with _RECENT_LOCK:
        kept = _RECENT.get(key)
        if kept is not None:
            _RECENT.move_to_end(key)
    if kept is not None and kept.source.text == source.text:  # the same text at the same path: the same index
        return kept if kept.source is source else dataclasses.replace(kept, source=source)
    index = _stored(source)
    with _RECENT_LOCK:
        _RECENT[key] = index
        while len(_RECENT) > _RECENT_SIZE:
            _RECENT.popitem(last=False)
    return index


def _stored(source: SourceFile) -> FileIndex:
    """The index of ``source`` from the store of :func:`kept_in`, else built (and put there)."""
    store = _STORE.get()
    if store is None:
        return index_file(source)
    data = store.get_index(source.sha256)
    if data is not None:
        try:
            return index_from_data(data, source)
        except (ValueError, TypeError, KeyError, AttributeError):
            pass  # an entry of another shape: built again, and replaced
    index = index_file(source)
    store.put_index(source.sha256, index_data(index))
    return index


def index_file(source: SourceFile) -> FileIndex:
    """Index ``source`` with ``ast``; with libcst when ``ast`` cannot; with plain text when neither parses
    or the file is nested too deeply for them."""
    try:
        return ast_index(source)
    except (RecursionError, MemoryError):
        # ast's parser or the builder ran out of stack: libcst would hang or crash
        return text_index(source, _too_deep(source.text) or TOO_DEEP)
    except (SyntaxError, ValueError, NotMirrored):
        pass  # syntax newer than this Python, a null byte, or a libcst quirk: libcst decides
    deep = _too_deep(source.text)
    if deep is not None:
        return text_index(source, deep)
    from crosscheck.grounding import cst_index  # libcst is heavy: imported only when a file needs it

    try:
        return cst_index.libcst_index(source)
    except (RecursionError, MemoryError, KeyError):
        # deeper than libcst copes with (its position metadata turns a RecursionError into a KeyError,
        # whose message would recurse again: not read)
        return text_index(source, TOO_DEEP)
    except (cst_index.ParserSyntaxError, ValueError) as err:
        return text_index(source, _first_line(str(err)))


TOO_DEEP = "nested too deeply to parse"
"""The parse error of a file grounded as plain text because it nests too deeply."""

MAX_DEPTH = 300
"""The deepest nesting (as :func:`nesting_depth` estimates it) libcst is given: it parses 300 levels of
any kind in a fraction of a second, and gives up at about 400; on tens of thousands its native parser
takes minutes, or crashes the process."""


def _too_deep(text: str) -> str | None:
    """The parse error of a file nested deeper than :data:`MAX_DEPTH` (its depth and where), else None."""
    depth, line = nesting_depth(text)
    return f"{TOO_DEEP}: {depth} levels at line {line}" if depth > MAX_DEPTH else None


def nesting_depth(text: str) -> tuple[int, int]:
    """How deeply the syntax tree of ``text`` nests, estimated from its tokens, and the line where it is
    deepest (1 for a file without nesting).

    An estimate from above, in linear time, of any text: every open bracket counts, and so does each
    operator, dot, call, subscript and ``and``/``or``/``not``/``await``/``lambda``/``if``/``else`` since
    the last comma or ``=`` inside that bracket (``a.b.c + f()()`` is 6 levels deep), and each ``elif`` of
    a chain. Comparisons, one node however long, do not count. The tokens are found by a regular
    expression, not :mod:`tokenize`, which stops at the first bad dedent of a Python 2 file.
    """
    scanner = _DepthScanner()
    for token in _TOKEN.finditer(text):
        scanner.feed(token)
    return scanner.deepest, text.count("\n", 0, scanner.offset) + 1


_TOKEN = re.compile(r"""
    (?P<string>(?i:[rbuf]{0,2})(?:\"\"\"[\s\S]*?\"\"\"|'''[\s\S]*?'''|"(?:[^"\\\n]|\\[\s\S])*"
        |'(?:[^'\\\n]|\\[\s\S])*'))
    |(?P<comment>\#[^\r\n]*)
    |(?P<continued>\\(?:\r\n?|\n))
    |(?P<newline>\r\n?|\n)
    |(?P<name>[^\W\d]\w*)
    |(?P<number>(?:\d|\.\d)(?:[eE][-+]|[\w.])*)
    |(?P<operator>\*\*=?|//=?|>>=?|<<=?|->|:=|\.\.\.|[-+*/%@&|^~<>!=]=?|[()\[\]{},;:.])
""", re.VERBOSE)
_NESTING_OPERATORS = frozenset("+ - * / // % @ ** << >> & | ^ ~ . :=".split())
_NESTING_WORDS = frozenset(("and", "or", "not", "await", "lambda", "if", "else"))
_SEPARATORS = frozenset(", ; = += -= *= /= //= %= @= **= <<= >>= &= |= ^= ->".split())
_KEYWORDS = frozenset(keyword.kwlist) - {"True", "False", "None"}


class _DepthScanner:
    """The state of :func:`nesting_depth`: the nesting operators counted in each open bracket."""

    def __init__(self) -> None:
        self.deepest, self.offset = 0, 0
        self.counts = [0]  # the logical line's, then one per open bracket
        self.depth = 0  # open brackets plus every count
        self.operand = False  # the last token ends an operand: a bracket after it is a call or subscript
        self.line_start: int | None = 0  # where the logical line starts, until its first token
        self.chains: list[list[int]] = []  # [indentation, elifs] of the if statements being read

    def feed(self, token: re.Match[str]) -> None:
        kind, string = token.lastgroup, token.group()
        if kind == "newline":
            if len(self.counts) == 1:  # inside brackets, a line goes on
                self.counts, self.depth, self.operand, self.line_start = [0], 0, False, token.end()
            return
        if kind in ("comment", "continued"):
            return
        if self.line_start is not None:
            self._statement(token.start() - self.line_start, string, token.start())
            self.line_start = None
        if kind == "operator":
            self._operator(string, token.start())
        elif kind == "name" and string in _NESTING_WORDS:
            self._deeper(1, token.start())
        self.operand = kind in ("string", "number") or string in (")", "]", "}") or (
            kind == "name" and string not in _KEYWORDS)

    def _statement(self, indentation: int, word: str, offset: int) -> None:
        """A logical line starts, indented so, with ``word``: an ``elif`` is one level deeper than the last."""
        chains = self.chains
        while chains and chains[-1][0] > indentation:
            chains.pop()
        if not chains or chains[-1][0] < indentation:
            chains.append([indentation, 0])
        if word == "elif":
            chains[-1][1] += 1
            self._deeper(chains[-1][1], offset)
        elif word != "else":
            chains[-1][1] = 0

    def _operator(self, string: str, offset: int) -> None:
        if string in ("(", "[", "{"):
            self._deeper(1 if self.operand and string != "{" else 0, offset)  # a call or a subscript
            self.counts.append(0)
            self.depth += 1
            self._reached(offset)
        elif string in (")", "]", "}"):
            if len(self.counts) > 1:
                self.depth -= self.counts.pop() + 1
        elif string in _SEPARATORS:
            self.depth -= self.counts[-1]
            self.counts[-1] = 0
        elif string in _NESTING_OPERATORS:
            self._deeper(1, offset)

    def _deeper(self, levels: int, offset: int) -> None:
        if levels <= 0:
            return
        self.counts[-1] += levels
        self.depth += levels
        self._reached(offset)

    def _reached(self, offset: int) -> None:
        if self.depth > self.deepest:
            self.deepest, self.offset = self.depth, offset


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "syntax error")[:200]
