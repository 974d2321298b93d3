"""Property tests: the review reader and citation parser take any text without failing."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from crosscheck.review import read_review
from crosscheck.review.citations import MAX_LINE, extract

MARKDOWNISH = st.lists(
    st.one_of(
        st.text(max_size=80),
        st.sampled_from(["1. ", "- ", "## ", "**Title:** ", "```", "`x = y()`", "line 40", "lines 3-7", "L12",
                         "No security defects are detected in the code.", "\n", "\n\n", "line 99999999999999"]),
    ),
    max_size=30,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(MARKDOWNISH)
def test_reader_never_fails_and_spans_are_inside_the_review(text):
    review = read_review(text)
    lines = max(1, len(text.splitlines()))
    for claim in review.claims:
        assert 1 <= claim.start_line <= claim.end_line <= lines
        assert claim.id.startswith("C")
        for citation in claim.citations:
            assert 1 <= citation.review_line
            if citation.line is not None:
                assert 0 <= citation.line <= (citation.end_line or citation.line) <= MAX_LINE


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.integers(min_value=1, max_value=10_000))
def test_citations_never_fail(text, first_line):
    for citation in extract(text, first_line):
        assert citation.review_line >= first_line
