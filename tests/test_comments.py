"""Pull request comment exports: GitHub and GitLab API responses read into comments, and their errors."""

from __future__ import annotations

import copy
import json
import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crosscheck.errors import InputError
from crosscheck.load.comments import (
    CommentExport,
    PlatformComment,
    looks_like_export,
    merge_exports,
    read_export,
)

API = "https://api.github.com/repos/acme/backup"
WEB = "https://github.com/acme/backup"
HEAD = "6dcb09b5b57875f334f61aebed695e2e4193db5e"
OLD_HEAD = "9c48853fa3dc5c1c3d6f1f1cd1f2743e72652840"
HUNK = (
    "@@ -38,8 +38,10 @@ def restore(archive: str, target: str) -> None:\n"
    "     \"\"\"Unpack a backup into target.\"\"\"\n"
    "     with tarfile.open(archive) as tar:\n"
    "-        tar.extractall(target)\n"
    "+        for member in tar.getmembers():\n"
    "+            tar.extract(member, target)"
)


def _user(login: str, user_id: int = 583231, kind: str = "User") -> dict[str, Any]:
    return {
        "login": login, "id": user_id, "node_id": "MDQ6VXNlcjU4MzIzMQ==",
        "avatar_url": f"https://avatars.githubusercontent.com/u/{user_id}?v=4", "gravatar_id": "",
        "url": f"https://api.github.com/users/{login}", "html_url": f"https://github.com/{login}",
        "type": kind, "site_admin": False,
    }


def _reactions(url: str) -> dict[str, Any]:
    return {"url": f"{url}/reactions", "total_count": 0, "+1": 0, "-1": 0, "laugh": 0, "hooray": 0,
            "confused": 0, "heart": 0, "rocket": 0, "eyes": 0}


def _review_comment(comment_id: int = 1404, **fields: Any) -> dict[str, Any]:
    """A review comment as ``GET /repos/O/R/pulls/N/comments`` returns it."""
    url = f"{API}/pulls/comments/{comment_id}"
    comment: dict[str, Any] = {
        "url": url, "pull_request_review_id": 2003, "id": comment_id,
        "node_id": "PRRC_kwDOAbCdEs5pQrSt", "diff_hunk": HUNK, "path": "backup/restore.py",
        "commit_id": HEAD, "original_commit_id": HEAD, "user": _user("mona"),
        "body": "`extract` still follows `../` in member names: this is CWE-22.",
        "created_at": "2024-05-02T09:14:07Z", "updated_at": "2024-05-02T09:14:07Z",
        "html_url": f"{WEB}/pull/17#discussion_r{comment_id}", "pull_request_url": f"{API}/pulls/17",
        "author_association": "MEMBER",
        "_links": {"self": {"href": url}, "html": {"href": f"{WEB}/pull/17#discussion_r{comment_id}"},
                   "pull_request": {"href": f"{API}/pulls/17"}},
        "reactions": _reactions(url), "start_line": None, "original_start_line": None, "start_side": None,
        "line": 43, "original_line": 43, "side": "RIGHT", "original_position": 7, "position": 7,
        "subject_type": "line",
    }
    comment.update(fields)
    return comment


def _review(review_id: int = 2003, body: str | None = "Requesting changes: the archive path is not checked.",
            **fields: Any) -> dict[str, Any]:
    """A review as ``GET /repos/O/R/pulls/N/reviews`` returns it."""
    review: dict[str, Any] = {
        "id": review_id, "node_id": "PRR_kwDOAbCdEs5xYz12", "user": _user("mona"), "body": body,
        "state": "CHANGES_REQUESTED", "html_url": f"{WEB}/pull/17#pullrequestreview-{review_id}",
        "pull_request_url": f"{API}/pulls/17", "author_association": "MEMBER",
        "_links": {"html": {"href": f"{WEB}/pull/17#pullrequestreview-{review_id}"},
                   "pull_request": {"href": f"{API}/pulls/17"}},
        "submitted_at": "2024-05-02T09:15:31Z", "commit_id": HEAD,
    }
    review.update(fields)
    return review


def _issue_comment(comment_id: int | str = 2087651234, **fields: Any) -> dict[str, Any]:
    """A conversation comment as ``GET /repos/O/R/issues/N/comments`` returns it."""
    url = f"{API}/issues/comments/{comment_id}"
    comment: dict[str, Any] = {
        "url": url, "html_url": f"{WEB}/pull/17#issuecomment-{comment_id}", "issue_url": f"{API}/issues/17",
        "id": comment_id, "node_id": "IC_kwDOAbCdEs58nXy1", "user": _user("octocat", 1),
        "created_at": "2024-05-02T10:01:12Z", "updated_at": "2024-05-02T10:01:12Z",
        "author_association": "CONTRIBUTOR", "body": "Thanks, I will switch to `tarfile.data_filter`.",
        "reactions": _reactions(url), "performed_via_github_app": None,
    }
    comment.update(fields)
    return comment


def _gl_author(username: str, user_id: int = 12) -> dict[str, Any]:
    return {"id": user_id, "username": username, "name": username.title(), "state": "active", "locked": False,
            "avatar_url": f"https://secure.gravatar.com/avatar/{user_id}?s=80&d=identicon",
            "web_url": f"https://gitlab.example.com/{username}"}


def _gl_position(new_line: int | None, old_line: int | None, **fields: Any) -> dict[str, Any]:
    position: dict[str, Any] = {
        "base_sha": "b5d6e7b1613fca24d250fa8e5bc7bcc3dd6002ef", "start_sha": "7c9c2ead8a320fb7ba0b4e234bd9529a2614e306",
        "head_sha": "4803c71e6b1833ca72b8b26ef2ecd5adc8a38031", "old_path": "backup/restore.py",
        "new_path": "backup/restore.py", "position_type": "text", "old_line": old_line, "new_line": new_line,
        "line_range": None,
    }
    position.update(fields)
    return position


def _gl_note(note_id: int, body: str, *, author: str = "alice", note_type: str | None = "DiffNote",
             position: dict[str, Any] | None = None, system: bool = False) -> dict[str, Any]:
    """A note as GitLab's discussions API nests it."""
    note: dict[str, Any] = {
        "id": note_id, "type": note_type, "body": body, "attachment": None, "author": _gl_author(author),
        "created_at": "2024-05-03T08:00:00.000Z", "updated_at": "2024-05-03T08:00:00.000Z", "system": system,
        "noteable_id": 3, "noteable_type": "MergeRequest", "project_id": 5, "noteable_iid": 17,
        "resolvable": position is not None, "confidential": False, "internal": False,
        "commit_id": None,
    }
    if position is not None:
        note |= {"position": copy.deepcopy(position), "resolved": False, "resolved_by": None, "resolved_at": None}
    return note


def _gl_discussion(discussion_id: str, *notes: dict[str, Any]) -> dict[str, Any]:
    return {"id": discussion_id, "individual_note": len(notes) == 1 and notes[0]["type"] is None,
            "notes": list(notes)}


def _gitlab_discussions() -> list[dict[str, Any]]:
    """``GET /projects/:id/merge_requests/:iid/discussions`` for a merge request with four threads."""
    multi_line = _gl_position(44, None, line_range={
        "start": {"line_code": "a1b2_41_42", "type": "new", "old_line": None, "new_line": 42},
        "end": {"line_code": "a1b2_41_44", "type": "new", "old_line": None, "new_line": 44}})
    return [
        _gl_discussion("6a9c1750b37d513a43987b574953fceb50b03ce7",
                       _gl_note(1126, "added 1 commit\n\n* 4803c71e - Check member paths",
                                author="bob", note_type=None, system=True)),
        _gl_discussion("87805b7c09016a7058e91bdbe7b29d1f284a39e6",
                       _gl_note(1128, "This loop still trusts `member.name` (CWE-22).", position=multi_line),
                       _gl_note(1131, "Fixed with `filter='data'`.", author="bob", note_type="DiffNote",
                                position=multi_line)),
        _gl_discussion("3f1c0e1d2c6f47c1a6b6c5a9e0e3d6d1f7b2a9c4",
                       _gl_note(1129, "Good riddance to `extractall`.",
                                position=_gl_position(None, 40, line_range={
                                    "start": {"line_code": "a1b2_40_0", "type": "old", "old_line": 40,
                                              "new_line": None},
                                    "end": {"line_code": "a1b2_40_0", "type": "old", "old_line": 40,
                                            "new_line": None}}))),
        _gl_discussion("e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3",
                       _gl_note(1130, "Overall: one path traversal left, see the thread on line 44.",
                                note_type=None)),
    ]


def _read(value: Any, where: str = "comments.json") -> CommentExport:
    return read_export(json.dumps(value, indent=2), where=where)


def _only(export: CommentExport) -> PlatformComment:
    assert len(export.comments) == 1, export.comments
    return export.comments[0]


# --- each kind -----------------------------------------------------------------------------------


def test_github_review_comment_keeps_every_field() -> None:
    comment = _only(_read([_review_comment(in_reply_to_id=1399)]))
    assert comment == PlatformComment(
        platform="github", kind="review-comment", id="1404", author="mona",
        url=f"{WEB}/pull/17#discussion_r1404", body="`extract` still follows `../` in member names: this is CWE-22.",
        path="backup/restore.py", line=43, start_line=None, side="RIGHT", original_line=43,
        original_start_line=None, commit=HEAD, original_commit=HEAD, diff_hunk=HUNK, old_path=None,
        old_line=None, reply_to="1399")
    assert comment.commented_line_text == "            tar.extract(member, target)"


def test_github_review_is_its_body_and_commit() -> None:
    review = _only(_read([_review()]))
    assert (review.platform, review.kind, review.id, review.author) == ("github", "review", "2003", "mona")
    assert review.url == f"{WEB}/pull/17#pullrequestreview-2003"
    assert review.body == "Requesting changes: the archive path is not checked."
    assert (review.commit, review.path, review.line, review.side, review.diff_hunk) == (HEAD, None, None, "", "")
    assert review.commented_line_text is None


@pytest.mark.parametrize("body", ["", None, "  \n"])
def test_github_review_without_words_is_left_out(body: str | None) -> None:
    assert _read([_review(body=body, state="APPROVED")]).comments == ()


def test_github_conversation_comment() -> None:
    comment = _only(_read([_issue_comment()]))
    assert (comment.kind, comment.id, comment.author) == ("conversation", "2087651234", "octocat")
    assert comment.url == f"{WEB}/pull/17#issuecomment-2087651234"
    assert comment.body == "Thanks, I will switch to `tarfile.data_filter`."
    assert (comment.path, comment.line, comment.side, comment.commit, comment.reply_to) == (None, None, "", "", "")


def test_github_outdated_comment_has_no_line_but_keeps_its_original() -> None:
    outdated = _review_comment(line=None, position=None, original_line=43, original_position=7,
                               original_commit_id=OLD_HEAD)
    comment = _only(_read([outdated]))
    assert (comment.line, comment.original_line, comment.side) == (None, 43, "RIGHT")
    assert (comment.commit, comment.original_commit) == (HEAD, OLD_HEAD)
    assert comment.commented_line_text == "            tar.extract(member, target)"


def test_github_multi_line_comment() -> None:
    comment = _only(_read([_review_comment(start_line=42, original_start_line=42, start_side="RIGHT")]))
    assert (comment.start_line, comment.line, comment.original_start_line, comment.original_line) == (42, 43, 42, 43)


def test_github_comment_on_a_removed_line_is_on_the_old_side() -> None:
    hunk = HUNK.rsplit("\n", 2)[0]  # the hunk up to the removed `extractall` line
    comment = _only(_read([_review_comment(diff_hunk=hunk, line=40, original_line=40, side="LEFT")]))
    assert (comment.side, comment.line, comment.old_line, comment.original_line) == ("LEFT", None, 40, 40)
    assert comment.commented_line_text == "        tar.extractall(target)"


def test_github_file_comment_is_on_the_file_not_a_line() -> None:
    file_comment = _review_comment(subject_type="file", line=None, original_line=None, side=None,
                                   position=None, original_position=None, diff_hunk="")
    comment = _only(_read([file_comment]))
    assert (comment.path, comment.line, comment.side, comment.commented_line_text) == (
        "backup/restore.py", None, "", None)


def test_github_comment_from_a_server_without_sides_defaults_to_the_new_side() -> None:
    old_server = _review_comment()
    for key in ("line", "original_line", "side", "start_side", "start_line", "original_start_line",
                "subject_type"):
        del old_server[key]
    assert _only(_read([_review_comment(side=None)])).side == "RIGHT"
    comment = _only(_read([old_server]))
    assert (comment.line, comment.side) == (None, "")


def test_github_ghost_user_and_null_body() -> None:
    comment = _only(_read([_issue_comment(user=None, body=None)]))
    assert (comment.author, comment.body) == ("", "")


def test_gitlab_discussions() -> None:
    export = _read(_gitlab_discussions())
    assert export.platforms == ("gitlab",)
    by_id = {c.id: c for c in export.comments}
    assert "1126" not in by_id  # the system note
    assert set(by_id) == {"1128", "1129", "1130", "1131"}

    diff_note = by_id["1128"]
    assert diff_note == PlatformComment(
        platform="gitlab", kind="diff-note", id="1128", author="alice", url="",
        body="This loop still trusts `member.name` (CWE-22).", path="backup/restore.py", line=44,
        start_line=42, side="RIGHT", original_line=None, original_start_line=None,
        commit="4803c71e6b1833ca72b8b26ef2ecd5adc8a38031", original_commit="4803c71e6b1833ca72b8b26ef2ecd5adc8a38031",
        diff_hunk="", old_path="backup/restore.py", old_line=None, reply_to="")
    assert (by_id["1131"].reply_to, by_id["1131"].author, by_id["1131"].kind) == ("1128", "bob", "diff-note")

    removed = by_id["1129"]
    assert (removed.kind, removed.side, removed.line, removed.old_line, removed.start_line) == (
        "diff-note", "LEFT", None, 40, None)

    general = by_id["1130"]
    assert (general.kind, general.path, general.line, general.side, general.commit) == ("note", None, None, "", "")


def test_gitlab_single_line_range_is_not_multi_line() -> None:
    position = _gl_position(44, 41, line_range={
        "start": {"line_code": "a1b2_41_44", "type": None, "old_line": 41, "new_line": 44},
        "end": {"line_code": "a1b2_41_44", "type": None, "old_line": 41, "new_line": 44}})
    comment = _only(_read(_gl_discussion("d1", _gl_note(7, "Unchanged line.", position=position))))
    assert (comment.line, comment.old_line, comment.start_line, comment.side) == (44, 41, None, "RIGHT")


def test_gitlab_image_note_is_on_a_file() -> None:
    position = _gl_position(None, None, position_type="image", new_path="docs/flow.png", old_path="docs/flow.png",
                            width=800, height=600, x=10, y=20)
    comment = _only(_read([_gl_discussion("d2", _gl_note(8, "Arrow points the wrong way.", position=position))]))
    assert (comment.kind, comment.path, comment.line, comment.side) == ("note", "docs/flow.png", None, "")


def test_gitlab_bare_note_from_the_notes_api() -> None:
    comment = _only(_read(_gl_note(9, "LGTM once the traversal is fixed.", note_type=None)))
    assert (comment.platform, comment.kind, comment.id, comment.author) == ("gitlab", "note", "9", "alice")
    assert _read([_gl_note(10, "added 2 commits", note_type=None, system=True)]).comments == ()


# --- what the file holds -------------------------------------------------------------------------


def test_one_object() -> None:
    assert _only(_read(_review_comment())).id == "1404"
    assert _only(_read(_gl_discussion("d3", _gl_note(11, "One thread.", note_type=None)))).id == "11"


def test_empty_list_is_an_empty_export() -> None:
    assert read_export("[]\n", where="comments.json") == CommentExport((), ())
    assert read_export("[] []", where="comments.json").platforms == ()


def test_mixed_github_kinds_in_one_list() -> None:
    export = _read([_issue_comment(), _review_comment(), _review(), _review(2004, body="", state="COMMENTED")])
    assert [(c.kind, c.id) for c in export.comments] == [
        ("review", "2003"), ("review-comment", "1404"), ("conversation", "2087651234")]
    assert export.platforms == ("github",)
    assert export.authors == ("mona", "octocat")


def test_github_and_gitlab_in_one_list() -> None:
    export = _read([*_gitlab_discussions(), _review_comment()])
    assert export.platforms == ("github", "gitlab")
    assert export.comments[0].platform == "github"
    assert export.authors == ("alice", "bob", "mona")


@pytest.mark.parametrize("separator", ["", "\n", "\r\n  "])
def test_paginated_arrays_one_after_the_other(separator: str) -> None:
    first = [_review_comment(1400 + n, line=10 + n) for n in range(3)]
    second = [_review_comment(1403, line=13), _review_comment(1402, line=12)]  # overlaps the first page
    text = json.dumps(first) + separator + json.dumps(second) + "\n"
    assert looks_like_export(text)
    export = read_export(text, where="comments.json")
    assert [c.id for c in export.comments] == ["1400", "1401", "1402", "1403"]


def test_json_lines_of_objects() -> None:
    text = "\n".join(json.dumps(item) for item in (_review(), _issue_comment(), _review_comment()))
    assert [c.kind for c in read_export(text, where="c.jsonl").comments] == [
        "review", "review-comment", "conversation"]


def test_byte_order_mark_is_ignored() -> None:
    text = "\ufeff" + json.dumps([_issue_comment()])
    assert looks_like_export(text)
    assert _only(read_export(text, where="c.json")).kind == "conversation"


# --- telling an export from a review -------------------------------------------------------------


@pytest.mark.parametrize("text", [
    json.dumps([_review_comment()]),
    "  \n" + json.dumps(_review()),
    json.dumps([1]) + json.dumps([2]),
    "[]",
    '{"name": "not comments"}',
])
def test_looks_like_export(text: str) -> None:
    assert looks_like_export(text)


@pytest.mark.parametrize("text", [
    "# Security review\n\nVerdict: **unsafe**. `restore.py:43` extracts without checking paths.\n",
    "[restore.py:43](https://github.com/acme/backup/blob/main/restore.py#L43) extracts without a path check.\n",
    "[1] The archive is trusted.\n[2] It is not.\n",
    "[]: # (hidden)\nA review.",
    "{not json}",
    "[1] 2",
    '[1] "two"',
    "",
    "[" * 100_000,
])
def test_does_not_look_like_export(text: str) -> None:
    assert not looks_like_export(text)


def test_json_that_is_not_comments_is_refused_naming_the_field() -> None:
    text = json.dumps({"name": "crosscheck", "version": "1.0"})
    assert looks_like_export(text)
    with pytest.raises(InputError) as err:
        read_export(text, where="package.json")
    assert str(err.value) == "package.json: item 1 is not a GitHub or GitLab comment: it has no 'body'"


# --- errors --------------------------------------------------------------------------------------


def _gitlab_with(note_index: int, **position: Any) -> list[dict[str, Any]]:
    discussions = _gitlab_discussions()
    discussions[1]["notes"][note_index]["position"].update(position)
    return discussions


@pytest.mark.parametrize(("value", "message"), [
    ([_issue_comment(), _review(), {"id": 3, "user": _user("x")}],
     "item 3 is not a GitHub or GitLab comment: it has no 'body'"),
    ([_review(), _review_comment(path=42)], "item 2 ('path'): expected a string, got 42"),
    ([_review_comment(line="x")], "item 1 ('line'): expected an integer or null, got 'x'"),
    ([_review_comment(line=True)], "item 1 ('line'): expected an integer or null, got true"),
    ([_review_comment(line=0)], "item 1 ('line'): expected a line number (1 or more) or null, got 0"),
    ([_review_comment(line=4.0)], "item 1 ('line'): expected an integer or null, got 4.0"),
    ([_review_comment(id=True)], "item 1 ('id'): expected an integer or string id, got true"),
    ([_review_comment(id=None)], "item 1 ('id'): expected an integer or string id, got null"),
    ([_review_comment(side="MIDDLE")], "item 1 ('side'): expected 'LEFT', 'RIGHT' or null, got 'MIDDLE'"),
    ([_review_comment(subject_type="hunk")], "item 1 ('subject_type'): expected 'line', 'file' or null, got 'hunk'"),
    ([_review_comment(user="mona")], "item 1 ('user'): expected an object or null, got 'mona'"),
    ([_review_comment(user={"login": 7})], "item 1 ('user.login'): expected a string or null, got 7"),
    ([_review_comment(body=["a"])], "item 1 ('body'): expected a string or null, got an array"),
    ([_review_comment(in_reply_to_id=False)], "item 1 ('in_reply_to_id'): expected an integer or string id, got false"),
    ([_review(state=None)], "item 1 ('state'): expected a string, got null"),
    ([{k: v for k, v in _review_comment().items() if k != "path"}], "item 1 has no 'path'"),
    ([{k: v for k, v in _review().items() if k != "id"}], "item 1 has no 'id'"),
    ([_review(), "a comment"], "item 2 is not a GitHub or GitLab comment: it is 'a comment'"),
    ([[_review()]], "item 1 is not a GitHub or GitLab comment: it is an array"),
    ([{"body": "hi", "user": _user("x")}], "item 1 is not a GitHub or GitLab comment: it has a 'body' but none of "
     "'diff_hunk' (review comment), 'state' (review), 'issue_url' (conversation) or 'noteable_type' (GitLab note)"),
    (_gitlab_with(0, new_line="x"), "item 2, note 1 ('position.new_line'): expected an integer or null, got 'x'"),
    (_gitlab_with(1, line_range={"start": {"new_line": -1}}),
     "item 2, note 2 ('position.line_range.start.new_line'): expected a line number (1 or more) or null, got -1"),
    (_gitlab_with(0, position_type="video"),
     "item 2, note 1 ('position.position_type'): expected 'text', 'file', 'image' or null, got 'video'"),
    ([{"id": "d", "individual_note": False, "notes": {"1": {}}}], "item 1 ('notes'): expected an array, got an object"),
    ([{"id": "d", "individual_note": False, "notes": [None]}], "item 1, note 1 is not a GitLab note: it is null"),
    ([_gl_discussion("d", {**_gl_note(1, "x"), "system": "no"})],
     "item 1, note 1 ('system'): expected true or false, got 'no'"),
    ([_gl_discussion("d", {k: v for k, v in _gl_note(1, "x").items() if k != "body"})], "item 1, note 1 has no 'body'"),
    ([_gl_discussion("d", {**_gl_note(1, "x"), "author": {"username": None, "id": 1}},
                     {**_gl_note(2, "y"), "id": ""})],
     "item 1, note 2 ('id'): expected an integer or string id, got ''"),
])
def test_errors_name_the_item_and_the_first_wrong_field(value: Any, message: str) -> None:
    with pytest.raises(InputError) as err:
        _read(value)
    assert str(err.value) == f"comments.json: {message}"


@pytest.mark.parametrize(("text", "message"), [
    ("", "comments.json: is empty; expected the JSON a GitHub or GitLab comments API returns"),
    ("  \n", "comments.json: is empty; expected the JSON a GitHub or GitLab comments API returns"),
    ('[{"id": 1,}]',
     "comments.json: not valid JSON: Expecting property name enclosed in double quotes at line 1 column 11"),
    ('[]\n[{"id": 1', "comments.json: not valid JSON: Expecting ',' delimiter at line 2 column 10"),
    ("42", "comments.json: the JSON is 42; expected an array or object of comments"),
    ('[] "x"', "comments.json: JSON value 2 is 'x'; expected an array or object of comments"),
    ("[" * 100_000, "comments.json: not a comments export: its JSON is nested too deeply"),
])
def test_unreadable_json(text: str, message: str) -> None:
    with pytest.raises(InputError) as err:
        read_export(text, where="comments.json")
    assert str(err.value) == message


def test_long_values_are_shortened_in_errors() -> None:
    with pytest.raises(InputError) as err:
        _read([_review_comment(line="x" * 500)])
    assert len(str(err.value)) < 150 and str(err.value).endswith("...")


# --- merging, filtering, order -------------------------------------------------------------------


def test_merge_exports_keeps_each_comment_once() -> None:
    github = _read([_review(), _review_comment(), _issue_comment()])
    gitlab = _read(_gitlab_discussions())
    again = _read([_review_comment()])
    merged = merge_exports([gitlab, github, again])
    assert merged == merge_exports([github, gitlab])
    assert len(merged.comments) == 3 + 4
    assert merged.platforms == ("github", "gitlab")
    assert merge_exports([]) == CommentExport()


def test_merge_keeps_the_first_copy_of_an_edited_comment() -> None:
    first = _read([_review_comment(body="first words")])
    edited = _read([_review_comment(body="edited words")])
    assert _only(merge_exports([first, edited])).body == "first words"


def test_by_author() -> None:
    export = _read([*_gitlab_discussions(), _review(), _review_comment(), _issue_comment()])
    assert export.authors == ("alice", "bob", "mona", "octocat")
    bob = export.by_author("bob")
    assert [c.id for c in bob.comments] == ["1131"]
    assert bob.platforms == ("gitlab",)
    assert [c.kind for c in export.by_author("Mona").comments] == ["review", "review-comment"]
    assert export.by_author("nobody") == CommentExport()


def test_order_is_platform_kind_path_line_id() -> None:
    items = [
        _review_comment(9, path="b.py", line=1), _review_comment(10, path="a.py", line=20),
        _review_comment(11, path="a.py", line=3), _review_comment(2, path="a.py", line=3),
        _review_comment(12, path="a.py", line=None, original_line=5), _issue_comment(100), _issue_comment(20),
        _review(7), *_gitlab_discussions(),
    ]
    expected = [("github", "review", "7"), ("github", "review-comment", "12"), ("github", "review-comment", "2"),
                ("github", "review-comment", "11"), ("github", "review-comment", "10"),
                ("github", "review-comment", "9"), ("github", "conversation", "20"),
                ("github", "conversation", "100"), ("gitlab", "diff-note", "1129"), ("gitlab", "diff-note", "1128"),
                ("gitlab", "diff-note", "1131"), ("gitlab", "note", "1130")]
    shuffled = copy.deepcopy(items)
    for seed in range(5):
        random.Random(seed).shuffle(shuffled)
        assert [(c.platform, c.kind, c.id) for c in _read(shuffled).comments] == expected


def test_string_ids_sort_after_numbers() -> None:
    export = _read([_issue_comment("IC_b"), _issue_comment(5), _issue_comment("IC_a"), _issue_comment(40)])
    assert [c.id for c in export.comments] == ["5", "40", "IC_a", "IC_b"]


# --- the commented line --------------------------------------------------------------------------


@pytest.mark.parametrize(("hunk", "text"), [
    (HUNK, "            tar.extract(member, target)"),
    (HUNK + "\n", "            tar.extract(member, target)"),
    (HUNK.replace("\n", "\r\n"), "            tar.extract(member, target)"),
    ("@@ -1,3 +1,3 @@\n import os\n-x = 1\n+x = eval(data)", "x = eval(data)"),
    ("@@ -10,2 +10,2 @@ def f():\n     return run(cmd)\n-    # TODO", "    # TODO"),
    ("@@ -1,3 +1,3 @@\n import os\n-x = 1\n+x = eval(data)\n\\ No newline at end of file", None),
    ("@@ -1,3 +1,4 @@\n import os\n+\n+    ", None),
    ("@@ -1,3 +1,4 @@", None),
    ("", None),
])
def test_commented_line_text(hunk: str, text: str | None) -> None:
    comment = PlatformComment("github", "review-comment", "1", "mona", "", "", diff_hunk=hunk)
    assert comment.commented_line_text == text


# --- any JSON: comments or one clear error -------------------------------------------------------

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.floats(allow_nan=False) | st.sampled_from(
        ["", "x", "LEFT", "RIGHT", "text", "file", "DiffNote"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(
        ["id", "body", "user", "login", "path", "line", "side", "diff_hunk", "state", "issue_url", "notes",
         "position", "new_line", "old_line", "line_range", "start", "system", "author", "username",
         "noteable_type", "in_reply_to_id", "subject_type", "position_type"]), inner, max_size=6),
    max_leaves=25)


@settings(max_examples=300, deadline=None)
@given(_JSON)
def test_any_json_reads_or_fails_with_one_input_error(value: Any) -> None:
    text = json.dumps(value)
    try:
        export = read_export(text, where="x.json")
    except InputError as err:
        assert str(err).startswith("x.json: ") and "\n" not in str(err)
    else:
        assert looks_like_export(text)
        assert export == merge_exports([export, export])
