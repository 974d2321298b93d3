"""Splitting reviews into claims: lists, sub-bullets, headings, run-in titles, paragraphs."""

from crosscheck.review.blocks import split_blocks


def test_numbered_items_with_unindented_continuation():
    text = "Intro line.\n1. First title:\nIn line 4, something.\n2. Second:\nMore text.\n\nClosing paragraph."
    blocks = split_blocks(text)
    assert [(b.start_line, b.end_line, b.is_item) for b in blocks] == [(1, 1, False), (2, 3, True), (4, 5, True),
                                                                       (7, 7, False)]
    assert blocks[1].title == "First title"


def test_sub_bullets_belong_to_their_item():
    text = "1. **Error Handling:**\n   - exceptions are caught\n   - and logged\n2. **Other:**\n   - x"
    blocks = split_blocks(text)
    assert len(blocks) == 2
    assert blocks[0].title == "Error Handling"
    assert "and logged" in blocks[0].text


def test_heading_collects_following_paragraph():
    text = "## SQL Injection\n\nThe query at line 3 is built with %.\n\n## Summary\n\nAll good."
    blocks = split_blocks(text)
    assert [b.title for b in blocks] == ["SQL Injection", "Summary"]
    assert blocks[0].start_line == 1 and blocks[0].end_line == 3


def test_bullets_and_paragraphs_are_separate_claims():
    text = "Para one\ncontinues.\n\n- bullet a\n- bullet b\n\nPara two."
    blocks = split_blocks(text)
    assert [b.text for b in blocks] == ["Para one\ncontinues.", "bullet a", "bullet b", "Para two."]


def test_code_fence_stays_inside_its_item():
    text = "1. Bad call:\n   ```python\n   eval(x)\n\n   ```\n2. Next"
    blocks = split_blocks(text)
    assert len(blocks) == 2
    assert "eval(x)" in blocks[0].text


def test_empty_and_whitespace_reviews_have_no_blocks():
    assert split_blocks("") == ()
    assert split_blocks("  \n\t\n") == ()
