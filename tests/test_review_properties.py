"""Property tests: the review reader and citation parser take any text without failing, and the HTML
report keeps any review, code and analyzer text inert. ``tox -e fuzz`` runs the reader on many more
examples (``CROSSCHECK_FUZZ_EXAMPLES``); the normal suite skips that run."""

from __future__ import annotations

import codecs
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_format_html import check_page

from crosscheck.errors import InputError
from crosscheck.formats.html_format import render
from crosscheck.load.code import ReviewText, decode_review, sha256_bytes
from crosscheck.models import AnalyzerRun, CodeTarget, Confidence, Finding, Options, RunStatus, Severity, SourceFile
from crosscheck.review import read_review
from crosscheck.review.citations import MAX_LINE, extract
from crosscheck.run import pipeline

MARKDOWNISH = st.lists(
    st.one_of(
        st.text(max_size=80),
        st.sampled_from(["1. ", "- ", "## ", "**Title:** ", "```", "`x = y()`", "line 40", "lines 3-7", "L12",
                         "No security defects are detected in the code.", "\n", "\n\n", "line 99999999999999",
                         "| 6 | x |\n", "|---|---|\n", "\r\n", "1000. ", "line 0", "line -5"]),
    ),
    max_size=30,
).map("".join)
HOSTILE = st.sampled_from(["<script>alert(1)</script>", "<zz onload=alert(1)>", '"><zz>', "</textarea>", "<!--",
                           "]]>", "\x1b[31m", "\x1b]0;x\x07", "\x00", "&amp;", "{{ x }}", "{% if x %}", "\ud800",
                           "javascript:alert(1)", "line 1", "`os.system(cmd)`"])
UNTRUSTED = st.lists(st.one_of(MARKDOWNISH, HOSTILE), max_size=8).map("".join)
FUZZ_EXAMPLES = int(os.environ.get("CROSSCHECK_FUZZ_EXAMPLES", "0"))


def assert_claims_inside(text: str) -> None:
    review = read_review(text)
    lines = max(1, len(text.splitlines()))
    for claim in review.claims:
        assert 1 <= claim.start_line <= claim.end_line <= lines
        assert claim.id.startswith("C")
        for citation in claim.citations:
            assert 1 <= citation.review_line
            if citation.line is not None:
                assert 0 <= citation.line <= (citation.end_line or citation.line) <= MAX_LINE


@pytest.mark.case("prop-review-reader")
@settings(max_examples=300, deadline=None)
@given(MARKDOWNISH)
def test_reader_never_fails_and_spans_are_inside_the_review(text):
    assert_claims_inside(text)


@pytest.mark.case("prop-citation-parser")
@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.integers(min_value=1, max_value=10_000))
def test_citations_never_fail(text, first_line):
    for citation in extract(text, first_line):
        assert citation.review_line >= first_line


def _report(review: str, code: str, message: str):
    """The report on ``review`` about ``code``, with one analyzer finding whose message is ``message``."""
    data = code.encode("utf-8", "surrogatepass")
    source = SourceFile("app.py", "/nonexistent/app.py", sha256_bytes(data), data.decode("utf-8", "replace"))
    target = CodeTarget(root="/nonexistent/app.py", is_dir=False, files=(source,))
    finding = Finding("bandit", "B602", (78,), Severity.HIGH, Confidence.HIGH, "app.py", 1, 1, message,
                      source.lines[0] if source.lines else "", "f" * 32)
    text = ReviewText("review.md", sha256_bytes(review.encode("utf-8", "surrogatepass")), review, "utf-8")
    prepared = pipeline.prepare(target, text, "app.py")
    return pipeline.conclude(prepared, (AnalyzerRun("bandit", "1.0", RunStatus.OK, (finding,)),), Options())


@pytest.mark.case("prop-html-formatter")
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(UNTRUSTED, UNTRUSTED, UNTRUSTED)
def test_the_html_report_keeps_any_text_inert(review, code, message):
    report = _report(review, code, message)
    html = render(report)
    page = check_page(html, report)  # well formed, one script (ours), links resolve, nothing loaded
    assert not page.tags("zz") and not page.tags("textarea")
    assert not [a for _, a in page.elements if any(k.startswith("on") for k in a)]
    assert "\x1b" not in html and "\x00" not in html and "\x07" not in html
    html.encode("utf-8")  # no lone surrogate left


@pytest.mark.case("fuzz-review-reader")
@pytest.mark.skipif(not FUZZ_EXAMPLES, reason="the fuzz run: tox -e fuzz (sets CROSSCHECK_FUZZ_EXAMPLES)")
@settings(max_examples=max(FUZZ_EXAMPLES, 1), deadline=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(
    st.binary(max_size=4000),
    MARKDOWNISH.map(lambda text: text.encode("utf-8", "surrogatepass")),
    MARKDOWNISH.map(lambda text: codecs.BOM_UTF16_LE + text.encode("utf-16-le", "surrogatepass")),
    UNTRUSTED.map(lambda text: text.encode("cp1252", "replace")),
))
def test_fuzz_the_review_reader(data):
    try:
        text, _ = decode_review(data)
    except InputError:
        assert b"\x00" in data  # the one refusal: NUL bytes without a UTF-16 BOM
        return
    assert_claims_inside(text)
