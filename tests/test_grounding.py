"""Grounding citations in code with libcst, and the plain-text fallback."""

from __future__ import annotations

import hashlib

from crosscheck.grounding.ground import ground
from crosscheck.grounding.index import build_index
from crosscheck.grounding.model import Status
from crosscheck.models import CodeTarget, SourceFile
from crosscheck.review import StatedVerdict, read_review
from crosscheck.review.model import Citation, CitationKind, CitationRole, Claim, ClaimKind, Hedge, Review

CODE = '''"""Module docstring mentioning os.system(cmd) as an example."""
import os
from acme.db import api as db_api


def handler(request, cmd):
    # os.system(cmd)
    result = db_api.instance_get(
        request.context,
        request.id,
    )
    return result


def other():
    value = compute_value()
    return value
'''


def _target(text: str = CODE, name: str = "mod.py") -> CodeTarget:
    source = SourceFile(path=name, abspath=f"/nonexistent/{name}", sha256=hashlib.sha256(text.encode()).hexdigest(),
                        text=text)
    return CodeTarget(root=f"/nonexistent/{name}", is_dir=False, files=(source,))


def _statuses(review: str, text: str = CODE):
    grounded = ground(read_review(review), _target(text))
    return [(g.citation.code, g.status, g.actual_line) for c in grounded.claims for g in c.groundings]


def test_exact_on_the_cited_line():
    assert _statuses("- In line 16, `value = compute_value()` is called.") == [
        ("value = compute_value()", Status.EXACT, 16)]


def test_any_line_of_a_multiline_statement_counts():
    assert _statuses("- Line 10 holds `db_api.instance_get(`.")[0][1] is Status.EXACT


def test_near_and_moved():
    assert _statuses("- In line 14, `value = compute_value()`.")[0][1:] == (Status.NEAR, 16)
    assert _statuses("- In line 2, `value = compute_value()`.")[0][1:] == (Status.MOVED, 16)


def test_absent_code_and_absent_line():
    assert _statuses("- In line 5, `pickle.loads(x)`.")[0][1:] == (Status.ABSENT, None)
    assert _statuses("- Line 400 is dangerous.")[0][1:] == (Status.ABSENT, None)
    assert _statuses("- Line 0 is dangerous.")[0][1:] == (Status.ABSENT, None)


def test_line_only_citation_is_unchecked():
    assert _statuses("- Line 6 is dangerous.")[0][1] is Status.UNCHECKED


def test_code_only_in_a_comment_or_docstring():
    assert _statuses("- `os.system(cmd)` runs a shell.")[0][1:] == (Status.COMMENT, 1)
    assert _statuses("- On line 7, `os.system(cmd)` runs a shell.")[0][1:] == (Status.COMMENT, 7)


def test_whitespace_and_quote_insensitive():
    text = 'x = call( "a",  b )\n'
    assert _statuses("- `x = call('a', b)` on line 1.", text)[0][1] is Status.EXACT


def test_fuzzy_match_reports_its_score():
    grounded = ground(read_review("- In line 8, `result = db_api.instance_get(request.context, request.ids)`."),
                      _target())
    g = grounded.claims[0].groundings[0]
    assert g.status is Status.EXACT
    assert g.score is not None and 90 <= g.score < 100


def test_fuzzy_matches_that_tie_all_count_and_the_closest_wins():
    # The same line twice, quoted with one typo: both copies score the same, and the one
    # at the cited line is where the quote is (an equal score is not lost to a cutoff).
    line = "payload = serializer.decode_request_body(request.body)\n"
    text = line + "pass\n" * 30 + line
    quote = "payload = serializer.decode_request_bodyy(request.body)"
    assert _statuses(f"- On line 32, `{quote}`.", text)[0][1:] == (Status.EXACT, 32)
    assert _statuses(f"- On line 1, `{quote}`.", text)[0][1:] == (Status.EXACT, 1)


def test_dotted_names_resolve_through_import_aliases():
    found = _statuses("- The code uses acme.db.api and acme.db.api.instance_get() and HypervisorUnavailable.")
    assert found[0][:2] == ("acme.db.api", Status.EXACT)
    assert found[1][:2] == ("acme.db.api.instance_get()", Status.EXACT)
    assert found[2][:2] == ("HypervisorUnavailable", Status.ABSENT)


def test_closest_occurrence_to_the_cited_line():
    text = "a = f()\n" + "pass\n" * 20 + "a = f()\n"
    assert _statuses("- line 20: `a = f()`.", text)[0][1:] == (Status.NEAR, 22)


def test_text_fallback_for_python2():
    text = 'import os\nprint "x"\nos.system("ls")\n'
    index = build_index(_target(text).files[0])
    assert index.parser == "text" and index.parse_error
    assert _statuses('- On line 3, `os.system("ls")` runs a command.', text)[0][1] is Status.EXACT


def test_revision_drift_is_reported():
    text = "\n" * 10 + "a = 1\nb = 2\nc = 3\n"
    grounded = ground(read_review("- line 1: `a = 1`\n- line 2: `b = 2`\n- line 3: `c = 3`"), _target(text))
    assert any("revision drift" in note and "+10" in note for note in grounded.notes)


def test_a_path_line_citation_is_checked_in_its_file_and_never_makes_code_of_its_path():
    assert _statuses("- `mod.py:16`: `value = compute_value()` is called.") == [
        ("value = compute_value()", Status.EXACT, 16), ("mod.py", Status.EXACT, None)]
    assert [s[1] for s in _statuses("- In `mod.py:400` the value is unchecked.")] == [Status.ABSENT, Status.EXACT]


def test_a_permalink_path_from_the_repository_root_finds_the_file_of_a_subfolder():
    files = tuple(SourceFile(path=name, abspath=f"/nonexistent/{name}", sha256=hashlib.sha256(CODE.encode()).hexdigest(),
                             text=CODE) for name in ("pkg/mod.py", "other.py"))
    target = CodeTarget(root="/nonexistent", is_dir=True, files=files)
    review = "- https://github.com/acme/shop/blob/0123abcd/src/pkg/mod.py#L16 calls `value = compute_value()`."
    grounded = ground(read_review(review), target)
    [anchor] = [g for c in grounded.claims for g in c.groundings if g.citation.line]
    assert (anchor.status, anchor.path, anchor.actual_line) == (Status.EXACT, "pkg/mod.py", 16)


def test_a_diff_is_grounded_by_its_old_lines_and_its_fix_cannot_make_the_claim_ungrounded():
    from test_review_citations import DIFF_REVIEW

    grounded = ground(read_review("- " + DIFF_REVIEW.replace("\n", "\n  ")), _target())
    [claim] = grounded.claims
    assert [(g.citation.role.value, g.status, g.actual_line) for g in claim.groundings] == [
        ("anchor", Status.EXACT, 15), ("suggestion", Status.ABSENT, None)]
    assert [g.status for g in claim.anchors] == [Status.EXACT]


def test_a_quote_of_words_apart_is_found_in_a_folder_of_files_without_them():
    # a file is passed over, before it is indexed, only when it lacks a word of the quote; the quote's
    # words are those written, not the needle's (spaces removed: 'returna' is in no file); the quote is
    # too short for the fuzzy search to find it any other way
    mod = SourceFile(path="mod.py", abspath="/nonexistent/mod.py", sha256="1", text="def f(a):\n    return a\n")
    other = SourceFile(path="b.py", abspath="/nonexistent/b.py", sha256="0", text="X = 1\n")
    folder = CodeTarget(root="/nonexistent", is_dir=True, files=(mod, other))
    quote = Citation(CitationKind.CODE, CitationRole.ANCHOR, None, None, "return a", None, 1)
    claim = Claim("C1", "", "`return a` hands back the input.", 1, 1, ClaimKind.CONTEXT, Hedge.NONE, (), (quote,))
    grounded = ground(Review(StatedVerdict.UNCLEAR, (), (claim,), 1), folder)
    (g,) = grounded.claims[0].groundings
    assert (g.status, g.path, g.actual_line) == (Status.EXACT, "mod.py", 2)
    assert [f.path for f in grounded.files] == ["mod.py"]  # b.py was never indexed
