"""Splitting review prose into blocks: list items, headed sections and paragraphs.

The reader is line based and forgiving, because LLM reviews mix Markdown
conventions freely: numbered items whose text continues unindented on the next
line, sub-bullets under a numbered item, bold run-in titles, headings, code
fences. A block is what becomes one claim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ITEM = re.compile(r"^(?P<indent>[ \t]*)(?P<marker>\d{1,9}[.)]|[-*+\u2022])[ \t]+(?P<rest>\S.*)$")
_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(?P<title>.*?)[ \t#]*$")
_BOLD_LINE = re.compile(r"^[ \t]*(?:\*\*|__)(?P<title>[^*_\n]{1,120}?)(?:\*\*|__)[ \t]*:?[ \t]*$")
_RUN_IN = re.compile(r"^(?:\*\*|__)(?P<title>[^*_\n]{1,120}?)(?:\*\*|__)[ \t]*:?[ \t]*")
_COLON_TITLE = re.compile(r"^(?P<title>[^.!?\n`]{2,100}):[ \t]*$")
_FENCE = re.compile(r"^[ \t]*(```|~~~)")
_TABLE_ROW = re.compile(r"^[ \t]*\|.*\|[ \t]*$")
_TABLE_RULE = re.compile(r"^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)*\|?[ \t]*$")


@dataclass(frozen=True)
class Block:
    """A run of review lines that forms one claim."""

    title: str
    text: str
    start_line: int
    end_line: int
    is_item: bool


def split_blocks(text: str) -> tuple[Block, ...]:
    """Split review text into blocks, in order, with 1-based inclusive line spans.

    A headed section runs to the next heading (its paragraphs and code are one
    claim) unless it holds a list, whose items are claims of their own. Code
    (fenced or indented) after a blank line belongs to the item, section or
    lead-in paragraph ("... like this:") before it. Each data row of a
    Markdown table is a claim.
    """
    lines = text.splitlines()
    splitter = _Splitter(lines)
    for number, raw in enumerate(lines, start=1):
        splitter.read(number, raw.rstrip())
    return splitter.finish()


class _Splitter:
    """What :func:`split_blocks` knows between lines: whether it is inside code (fenced or
    indented), the indent of the open list, and whether a blank line came just before."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.builder = _Builder()
        self.in_fence = False
        self.in_indented = False
        self.list_indent: int | None = None
        self.after_blank = False

    def read(self, number: int, line: str) -> None:
        """Take review line ``number`` (without trailing space) into its block."""
        if self._continue_code(number, line):
            return
        if not line.strip():
            self.after_blank = True
            return
        if not self._open_code(number, line):
            self._prose(number, line)
        self.after_blank = False

    def finish(self) -> tuple[Block, ...]:
        if self.in_indented:
            self.builder.add(len(self.lines), "```", keep_end=True)
        return self.builder.finish()

    def _continue_code(self, number: int, line: str) -> bool:
        """Add a line of the open code, if any (closing indented code at the first line that is not);
        True when the line was code."""
        fence = _FENCE.match(line)
        if self.in_fence:
            self.builder.add(number, line)
            if fence and line.count(fence.group(1)) % 2 == 1:
                self.in_fence = False
            return True
        if self.in_indented and (not line.strip() or line.startswith("    ")):
            if line.strip():
                self.builder.add(number, line[4:])
            self.after_blank = not line.strip()
            return True
        if self.in_indented:
            self.builder.add(number - 1, "```", keep_end=True)
            self.in_indented = False
        return False

    def _open_code(self, number: int, line: str) -> bool:
        """Open a code fence, or indented code after a blank line where the block takes code;
        True when the (non-blank) line did."""
        fence = _FENCE.match(line)
        if fence and line.count(fence.group(1)) % 2 == 1:
            self.in_fence = True
            if self.after_blank and not self.builder.takes_code(self.list_indent):
                self.builder.start(number, "", is_item=False)
                self.list_indent = None
            self.builder.add(number, line)
            return True
        if self.after_blank and line.startswith("    ") and self.list_indent is None and self.builder.takes_code(None):
            self.in_indented = True
            self.builder.add(number, "```")
            self.builder.add(number, line[4:])
            return True
        return False

    def _prose(self, number: int, line: str) -> None:
        """A non-blank line outside code: a heading, a table row, a list item, or more of a block."""
        builder = self.builder
        heading = _HEADING.match(line) or _BOLD_LINE.match(line)
        item = _ITEM.match(line)
        if heading:
            builder.start(number, _clean_title(heading.group("title")), is_item=False, heading=line.strip())
            self.list_indent = None
        elif _TABLE_ROW.match(line):
            following = self.lines[number] if number < len(self.lines) else ""
            if not _TABLE_RULE.match(line) and not _TABLE_RULE.match(following):
                builder.start(number, "", is_item=True)
                builder.add(number, line)
                builder.start(number + 1, "", is_item=False)
            self.list_indent = None
        elif item and (self.list_indent is None or len(item.group("indent")) <= self.list_indent):
            self.list_indent = len(item.group("indent"))
            builder.start(number, "", is_item=True)
            builder.add(number, item.group("rest"))
        elif item:
            builder.add(number, line)  # a sub-item belongs to its parent item
        elif self.list_indent is not None and (not self.after_blank or _indented(line, self.list_indent)):
            builder.add(number, line)  # continuation of the current item
        elif builder.is_section and self.list_indent is None:
            builder.add(number, line)  # a headed section runs to the next heading
        elif self.after_blank or builder.empty or not builder.is_paragraph:
            builder.start(number, "", is_item=False)
            builder.add(number, line)
            self.list_indent = None
        else:
            builder.add(number, line)


def _indented(line: str, list_indent: int | None) -> bool:
    indent = len(line) - len(line.lstrip())
    return list_indent is not None and indent > list_indent


def _clean_title(title: str) -> str:
    title = re.sub(r"[*_`]+", "", title).strip()
    return title.rstrip(":").strip()


class _Builder:
    """Accumulates lines into blocks."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self._title = ""
        self._heading = ""
        self._lines: list[str] = []
        self._start = 0
        self._end = 0
        self._is_item = False

    @property
    def empty(self) -> bool:
        return not self._lines and not self._heading

    @property
    def is_paragraph(self) -> bool:
        return not self._is_item and not self._heading

    @property
    def is_section(self) -> bool:
        return bool(self._heading)

    def takes_code(self, list_indent: int | None) -> bool:
        """Whether code after a blank line belongs to the current block."""
        if self._heading or (self._is_item and list_indent is not None):
            return True
        return bool(self._lines) and self._lines[-1].rstrip().rstrip("*_").endswith(":")

    def start(self, number: int, title: str, *, is_item: bool, heading: str = "") -> None:
        self._flush()
        self._title, self._start, self._end = title, number, number
        self._is_item, self._heading = is_item, heading

    def add(self, number: int, line: str, *, keep_end: bool = False) -> None:
        if not self._start:
            self._start = number
        self._lines.append(line)
        if not keep_end:
            self._end = number

    def _flush(self) -> None:
        if self._lines:
            title, body = self._title, "\n".join(self._lines)
            if not title:
                title, body = _split_title(body)
            if self._heading:
                body = self._heading.lstrip("#").strip() + "\n" + body
            self.blocks.append(Block(title, body.strip(), self._start, self._end, self._is_item))
        self._title, self._heading, self._lines, self._start, self._end = "", "", [], 0, 0
        self._is_item = False

    def finish(self) -> tuple[Block, ...]:
        self._flush()
        return tuple(self.blocks)


def _split_title(body: str) -> tuple[str, str]:
    """Take a run-in title off the front of a block: ``**Title:** text`` or ``Title:`` alone on a line."""
    run_in = _RUN_IN.match(body)
    if run_in:
        return _clean_title(run_in.group("title")), body
    first, _, _rest = body.partition("\n")
    colon = _COLON_TITLE.match(first.strip())
    if colon and _rest.strip():
        return _clean_title(colon.group("title")), body
    return "", body
