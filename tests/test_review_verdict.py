"""The overall verdict: the stock phrase, its paraphrases, and what is not a verdict."""

import pytest

from crosscheck.review.model import StatedVerdict
from crosscheck.review.verdict import find_verdicts, is_verdict_only, stated_verdict


@pytest.mark.parametrize("text", [
    "No security defects are detected in the code.",
    "**No security defects are detected in the code**.",
    "```No security defects are detected in the code```",
    "After review, no explicit security defects directly related to SQL injection, XSS, etc., are evident.",
    "I did not find direct security vulnerabilities in this snippet.",
    "I found no indications of security defects.",
    "There are no immediately apparent security defects.",
    "Overall, while no explicit security defects are found, keep reviewing.",
])
def test_no_defects_paraphrases(text):
    assert stated_verdict(find_verdicts(text)) is StatedVerdict.NO_DEFECTS


@pytest.mark.parametrize("text", [
    "I found the following security vulnerabilities in the code:",
    "Security defects detected:\n1. SQL injection",
    "The code contains several security vulnerabilities.",
    "We identified 3 security issues.",
])
def test_defects_found(text):
    assert stated_verdict(find_verdicts(text)) is StatedVerdict.DEFECTS


@pytest.mark.parametrize("text", [
    "",
    "The absence of detectable defects does not equate to a claim that the software is free from vulnerabilities.",
    "The code sets up a test environment.",
    "Ensure that no security defects are introduced later by reviewing changes.",
])
def test_no_verdict(text):
    assert stated_verdict(find_verdicts(text)) is StatedVerdict.UNCLEAR


def test_evidence_records_line_and_sentence():
    evidence = find_verdicts("Intro.\n\nIn conclusion: No security defects are detected in the code.")
    assert [(e.stated, e.line) for e in evidence] == [(StatedVerdict.NO_DEFECTS, 3)]
    assert "No security defects are detected" in evidence[0].text


def test_verdict_only_blocks():
    assert is_verdict_only("**No security defects are detected in the code**.")
    assert not is_verdict_only("No security defects are detected in the code. However, line 40 uses eval on input.")
