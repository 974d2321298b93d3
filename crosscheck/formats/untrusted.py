"""Untrusted text (review text, analyzer messages, code) made safe to print, shared by the formats.

Each format escapes for its own medium (rich ``Text``, XML, Markdown, HTML); what they
share is taking out what no medium should get: control characters, ANSI escape
sequences among them (they start with ESC, ``\\x1b``), and lone surrogates, which
UTF-8 cannot encode.
"""

from __future__ import annotations

import re

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""C0 and C1 control characters and DEL, but tab and newline."""
SURROGATE = re.compile("[\ud800-\udfff]")
"""Lone surrogates: a ``str`` can hold them (text handed over as a string), UTF-8 cannot encode them."""
ELLIPSIS = "\u2026"


def strip_control(text: object) -> str:
    """``text`` without control characters; tab and newline are kept."""
    return CONTROL.sub("", str(text))


def is_printable(text: str) -> bool:
    """Whether :func:`printable` would leave ``text`` as it is. ASCII text (most code) is checked as bytes,
    which is many times faster than a regex class over a long text."""
    if text.isascii():
        return not text.encode("ascii").translate(None, _PRINTABLE_ASCII)
    return CONTROL.search(text) is None and SURROGATE.search(text) is None


_PRINTABLE_ASCII = bytes(range(0x20, 0x7F)) + b"\t\n"
"""The ASCII characters :func:`printable` keeps: all but the control characters and DEL."""


def printable(text: object) -> str:
    """``text`` without control characters (tab and newline kept) and without lone surrogates."""
    return SURROGATE.sub("", strip_control(text))


def shorten(text: str, limit: int = 0) -> str:
    """``text`` cut to ``limit`` characters, the last one an ellipsis; unchanged if it fits or ``limit`` is 0."""
    return text if not limit or len(text) <= limit else text[: limit - 1] + ELLIPSIS


def one_line(text: object, limit: int = 0) -> str:
    """Untrusted text as one line: control characters replaced by U+FFFD, whitespace runs (newlines
    among them) made one space, shortened to ``limit`` characters if given."""
    return shorten(" ".join(CONTROL.sub("\ufffd", str(text)).split()), limit)
