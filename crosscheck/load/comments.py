"""Pull request comments exported from GitHub or GitLab, read into :class:`PlatformComment` values.

The export is what the platforms' REST APIs return, saved as JSON; its shape is told by content,
never by file name. Each object is recognised by the keys that only its kind has:

- GitHub review comments (``GET /repos/O/R/pulls/N/comments``): ``diff_hunk``;
- GitHub reviews (``GET /repos/O/R/pulls/N/reviews``): ``state``;
- GitHub conversation comments (``GET /repos/O/R/issues/N/comments``): ``issue_url``;
- GitLab discussions (``GET /projects/:id/merge_requests/:iid/discussions``): ``notes`` and no
  ``body``; a single GitLab note (``.../merge_requests/:iid/notes``): ``noteable_type``.

A file holds one such object, a list mixing any of them (``jq -s add`` over several exports), or
several JSON values one after the other (``gh api --paginate`` writes one array per page).

Left out on purpose: GitLab system notes ("added 1 commit", "changed the description"), which no
reviewer wrote, and GitHub reviews whose body is empty (an approval without words, or the review
that only groups inline comments: those comments are read from the review comments themselves).
A comment read twice (overlapping pages, or two files naming it) is kept once, as first read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

from crosscheck.errors import InputError

__all__ = ["CommentExport", "PlatformComment", "looks_like_export", "merge_exports", "read_export"]

KIND_ORDER = ("review", "review-comment", "conversation", "diff-note", "note")
"""The comment kinds, in the order an export lists them."""
_SIDES = ("LEFT", "RIGHT")
_JSON_SPACE = re.compile(r"[ \t\n\r]*")
_NOT_A_COMMENT = "is not a GitHub or GitLab comment"


@dataclass(frozen=True)
class PlatformComment:
    """One comment of a pull request (GitHub) or merge request (GitLab), as the platform stores it."""

    platform: str
    """``github`` or ``gitlab``."""
    kind: str
    """``review-comment`` (GitHub inline), ``review`` (GitHub review body), ``conversation`` (GitHub
    issue comment), ``diff-note`` (GitLab note on a line of the diff) or ``note`` (any other GitLab note)."""
    id: str
    """The platform's id of the comment (a GitLab note's id, not its discussion's)."""
    author: str
    """GitHub ``user.login`` or GitLab ``author.username``; empty when the platform gives none."""
    url: str
    """GitHub ``html_url``; empty for GitLab, whose API gives notes no page address."""
    body: str
    """The comment's Markdown; empty when the platform's body is null."""
    path: str | None = None
    """The file after the change (GitHub ``path``, GitLab ``new_path``); None when not on a file."""
    line: int | None = None
    """The line of the new file the comment ends on; None when it is on a removed line only, on a
    whole file, or outdated (GitHub's ``line`` is null once the commented code has changed)."""
    start_line: int | None = None
    """The new file's first line of a multi-line comment; None for single-line comments."""
    side: str = ""
    """``RIGHT`` (the new file), ``LEFT`` (the old file: a removed line), or empty when not on a line."""
    original_line: int | None = None
    """GitHub ``original_line``: the line, on the comment's side, in the commit it was written on."""
    original_start_line: int | None = None
    """GitHub ``original_start_line``, the first line of a multi-line comment in that commit."""
    commit: str = ""
    """GitHub ``commit_id`` or GitLab ``position.head_sha``; empty when none."""
    original_commit: str = ""
    """GitHub ``original_commit_id`` (the commit the comment was written on); GitLab ``position.head_sha``."""
    diff_hunk: str = ""
    """GitHub's ``diff_hunk``, which ends with the commented line; empty otherwise."""
    old_path: str | None = None
    """GitLab ``position.old_path``: the file before the change."""
    old_line: int | None = None
    """The line of the old file the comment is on: GitLab ``old_line``, or GitHub ``line`` on the LEFT side."""
    reply_to: str = ""
    """The comment this one answers: GitHub ``in_reply_to_id``, or the first note of a GitLab discussion."""

    @property
    def commented_line_text(self) -> str | None:
        """The text of the line the comment is on, from the end of :attr:`diff_hunk` (GitHub's hunk
        ends with the commented line): the last hunk line without its one-character ``+``/`` ``/``-``
        prefix; None when there is no hunk, the last line is a ``\\ No newline at end of file``
        marker or a hunk header, or the text is blank."""
        lines = self.diff_hunk.rstrip("\r\n").split("\n")
        last = lines[-1].rstrip("\r")
        if not last or last[0] not in "+- ":
            return None
        text = last[1:]
        return text if text.strip() else None


@dataclass(frozen=True)
class CommentExport:
    """The comments of one or more exports, each once, in a stable order."""

    comments: tuple[PlatformComment, ...] = ()
    """Sorted by platform, kind (:data:`KIND_ORDER`), path, line and id."""
    platforms: tuple[str, ...] = ()
    """The distinct platforms of :attr:`comments`, sorted."""

    @classmethod
    def of(cls, comments: Iterable[PlatformComment]) -> CommentExport:
        """An export of ``comments``, sorted, each (platform, kind, id) kept once as first seen."""
        unique: dict[tuple[str, str, str], PlatformComment] = {}
        for comment in comments:
            unique.setdefault((comment.platform, comment.kind, comment.id), comment)
        ordered = tuple(sorted(unique.values(), key=_sort_key))
        return cls(ordered, tuple(sorted({c.platform for c in ordered})))

    @property
    def authors(self) -> tuple[str, ...]:
        """The distinct non-empty authors, sorted."""
        return tuple(sorted({c.author for c in self.comments if c.author}))

    def by_author(self, author: str) -> CommentExport:
        """The comments written by ``author``, compared without case (as both platforms compare names)."""
        wanted = author.casefold()
        return CommentExport.of(c for c in self.comments if c.author.casefold() == wanted)


def looks_like_export(text: str) -> bool:
    """Whether ``text`` is JSON that may be an export: it starts with ``[`` or ``{`` and parses as one
    or more JSON arrays or objects. Parsing, not the first character, decides, so a Markdown review
    that opens with a link (``[x](y)``) is not taken for one."""
    return _export_values(text) is not None


def read_export(text: str, *, where: str) -> CommentExport:
    """The comments of an export; ``where`` names it in errors.

    Every problem is an :class:`InputError` naming the item (counted from 1 across the whole file)
    and the first field found wrong. An empty list is an export with no comments. GitLab system
    notes and GitHub reviews with an empty body are left out (see the module's docstring).
    """
    return _export(_items(text, where), where)


def export_in(text: str, *, where: str) -> CommentExport | None:
    """:func:`read_export` of ``text`` when it :func:`looks_like_export`, else None; the JSON is parsed once."""
    values = _export_values(text, where)
    return None if values is None else _export(_items_of(values, where), where)


def _export_values(text: str, where: str | None = None) -> list[Any] | None:
    """The JSON values of ``text`` when it looks like an export (see :func:`looks_like_export`), else None.
    JSON nested too deeply to be parsed is an :class:`InputError` naming ``where``, when given."""
    stripped = text.lstrip("\ufeff").strip()
    if not stripped.startswith(("[", "{")):
        return None
    try:
        values = _decode_all(stripped)
    except ValueError:
        return None
    except RecursionError:
        if where is None:
            return None
        raise InputError(f"{where}: not a comments export: its JSON is nested too deeply") from None
    return values if all(isinstance(value, list | dict) for value in values) else None


def _export(items: list[Any], where: str) -> CommentExport:
    comments: list[PlatformComment] = []
    for number, item in enumerate(items, 1):
        comments += _read_item(item, where, f"item {number}")
    return CommentExport.of(comments)


def merge_exports(exports: Iterable[CommentExport]) -> CommentExport:
    """One export of the comments of all ``exports``; a comment in several is kept once, as first given."""
    return CommentExport.of(comment for export in exports for comment in export.comments)


def _sort_key(comment: PlatformComment) -> tuple[str, int, str, int, tuple[int, int, str]]:
    numeric = comment.id.isascii() and comment.id.isdigit()
    id_key = (0, int(comment.id), "") if numeric else (1, 0, comment.id)
    return (comment.platform, KIND_ORDER.index(comment.kind), comment.path or "", comment.line or 0, id_key)


def _decode_all(text: str) -> list[Any]:
    """Every JSON value of ``text``, written one after the other; raises ``ValueError`` if any is bad."""
    decoder = json.JSONDecoder()
    values: list[Any] = []
    position = _skip_space(text, 0)
    while position < len(text):
        value, position = decoder.raw_decode(text, position)
        values.append(value)
        position = _skip_space(text, position)
    return values


def _skip_space(text: str, position: int) -> int:
    match = _JSON_SPACE.match(text, position)
    return match.end() if match else position


def _items(text: str, where: str) -> list[Any]:
    """The file's items: the elements of its arrays and its top-level objects, in file order."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise InputError(f"{where}: is empty; expected the JSON a GitHub or GitLab comments API returns")
    try:
        values = _decode_all(text)
    except json.JSONDecodeError as err:
        raise InputError(f"{where}: not valid JSON: {err.msg} at line {err.lineno} column {err.colno}") from None
    except RecursionError:
        raise InputError(f"{where}: not a comments export: its JSON is nested too deeply") from None
    return _items_of(values, where)


def _items_of(values: list[Any], where: str) -> list[Any]:
    """The items of a file's JSON ``values``: the elements of its arrays and its top-level objects, in order."""
    items: list[Any] = []
    for number, value in enumerate(values, 1):
        if isinstance(value, list):
            items += value
        elif isinstance(value, dict):
            items.append(value)
        else:
            ordinal = f"JSON value {number}" if len(values) > 1 else "the JSON"
            raise InputError(f"{where}: {ordinal} is {_describe(value)}; expected an array or object of comments")
    return items


def _read_item(item: Any, where: str, label: str) -> list[PlatformComment]:
    """The comments of one item of the file: one, none (a skipped kind) or a GitLab discussion's notes."""
    if not isinstance(item, dict):
        raise InputError(f"{where}: {label} {_NOT_A_COMMENT}: it is {_describe(item)}")
    if "notes" in item and "body" not in item:
        return _gitlab_discussion(_Fields(item, where, label))
    if "body" not in item:
        raise InputError(f"{where}: {label} {_NOT_A_COMMENT}: it has no 'body'")
    fields = _Fields(item, where, label)
    if "diff_hunk" in item:
        return [_github_review_comment(fields)]
    if "issue_url" in item:
        return [_github_conversation(fields)]
    if "state" in item:
        review = _github_review(fields)
        return [review] if review.body.strip() else []
    if "noteable_type" in item:
        note = _gitlab_note(fields, reply_to="")
        return [note] if note else []
    raise InputError(f"{where}: {label} {_NOT_A_COMMENT}: it has a 'body' but none of 'diff_hunk' (review "
                     "comment), 'state' (review), 'issue_url' (conversation) or 'noteable_type' (GitLab note)")


def _github_review_comment(item: _Fields) -> PlatformComment:
    """A comment on the diff of a GitHub pull request; its ``line`` is in the old file on the LEFT side."""
    comment_id, author, url, body = _github_common(item)
    path = item.string("path", required=True)
    line, start_line = item.line("line"), item.line("start_line")
    side, start_side = item.choice("side", _SIDES), item.choice("start_side", _SIDES)
    original_line, original_start_line = item.line("original_line"), item.line("original_start_line")
    on_file = item.choice("subject_type", ("line", "file")) == "file"
    item.optional_ident("pull_request_review_id")
    if not side and not on_file and (line or original_line):
        side = "RIGHT"  # GitHub's default side, for exports from servers that predate the field
    left = side == "LEFT"
    return PlatformComment(
        "github", "review-comment", comment_id, author, url, body, path=path,
        line=None if left else line, start_line=None if left or start_side == "LEFT" else start_line,
        side="" if on_file else side, original_line=original_line, original_start_line=original_start_line,
        commit=item.string("commit_id"), original_commit=item.string("original_commit_id"),
        diff_hunk=item.string("diff_hunk"), old_line=line if left else None,
        reply_to=item.optional_ident("in_reply_to_id"))


def _github_review(item: _Fields) -> PlatformComment:
    """The body of a GitHub pull request review (its verdict text); the state is checked, not kept."""
    comment_id, author, url, body = _github_common(item)
    item.string("state", required=True)
    return PlatformComment("github", "review", comment_id, author, url, body, commit=item.string("commit_id"))


def _github_conversation(item: _Fields) -> PlatformComment:
    """A comment in a GitHub pull request's conversation (an issue comment)."""
    comment_id, author, url, body = _github_common(item)
    item.string("issue_url")
    return PlatformComment("github", "conversation", comment_id, author, url, body)


def _gitlab_discussion(discussion: _Fields) -> list[PlatformComment]:
    """The notes of a GitLab discussion; every note after the first answers the first."""
    notes = discussion.data["notes"]
    if not isinstance(notes, list):
        discussion.fail("notes", "an array", notes)
    discussion.flag("individual_note")
    comments: list[PlatformComment] = []
    first = ""
    for number, note in enumerate(notes, 1):
        label = f"{discussion.label}, note {number}"
        if not isinstance(note, dict):
            raise InputError(f"{discussion.where}: {label} is not a GitLab note: it is {_describe(note)}")
        fields = _Fields(note, discussion.where, label)
        if number == 1:
            first = fields.ident("id")
        comment = _gitlab_note(fields, reply_to=first if number > 1 else "")
        if comment is not None:
            comments.append(comment)
    return comments


def _gitlab_note(note: _Fields, *, reply_to: str) -> PlatformComment | None:
    """A GitLab note, or None for a system note; a note with a text position is a ``diff-note``."""
    note_id, author, body = note.ident("id"), _author(note, "author", "username"), note.string("body", required=True)
    note.string("type")
    if note.flag("system"):
        return None
    position = note.child("position")
    if position is None:
        return PlatformComment("gitlab", "note", note_id, author, "", body, reply_to=reply_to)
    head, old_path, new_path = position.string("head_sha"), position.string("old_path"), position.string("new_path")
    if position.choice("position_type", ("text", "file", "image")) in ("file", "image"):
        return PlatformComment("gitlab", "note", note_id, author, "", body, path=new_path or old_path or None,
                               commit=head, original_commit=head, old_path=old_path or None, reply_to=reply_to)
    new_line, old_line = position.line("new_line"), position.line("old_line")
    line_range = position.child("line_range")
    start = line_range.child("start") if line_range else None
    start_line = start.line("new_line") if start else None
    return PlatformComment(
        "gitlab", "diff-note", note_id, author, "", body, path=new_path or old_path or None, line=new_line,
        start_line=start_line if start_line != new_line else None,
        side="RIGHT" if new_line is not None else "LEFT" if old_line is not None else "",
        commit=head, original_commit=head, old_path=old_path or None, old_line=old_line, reply_to=reply_to)


def _github_common(item: _Fields) -> tuple[str, str, str, str]:
    """The id, author, address and body every GitHub comment has."""
    return item.ident("id"), _author(item, "user", "login"), item.string("html_url"), item.string("body")


def _author(item: _Fields, key: str, name: str) -> str:
    user = item.child(key)
    return user.string(name) if user else ""


@dataclass(frozen=True)
class _Fields:
    """One JSON object being read, and how an error names it and its fields."""

    data: Mapping[str, Any]
    where: str
    """The file, as the caller names it."""
    label: str
    """The item: ``item 3``, or ``item 1, note 2`` in a GitLab discussion."""
    prefix: str = ""
    """The path to this object from the item, ``position.`` for a GitLab note's position."""

    def fail(self, key: str, expected: str, value: Any) -> NoReturn:
        """Stop at the field ``key``, which is not what ``expected`` says."""
        field = f"{self.prefix}{key}"
        raise InputError(f"{self.where}: {self.label} ('{field}'): expected {expected}, got {_describe(value)}")

    def _get(self, key: str, required: bool) -> Any:
        if required and key not in self.data:
            raise InputError(f"{self.where}: {self.label} has no '{self.prefix}{key}'")
        return self.data.get(key)

    def string(self, key: str, *, required: bool = False) -> str:
        """A string field; unless required, a missing or null one reads as empty."""
        value = self._get(key, required)
        if isinstance(value, str):
            return value
        if value is None and not required:
            return ""
        self.fail(key, "a string" if required else "a string or null", value)

    def ident(self, key: str) -> str:
        """A required id: an integer or a non-empty string."""
        value = self._get(key, True)
        if (isinstance(value, int) and not isinstance(value, bool)) or (isinstance(value, str) and value.strip()):
            return str(value).strip()
        self.fail(key, "an integer or string id", value)

    def optional_ident(self, key: str) -> str:
        """An id that may be missing or null (then empty)."""
        return "" if self.data.get(key) is None else self.ident(key)

    def line(self, key: str) -> int | None:
        """A line number (1 or more) or null; missing reads as null."""
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            self.fail(key, "an integer or null", value)
        if value < 1:
            self.fail(key, "a line number (1 or more) or null", value)
        return value

    def choice(self, key: str, options: tuple[str, ...]) -> str:
        """One of ``options``, or empty when missing or null."""
        value = self.data.get(key)
        if value is None:
            return ""
        if isinstance(value, str) and value in options:
            return value
        self.fail(key, ", ".join(repr(option) for option in options) + " or null", value)

    def flag(self, key: str) -> bool:
        """A boolean; missing or null reads as false."""
        value = self.data.get(key)
        if value is None or isinstance(value, bool):
            return bool(value)
        self.fail(key, "true or false", value)

    def child(self, key: str) -> _Fields | None:
        """A nested object, or None when missing or null."""
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.fail(key, "an object or null", value)
        return _Fields(value, self.where, self.label, f"{self.prefix}{key}.")


def _describe(value: Any) -> str:
    """A JSON value as an error names it: literals as written, containers by kind."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."
