"""Which builder indexes a file: ``ast`` first, libcst for syntax newer than the running Python, plain text last.

The ``ast`` builder (:mod:`crosscheck.grounding.ast_index`) is the fast one. Syntax newer
than the running Python goes to libcst (:mod:`crosscheck.grounding.cst_index`), whose
parser knows it; when that fails too (Python 2 syntax, a syntax error, not Python at
all) the plain-text index (:func:`~crosscheck.grounding.file_index.text_index`) is built
instead and says so, so grounding still works, only less precisely.

Within :func:`kept_in`, indexes are also kept in a store by file content (a batch's
persistent cache), so that a later batch over the same files (new reviews of them)
reads each index instead of parsing its file again.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
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
    """Index ``source`` with ``ast``; with libcst when ``ast`` cannot; with plain text when neither parses."""
    try:
        return ast_index(source)
    except (SyntaxError, ValueError, RecursionError, NotMirrored):
        pass  # syntax newer than this Python, a null byte, or a libcst quirk: libcst decides
    from crosscheck.grounding import cst_index  # libcst is heavy: imported only when a file needs it

    try:
        return cst_index.libcst_index(source)
    except (cst_index.ParserSyntaxError, RecursionError, ValueError) as err:
        return text_index(source, _first_line(str(err)))


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "syntax error")[:200]
