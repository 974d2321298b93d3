"""The overall verdict: the stock phrase, its paraphrases, and what is not a verdict."""

import pytest

from conftest import growth
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


# Reviews by bots and CLI tools often state no verdict sentence: their findings sit under severity badges,
# labels and headings (CodeRabbit's "_⚠️ Potential issue_ | _🟠 Major_", Gemini Code Assist's severity badges,
# Jules' "**Severity:** High" fields, scanner-style "### CRITICAL: ..." headings). Wording here is made up.
@pytest.mark.parametrize("text", [
    "_⚠️ Potential issue_ | _🟠 Major_\n\n**Command injection via shell=True.** The handler passes input to a shell.",
    "![high](https://example.com/high.svg)\n\n**High Severity**\n\nThe token is written to the log.",
    "🚨 Severity: HIGH\nThe query is built from request data.",
    "**Vulnerability:** unpickling uploaded data\n**Severity:** CRITICAL\n**Fix:** use JSON.",
    "- [critical] `eval()` of request data in `handle()`",
    "### CRITICAL: SQL injection (Lines 10-24)\nThe query concatenates `name`.",
    "## [Security] Command injection in `run_job`\n\nThe job name reaches a shell.",
    "## 🔴 Critical Issues\n\n1. `eval(data)` at line 4 runs request data.\n",
])
def test_severity_markup_states_defects_without_a_verdict_sentence(text):
    assert stated_verdict(find_verdicts(text)) is StatedVerdict.DEFECTS


@pytest.mark.parametrize("text, expected", [
    ("## 🔴 Critical Issues\n\n*(None)*\n\n## Suggestions\n- Add docstrings.", StatedVerdict.UNCLEAR),
    ("### Critical issues\nNo issues found.\n", StatedVerdict.UNCLEAR),
    ("There are no high severity issues here. The code is secure.", StatedVerdict.NO_DEFECTS),
    ("The tool reports severity levels (critical, high) in its output.", StatedVerdict.UNCLEAR),
])
def test_empty_tiers_and_mentions_of_severity_state_no_defects(text, expected):
    assert stated_verdict(find_verdicts(text)) is expected


def test_the_markup_patterns_stay_linear_on_long_runs():
    assert growth(find_verdicts, lambda n: "severity" + " " * n + "x\n## " + "critical " * (n // 9), 50_000) < 12


@pytest.mark.parametrize(("text", "expected"), [
    # a local remark about one function, then a closing verdict that it does not change
    ("`load_config` looks fine; I found no security issues there.\n\n1. `run()` passes input to a shell.\n\n"
     "In conclusion, the code contains a command injection vulnerability.", StatedVerdict.DEFECTS),
    ("`run()` is vulnerable to command injection.\n\nOverall: no security issues were found in the rest "
     "of the module.", StatedVerdict.NO_DEFECTS),
    # a heading that states the verdict is not a section of findings
    ("## Verdict: No security issues detected\n\nThe queries are parameterised.", StatedVerdict.NO_DEFECTS),
])
def test_a_concluding_sentence_outranks_local_remarks(text, expected):
    assert stated_verdict(find_verdicts(text)) is expected


@pytest.mark.parametrize("badge", [
    "**<sub><sub>![P1 Badge](https://img.shields.io/badge/P1-orange?style=flat)</sub></sub>  Escape the name**",
    '<img src="https://img.shields.io/badge/High-634FD1?style=flat-square" height="20px" alt="Action required">',
])
def test_priority_badges_of_codex_and_qodo_state_defects(badge):
    assert stated_verdict(find_verdicts(badge + "\n\nThe name reaches the shell unquoted.")) is StatedVerdict.DEFECTS
