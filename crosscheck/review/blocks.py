"""Splitting review prose into blocks: list items, headed sections and paragraphs.

The block structure comes from markdown-it-py (CommonMark plus tables), so
headings, lists with their sub-items and lazy continuation lines, fences, indented
code, tables and HTML blocks are found the way a Markdown renderer finds them, with
the review lines each one covers. What a block *is* to a reader is decided here:
a headed section is one claim until a list or table starts, each list item and
table row is one, a bold line alone is a heading, code after a lead-in
("... like this:") belongs to it, and a bot's collapsed ``<details>`` block
(tool output, a committable suggestion) belongs to the claim it follows.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

_HEADING_OPEN = re.compile(r"^[ \t]{0,3}#{1,6}(?=[ \t]|$)")
"""The opening marks of an ATX heading; its closing marks are the ``" \\t#"`` it ends with."""
_MARKER = re.compile(r"^[ \t]*(?:\d{1,9}[.)]|[-*+\u2022])[ \t]*")
_BULLET = re.compile(r"^[ \t]*\u2022[ \t]+\S")
_BOLD = r"(?:\*\*(?P<title>[^*\n]{1,120}?)\*\*|__(?P<title2>[^_*\n]{1,120}?)__)"
"""Bold text: ``**API_KEY in code**`` may hold underscores, ``__x__`` may not."""
_BOLD_LINE = re.compile(rf"^[ \t]*{_BOLD}[ \t]*+(?::[ \t]*+)?$")
_RUN_IN = re.compile(rf"^{_BOLD}[ \t]*:?[ \t]*")
_COLON_TITLE = re.compile(r"^(?P<title>[^.!?\n`]{2,100}):[ \t]*$")
CHANGE_BLOCKS = frozenset({"diff", "patch", "suggestion"})
"""Fenced blocks that propose a change: a unified diff, or GitHub's suggestion block (the new lines only)."""
ADVICE_FIELDS = ("fix", "fixes", "fixed", "mitigation", "mitigations", "recommendation", "recommendations",
                 "recommended fix", "recommended action", "remediation", "solution", "solutions", "suggested fix",
                 "proposed fix", "proposed fixes", "proposed solution", "proposed solutions", "suggestion",
                 "how to fix", "done when", "acceptance criteria", "agent prompt")
"""Labels of a finding's fields that say what to do: each such field is an advice claim of its own."""
REPORT_FIELDS = ("verification", "testing", "test plan", "tests", "changes", "work log", "resources")
"""Labels of fields that report what was done or where to read more: context, not claims about the code."""


def label_alternatives(labels: tuple[str, ...]) -> str:
    """A regex alternation of ``labels``, longest first, any run of whitespace where a label has a space."""
    return "|".join(sorted((label.replace(" ", r"\s+") for label in labels), key=len, reverse=True))


_FIELD = re.compile(
    r"^[ \t]*+[^\w\s*_`\[(<|>#-]{0,3}[ \t]*+(?:\*\*|__)?(?P<label>"
    + label_alternatives(ADVICE_FIELDS + REPORT_FIELDS)
    + r")(?:\*\*|__)?[ \t]*(?::|\uff1a)(?:\*\*|__)?(?:[ \t]|$)",
    re.IGNORECASE,
)
"""A line that opens such a field: "**Fix:** ...", "🔧 Fix: ...", "Recommendation:"."""
_LOCATION = re.compile(
    r"^[ \t]*+[^\w\s`]{0,3}[ \t]*+(?:\*\*|__)?(?:files?|locations?|path|where|lines?|affected\s+files?)(?:\*\*|__)?[ \t]*:"
    r"(?:\*\*|__)?[ \t]*+(?P<rest>.*+)$|^[ \t]*+(?P<bare>`[^`\n]+`|(?=\S+?\.py)\S++)[ \t]*+$",
    re.IGNORECASE,
)
_LOCATION_REST = re.compile(
    r"^(?:[`\s,]|and\b|\((?:lines?|l\.)\s*\d+(?:\s*[-\u2013]\s*\d+)?\)|lines?\s+\d+(?:\s*[-\u2013]\s*\d+)?"
    r"|\d+(?:\s*[-\u2013]\s*\d+)?|[\w./-]+\.\w{1,5}(?:[:#]L?\d+(?:[-\u2013]L?\d+)?(?:,\s?\d+(?:[-\u2013]\d+)?)*)?)*+$",
    re.IGNORECASE,
)
_LABEL = re.compile(r"(?::[ \t]*(?:\*\*|__)|(?:\*\*|__)[ \t]*:)[ \t]*$")
"""The end of a bold label line: "**Impact:**", "**Impact**:"."""
_PART = re.compile(
    r"^[ \t]*+[^\w\s]{0,3}[ \t]*+(?:\*\*|__)?(?:impact|attack\s+(?:scenario|vector|path)|description|details|evidence"
    r"|examples?|exploit(?:ation)?|proof\s+of\s+concept|poc|steps\s+to\s+reproduce|reproduction|risks?|affected\s+\w+"
    r"|root\s+cause|why\s+it\s+matters|technical\s+details|problem(?:\s+statement)?|vulnerable\s+code)\b",
    re.IGNORECASE,
)
"""Labels of the parts of one finding: what follows them belongs to that finding."""
_BADGE_NOISE = re.compile(r"!\[([^\]\n]{0,300}+)\]\([^)\n]{0,300}+\)|<[^>\n]{0,300}+>|[^\w\s]|_")
"""Markup around a badge's words, in at most :data:`LOCATION_MAX` characters (hence the bounds)."""
_BADGE_WORDS = frozenset({"potential", "issue", "critical", "major", "minor", "high", "medium", "low", "severity",
                          "priority", "security", "nitpick", "refactor", "suggestion", "quick", "win", "bug", "warning",
                          "caution", "important", "p0", "p1", "p2", "p3", "badge", "privacy", "and"})
_BADGE_MARK = re.compile(r"!\[|<img\b|[\u2600-\u27bf\U0001f300-\U0001faff]|\*\*|(?<![a-z])_|\|", re.IGNORECASE)
_HTML_IMAGE = re.compile(r"<img\b[^>\n]*+>?", re.IGNORECASE)
"""An HTML image tag; or, when none closes on its line, the rest of the line, which holds none either (so
that a line of unclosed tags is read once)."""
_IMAGE_WORDS = re.compile(r"/badge/([\w%.]+?)-|\balt=[\"']([^\"'\n]*)", re.IGNORECASE)
"""What an HTML image says: a shields.io badge's label ("/badge/High-634FD1"), else its alt text."""
_FIELD_LABELS = (r"(?:source|location|locations|file|files|lines?|evidence|severity|confidence|status|effort|risk"
                 r"|pros|cons|type|cwe|category|rule|impact|likelihood|priority|id|scanner|tool|component|function)")
_BOLD_FIELD = re.compile(rf"^[ \t]*[-*+][ \t]+(?:\*\*|__){_FIELD_LABELS}(?:(?:\*\*|__)[ \t]*:|:(?:\*\*|__))",
                         re.IGNORECASE)
"""A bullet that is a labelled field of one finding: "- **Location**: `x.py:10`", "- **Severity:** High"."""
_FIELD_TABLE = re.compile(r"^[ \t]*+(?:\|[ \t]*+)?(?:\*\*)?(?:field|key|property|attribute|item|name)(?:\*\*)?[ \t]*\|"
                          r"[ \t]*(?:\*\*)?(?:value|details?|description)(?:\*\*)?[ \t]*+(?:\|[ \t]*+)?$", re.IGNORECASE)
"""The header of a table of one finding's fields."""
_SEVERITY_ONLY = re.compile(r"^\W*(?:critical|high|medium|low|major|minor)(?:\s+(?:severity|priority))?\W*$", re.IGNORECASE)
_FRONT_MATTER = re.compile(r"^(?:[\w-]+:(?:\s|$)|[ \t]+\S|-[ \t])")
"""A line of YAML front matter: ``key: value``, an indented or list line under a key."""
LOCATION_MAX = 300
"""Longest line that may be a location of its own."""
_EMPHASIS = re.compile(r"\*\*|__|`|(?<!\w)[*_]+|[*_]+(?!\w)")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_DETAILS_OPEN = re.compile(r"<details\b", re.IGNORECASE)
_DETAILS_CLOSE = re.compile(r"</details\s*>", re.IGNORECASE)
_ADVICE_SUMMARY = re.compile(rf"<summary>\s*({label_alternatives(ADVICE_FIELDS)})\s*</summary>", re.IGNORECASE)
"""The summary of a collapsed part of a finding that says what to do: "<summary>Agent prompt</summary>"."""
_NUMBERED_SUMMARY = re.compile(r"<summary>\s*\d{1,3}\.\s", re.IGNORECASE)
_SUMMARY_OPEN = re.compile(r"<summary\b", re.IGNORECASE)
_SUMMARY_CLOSE = re.compile(r"</summary>", re.IGNORECASE)
_COMMENT_ONLY = re.compile(r"^\s*+<!--.*-->\s*+$", re.DOTALL)
"""HTML comments alone (from the first ``<!--`` to the last ``-->``, which may close one comment each)."""


@dataclass(frozen=True)
class Block:
    """A run of review lines that forms one claim."""

    title: str
    text: str
    start_line: int
    end_line: int
    is_item: bool
    section: str = ""
    """The title of the section a list item is under ("Acceptance Criteria", "Recommendations")."""


def review_lines(text: str) -> list[str]:
    """The review's lines as Markdown counts them (``\\r\\n``, ``\\r`` and ``\\n`` end a line)."""
    lines = _LINE_BREAK.split(text)
    return lines[:-1] if lines and not lines[-1] else lines


@functools.cache
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True}).enable("table").disable("inline")  # the blocks are enough


def split_blocks(text: str) -> tuple[Block, ...]:
    """Split review text into blocks, in order, with 1-based inclusive line spans.

    A headed section runs to the next heading (its paragraphs and code are one
    claim) unless it holds a list, whose items are claims of their own. Code
    (fenced or indented) belongs to the item, section or lead-in paragraph
    ("... like this:") before it. Each data row of a Markdown table is a claim.
    """
    lines = _without_front_matter(review_lines(text))
    splitter = _Splitter(lines)
    for token, inner in _top_level(_parser().parse("\n".join(lines))):
        splitter.read(token, inner)
    return splitter.builder.finish()


def _without_front_matter(lines: list[str]) -> list[str]:
    """The lines with a leading YAML front matter block (``---`` ... ``---``, as review tools write their
    metadata: status, priority, tags) blanked out: it is metadata, not what the review says."""
    if not lines or lines[0].strip() != "---":
        return lines
    for end in range(1, min(len(lines), 60)):
        if lines[end].strip() in ("---", "..."):
            return [""] * (end + 1) + lines[end + 1 :] if end > 1 else lines
        if not _FRONT_MATTER.match(lines[end]):
            return lines
    return lines


def is_badge(text: str) -> bool:
    """True for a block that is only a bot's severity or category badge: "_⚠️ Potential issue_ | _🟠 Major_",
    "![high](https://.../high-priority.svg)", "**Medium Severity**"."""
    said = _HTML_IMAGE.sub(_image_words, text) if "<" in text else text
    if len(said) > LOCATION_MAX or "\n\n" in said.strip():
        return False
    words = re.findall(r"[a-z0-9]+", _BADGE_NOISE.sub(r" \1 ", said).lower())  # an image counts by its alt text
    return bool(words) and all(word in _BADGE_WORDS for word in words) and bool(_BADGE_MARK.search(text))


def _image_words(image: re.Match[str]) -> str:
    if not image.group(0).endswith(">"):
        return image.group(0)  # no tag
    found = _IMAGE_WORDS.findall(image.group(0))
    label = next((label for label, _ in found if label), None)
    return f" {label} " if label else " ".join(alt for _, alt in found) or " "


def is_location(text: str) -> bool:
    """True for a block that only says where: "**File:** `x.py` (line 113)", "`daemon.py:56`"."""
    lines = text.split("\n")
    for line in lines:
        if len(line) > LOCATION_MAX:
            return False
        match = _LOCATION.match(line)
        if not match or (match.group("rest") is not None and not _LOCATION_REST.match(match.group("rest"))):
            return False
    return True


def _holds_finding(html: str) -> bool:
    """Whether a collapsed block's summary in ``html`` goes on past its line (no ``</summary>`` after it
    there), or is a numbered one ("<summary> 1. <s>Title</s> <code>🐞 Bug</code>", Qodo's code review): the
    block holds a finding, not a bot's tool output."""
    if _NUMBERED_SUMMARY.search(html):
        return True
    for line in html.split("\n"):
        closed = max((close.end() for close in _SUMMARY_CLOSE.finditer(line)), default=0)
        if _SUMMARY_OPEN.search(line, closed):
            return True
    return False


def _top_level(tokens: list[Token]) -> Iterator[tuple[Token, list[Token]]]:
    """Each top-level block token with the tokens nested inside it."""
    i = 0
    while i < len(tokens):
        token, j = tokens[i], i + 1
        depth: int = token.nesting
        while depth > 0 and j < len(tokens):
            depth += tokens[j].nesting
            j += 1
        yield token, tokens[i + 1 : j]
        i = j


class _Splitter:
    """What :func:`split_blocks` knows between top-level blocks: whether the last one was a
    list (code after it is the last item's) and how deep it is inside ``<details>``."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.builder = _Builder()
        self.after_list = False
        self.details = 0
        self.part = False
        """A part of a finding ("**Description:**") was read in the current section: lists go on with it."""
        self.finding = False
        """Inside a collapsed block that is a finding of its own."""

    def read(self, token: Token, inner: list[Token]) -> None:
        if token.map is None:
            return
        first, last = token.map[0] + 1, token.map[1]
        if self.details or token.type == "html_block" and _DETAILS_OPEN.search(token.content):
            self._details(token, first, last, inner)
        elif token.type == "heading_open":
            self._heading(first, last)
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            self._list(first, last, inner)
        elif token.type == "table_open":
            self._table(first, last, inner)
        elif token.type in ("fence", "code_block"):
            self._code(token.type, first, last)
        elif token.type == "hr" or token.type == "html_block" and _COMMENT_ONLY.match(token.content):
            self.builder.close()
        else:
            self._paragraph(first, last)
        if token.type not in ("bullet_list_open", "ordered_list_open"):
            self.after_list = False

    def _details(self, token: Token, first: int, last: int, inner: list[Token]) -> None:
        """A collapsed block and all inside it belong to the current claim (or start one), except
        fenced code other than a proposed change: that is a bot's tool output or the script it ran.
        Inside a finding's block, a collapsed part that says what to do (Qodo's "Agent prompt") is a
        claim of its own."""
        summary = next((m for t in (token, *inner) if t.type == "html_block"
                        for m in [_ADVICE_SUMMARY.search(t.content)] if m), None) if self.finding else None
        if summary is not None:
            self.builder.start(first, summary.group(1), is_item=False)
        if token.type == "html_block":
            if not self.details and _holds_finding(token.content):
                # a finding written in the summary of its own collapsed block (Qodo's "focus areas"): a claim,
                # and the code under it is the code it quotes
                self.finding = True
                self.builder.start(first, "", is_item=False)
            opened = len(_DETAILS_OPEN.findall(token.content)) - len(_DETAILS_CLOSE.findall(token.content))
            self.details = max(self.details + opened, 0)
            self.finding = self.finding and self.details > 0
        if token.type == "fence" and not self.finding and token.info.strip().lower() not in CHANGE_BLOCKS:
            return
        if self.builder.empty and summary is None:
            self.builder.start(first, "", is_item=False)
        self._add(first, last)

    def _heading(self, first: int, last: int) -> None:
        self.part = False
        line = self.lines[first - 1]
        title = _clean_title(_HEADING_OPEN.sub("", line, count=1).rstrip(" \t#"))
        self.builder.start(first, title, is_item=False, heading=line.strip(), heading_end=last)

    def _list(self, first: int, last: int, inner: list[Token]) -> None:
        items = [t.map[0] for t in inner if t.type == "list_item_open" and t.level == 1 and t.map]
        fields = bool(items) and all(_BOLD_FIELD.match(self.lines[i]) for i in items)
        if fields and not self.builder.is_section:  # "- **Location**: ..., - **Evidence**: ...": one finding
            self.builder.start(first, "", is_item=False)
        if fields or self.builder.is_section and not self.after_list and (self.part or self.builder.ends_with_label()):
            # "**Attack Scenario:**" then steps, "**Impact:**" then bullets: a field of the finding, not findings
            self._add(first, self._last_text(first, last))
            return
        for token in inner:
            if token.type == "list_item_open" and token.level == 1 and token.map:
                first, last = token.map[0] + 1, self._last_text(token.map[0] + 1, token.map[1])
                self.builder.start(first, "", is_item=True)
                self.builder.add(first, _MARKER.sub("", self.lines[first - 1], count=1))
                self._add(first + 1, last)
        self.after_list = True

    def _table(self, first: int, last: int, inner: list[Token]) -> None:
        if self.builder.is_section and _FIELD_TABLE.match(self.lines[first - 1]):
            self._add(first, last)  # "| Field | Value |" under a finding's heading: the finding's fields
            return
        in_body = False
        for token in inner:
            in_body = in_body or token.type == "tbody_open"
            if in_body and token.type == "tr_open" and token.map:  # each data row; the header is none
                number = token.map[0] + 1
                self.builder.start(number, "", is_item=True)
                self.builder.add(number, self.lines[number - 1])
        self.builder.close()

    def _code(self, kind: str, first: int, last: int) -> None:
        builder = self.builder
        if not builder.takes_code(self.after_list):
            builder.start(first, "", is_item=False)
        if kind == "fence":
            self._add(first, last)
            return
        # indented code: fenced here, so that citations read it as code
        builder.add(first, "```")
        for number in range(first, last + 1):
            builder.add(number, self.lines[number - 1][4:])
        builder.add(last, "```", keep_end=True)

    def _paragraph(self, first: int, last: int) -> None:
        builder = self.builder
        bold = _BOLD_LINE.match(self.lines[first - 1])
        if builder.is_section and not self.after_list and _PART.match(self.lines[first - 1]) \
                and (not bold or _LABEL.search(self.lines[first - 1])):
            self.part = True  # "**Description:**" inside a finding's section is a field of that finding
        elif bold:
            self.part = False
            builder.start(first, _clean_title(bold.group("title") or bold.group("title2")), is_item=False, heading=self.lines[first - 1].strip())
            first += 1
        elif (not builder.is_section or self.after_list) and not _FIELD.match(self.lines[first - 1]):
            builder.start(first, "", is_item=False)
        for number in range(first, last + 1):
            line = self.lines[number - 1]
            field = _FIELD.match(line)
            if _BULLET.match(line):  # "•" is no Markdown list marker, but reviews use it
                builder.start(number, "", is_item=True)
                builder.add(number, _MARKER.sub("", line, count=1))
            elif field:  # "**Fix:** ...", "🔧 Fix: ...": a field that says what to do is a claim of its own
                builder.start(number, " ".join(field.group("label").split()).capitalize(), is_item=False)
                builder.add(number, line)
            else:
                builder.add(number, line)

    def _add(self, first: int, last: int) -> None:
        for number in range(first, last + 1):
            self.builder.add(number, self.lines[number - 1])

    def _last_text(self, first: int, last: int) -> int:
        """The last non-blank line of ``first..last``."""
        while last > first and not self.lines[last - 1].strip():
            last -= 1
        return last


def _clean_title(title: str) -> str:
    title = _EMPHASIS.sub("", title).strip()  # markup, not the underscores of a name such as API_KEY
    return title.rstrip(":").strip()


class _Builder:
    """Accumulates lines into blocks. Blank lines inside a block are kept, so that the review
    line of everything in a block's text can be counted from its first line."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.section = ""
        """The title of the last heading."""
        self._parent: tuple[int, str, str] | None = None
        """A heading with nothing under it but the next heading: its line, text and title."""
        self._location: Block | None = None
        """A block that only says where, waiting for the block it heads."""
        self._reset()

    def _reset(self) -> None:
        self._title = ""
        self._heading = ""
        self._lines: list[str] = []
        self._start = 0
        self._end = 0
        self._body = 0
        """Review line of ``_lines[0]``."""
        self._last = 0
        """Review line of ``_lines[-1]``."""
        self._is_item = False

    @property
    def empty(self) -> bool:
        return not self._lines and not self._heading

    @property
    def is_section(self) -> bool:
        return bool(self._heading)

    def ends_with_label(self) -> bool:
        """Whether the block ends with the label of a part of a finding ("**Impact:**", "**Remediation:**"),
        which the list after it fills in (a list after "**Findings:**" is findings, each a claim)."""
        last = self._lines[-1] if self._lines else self._heading
        return bool(_LABEL.search(last)) and bool(_PART.match(last) or _FIELD.match(last))

    def takes_code(self, after_list: bool) -> bool:
        """Whether code after the current block belongs to it."""
        if self._heading or (self._is_item and after_list):
            return True
        return bool(self._lines) and self._lines[-1].rstrip().rstrip("*_").endswith(":")

    def start(self, number: int, title: str, *, is_item: bool, heading: str = "", heading_end: int = 0) -> None:
        """Begin a block; a heading (``heading_end`` its last line, for a setext heading) starts it. A heading
        with nothing under it but another heading ("### SQL injection in search" over "**High Severity**" or
        "## Problem Statement") names the finding of the section under it, and heads that section."""
        if heading and self._heading and not self._lines:
            self._parent = (self._start, self._heading.lstrip("#").strip(), self._title)
        elif not heading:
            self._parent = None
        self._flush()
        if heading:
            self.section = title
        self._title, self._is_item, self._heading = title, is_item, heading
        if heading:
            self._start, self._end = number, max(number, heading_end)

    def close(self) -> None:
        """End the current block; what follows starts a new one."""
        self._flush()

    def add(self, number: int, line: str, *, keep_end: bool = False) -> None:
        """Add review line ``number`` (several texts may share a number, as a fence opened around code)."""
        if not self._lines:
            if not line.strip():
                return  # a block starts at its first non-blank line
            self._body = number
            self._start = self._start or number
        else:
            self._lines.extend([""] * (number - self._last - 1))
        self._lines.append(line)
        self._last = max(self._last, number)
        if not keep_end:
            self._end = max(self._end, number)

    def _flush(self) -> None:
        if self._lines:
            title, body = self._title, "\n".join(self._lines).rstrip()
            if not title:
                title, body = _split_title(body)
            start = self._start
            if self._heading:
                body = self._heading.lstrip("#").strip() + "\n" * (self._body - self._start) + body
                if self._parent is not None:
                    start, parent, parent_title = self._parent
                    body = parent + "\n" * (self._start - start) + body
                    title = parent_title if _SEVERITY_ONLY.match(title) else title
            self._parent = None
            self._append(Block(title, body.strip(), start, self._end, self._is_item,
                               self.section if self._is_item else ""))
        self._reset()

    def _append(self, block: Block) -> None:
        """Add a block; a location of its own ("**File:** `x.py` (line 113)") heads the block after it."""
        pending = self._location
        if pending is not None:
            gap = "\n" * (block.start_line - pending.end_line)
            block = Block(block.title, pending.text + gap + block.text, pending.start_line, block.end_line,
                          block.is_item, block.section)
            self._location = None
        if not block.is_item and (is_location(block.text) or is_badge(block.text)):
            self._location = block
        else:
            self.blocks.append(block)

    def finish(self) -> tuple[Block, ...]:
        self._flush()
        if self._location is not None:
            self.blocks.append(self._location)
        return tuple(self.blocks)


def _split_title(body: str) -> tuple[str, str]:
    """Take a run-in title off the front of a block: ``**Title:** text`` or ``Title:`` alone on a line."""
    run_in = _RUN_IN.match(body)
    if run_in:
        return _clean_title(run_in.group("title") or run_in.group("title2")), body
    first, _, _rest = body.partition("\n")
    colon = _COLON_TITLE.match(first.strip())
    if colon and _rest.strip():
        return _clean_title(colon.group("title")), body
    return "", body
