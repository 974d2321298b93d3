"""Which builder indexes a file: ``ast`` first, libcst for syntax newer than the running Python, plain text last.

The ``ast`` builder (:mod:`crosscheck.grounding.ast_index`) is the fast one. Syntax newer
than the running Python goes to libcst (:mod:`crosscheck.grounding.cst_index`), whose
parser knows it; when that fails too (Python 2 syntax, a syntax error, not Python at
all) the plain-text index (:func:`~crosscheck.grounding.file_index.text_index`) is built
instead and says so, so grounding still works, only less precisely.
"""

from __future__ import annotations

from crosscheck.grounding.ast_index import NotMirrored, ast_index
from crosscheck.grounding.file_index import FileIndex, text_index
from crosscheck.models import SourceFile


def build_index(source: SourceFile) -> FileIndex:
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
