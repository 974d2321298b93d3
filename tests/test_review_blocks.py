"""Splitting reviews into claims: lists, sub-bullets, headings, run-in titles, paragraphs."""

import pytest

from conftest import growth
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


# The shapes below are those of review bots' comments: CodeRabbit wraps its tool output, its
# committable suggestion and its prompt for agents in collapsed <details> blocks under the finding.
BOT_COMMENT = """_⚠️ Potential issue_ | _🟠 Major_

**Command injection through the shell.**

`run(cmd)` passes user text to `subprocess.run(..., shell=True)`.

<details>
<summary>🧰 Tools</summary>

<details>
<summary>🪛 Ruff (0.8.0)</summary>

12-12: `subprocess` call with `shell=True` identified, security issue (S602)

</details>

</details>

<details>
<summary>🧩 Analysis chain</summary>

```shell
rg -n "shell=True" --type py
```

</details>

<!-- fingerprinting:phantom:medusa -->
"""


def test_collapsed_details_belong_to_the_finding_above_them():
    blocks = split_blocks(BOT_COMMENT)
    assert [b.start_line for b in blocks] == [1]  # the badge line heads the titled finding
    finding = blocks[-1]
    assert "(S602)" in finding.text  # the tool's line is evidence the finding cites
    assert finding.end_line == 26


def test_a_script_the_bot_ran_is_not_part_of_its_claim():
    finding = split_blocks(BOT_COMMENT)[-1]
    assert 'rg -n' not in finding.text


def test_a_suggestion_inside_details_stays_with_its_claim():
    text = ("Hard-coded secret at line 3.\n\n<details>\n<summary>📝 Committable suggestion</summary>\n\n"
            "```suggestion\nTOKEN = os.environ['TOKEN']\n```\n\n</details>\n")
    (block,) = split_blocks(text)
    assert "```suggestion" in block.text and block.end_line == 10


def test_blank_lines_inside_a_block_keep_its_lines_countable():
    text = "## SQL injection\n\nThe query\n\nat line 3 is built with %.\n"
    (block,) = split_blocks(text)
    lines = block.text.split("\n")
    assert lines[0] == "SQL injection" and lines[4].startswith("at line 3")


def test_a_rule_ends_a_section_and_a_setext_heading_starts_one():
    text = "Findings\n========\n\nshell=True at line 4.\n\n---\n\nThanks for the PR."
    blocks = split_blocks(text)
    assert [(b.title, b.start_line, b.end_line) for b in blocks] == [("Findings", 1, 4), ("", 8, 8)]


def test_bullet_characters_start_items_like_list_markers():
    text = "Issues:\n• eval on line 3\n• pickle on line 9"
    assert [b.text for b in split_blocks(text)] == ["Issues:", "eval on line 3", "pickle on line 9"]


@pytest.mark.parametrize("make", [
    lambda n: "- a `x()` line 3\n" * n,
    lambda n: "|a|b|\n|-|-|\n" + "|x|y|\n" * n,
    lambda n: "- " * n + "x",
    lambda n: "<details>\n" * n,
    lambda n: "```\n" * n,
    lambda n: "> a\n" * n,
    lambda n: "# " + "#" * n,
], ids=["items", "table-rows", "nested-items", "details", "fences", "quotes", "heading-marks"])
def test_splitting_stays_linear(make):
    assert growth(split_blocks, make, 2_000) < 12
