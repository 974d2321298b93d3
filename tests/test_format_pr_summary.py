"""The ``pr-summary`` format: a job summary of a pull request's review that a hostile comment cannot inject
into, and that stays under GitHub's 1 MiB however many items there are; the default formats are unchanged."""

from __future__ import annotations

import dataclasses
import re
import shutil

import pytest
import test_format_github
from test_format_github import WEB

from crosscheck import formats
from crosscheck.formats import pr_summary_format, render
from crosscheck.formats.pr_summary_format import BUDGET, MAX_BYTES, link, shares
from crosscheck.results.report import Report

report = test_format_github.report
"""The report on the pull request of :mod:`test_format_github`, shared by the three formats' tests."""
in_repo = test_format_github.in_repo

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")
_LINK = re.compile(r"(?<!\\)\[([^\]]*)(?<!\\)\]\(([^)]*)\)")


def test_the_summary_lists_what_needs_attention_with_its_comment(report, in_repo):
    out = render(report, "pr-summary")
    assert out.startswith("### crosscheck: the review of the change from `main` \u2192 `")
    lines = out.splitlines()
    assert lines[2].startswith("**1 of ") and "cites code that is not there \u00b7 1 assurance contradicted" in lines[2]
    assert lines[4].startswith("**Verdict:** stated defects \u2192 **consistent**")  # after what is wrong
    assert "| contradicted claims | 1 |" in out and "| findings missed on the change | 4 of 10 |" in out
    assert "| outside the change (left out) | 1 claims, 3 findings |" in out
    headings = [line for line in out.splitlines() if line.startswith("#### ")]
    assert headings == ["#### Contradicted claims (1)", "#### Ungrounded claims (1)",
                        "#### Findings missed on the change (4)", "#### Stale comments (1)"]
    c4 = next(line for line in out.splitlines() if line.startswith("- **C4**"))
    assert c4.startswith("- **C4** `app/run.py:17` \u00b7 No weak hashing")
    assert c4.endswith(f"[comment]({WEB}#discussion_r12) by mona")
    assert "- **F9** `app/we,ird:name.py:2` \u00b7 bandit `B307` (medium, CWE-78)" in out
    assert f"- [comment]({WEB}#discussion_r15) by mona: made on `app/run.py` line 9" in out
    assert "**F2**" not in out and "**C2**" not in out  # outside the change
    assert render(report, "pr-summary") == out


def test_a_hostile_comment_cannot_inject_html_links_or_table_cells(report, in_repo):
    out = render(report, "pr-summary")
    assert "<" not in out and ">" not in out.replace("\u2192", "")  # no raw HTML at all
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert not re.search(r"(?<!\\)\]\(javascript", out) and "\\](javascript\\:alert(1))" in out
    links = _LINK.findall(out)
    assert links and all(label == "comment" and url.startswith(f"{WEB}#discussion_r") for label, url in links)
    table = [line for line in out.splitlines() if line.startswith("|")]
    assert len(table) == 10 and all(len(_UNESCAPED_PIPE.findall(line)) == 3 for line in table)
    assert not [line for line in out.splitlines() if not line.startswith("|") and _UNESCAPED_PIPE.search(line)]
    c6 = next(line for line in out.splitlines() if line.startswith("- **C6**"))
    assert "input \\| col" in c6 and "@" not in c6.replace(f"{WEB}", "")


def test_only_a_plain_http_address_becomes_a_link():
    assert link("comment", "https://github.com/o/r/pull/1#discussion_r2") == \
        "[comment](https://github.com/o/r/pull/1#discussion_r2)"
    assert link("comment", "javascript:alert(1)//https://github.com") == "javascript\\:alert(1)//https\\://github\\.com"
    assert "](" not in link("comment", "https://github.com@evil.example/")  # a user part could pass for the host
    assert link("comment", "https://github.com/x)[y](z <b> `|`") == \
        "[comment](https://github.com/x%29%5By%5D%28z%20%3Cb%3E%20%60%7C%60)"
    assert link("comment", "gitlab note 17") == "gitlab note 17"


def _crowded(report: Report, findings: int, claims: int) -> Report:
    """``report`` with ``findings`` more copies of a missed finding and ``claims`` more of an ungrounded claim,
    each with long text."""
    rec = report.reconciliation
    missed = next(f for f in rec.findings if f.finding.rule_id == "B324")
    ungrounded = next(c for c in rec.claims if c.outcome.value == "ungrounded")
    more_findings = tuple(dataclasses.replace(missed, id=f"F{100 + n}", finding=dataclasses.replace(
        missed.finding, line=100 + n, end_line=100 + n, message=f"weak hash number {n} " + "x" * 1000))
        for n in range(findings))
    more_claims = tuple(dataclasses.replace(ungrounded, grounded=dataclasses.replace(
        ungrounded.grounded, claim=dataclasses.replace(ungrounded.grounded.claim, id=f"C{100 + n}",
                                                       text="<b>|</b> " * 500)))
        for n in range(claims))
    return dataclasses.replace(report, reconciliation=dataclasses.replace(
        rec, findings=rec.findings + more_findings, claims=rec.claims + more_claims))


def test_the_summary_stays_under_a_mebibyte_in_whole_lines(report, in_repo, monkeypatch):
    crowded = _crowded(report, findings=8_000, claims=3_000)
    out = render(crowded, "pr-summary")
    assert len(out.encode("utf-8")) <= BUDGET < MAX_BYTES == 2**20
    lines = out.splitlines()
    assert "#### Ungrounded claims (3001)" in lines and "#### Findings missed on the change (8004)" in lines
    assert "#### Stale comments (1)" in lines  # a short list is shown whole, the long ones share the rest
    cut = [int(m[1]) for m in re.finditer(r"^- \u2026 (\d+) more not shown$", out, re.MULTILINE)]
    claims, findings = (sum(1 for line in lines if line.startswith(start)) for start in ("- **C", "- **F"))
    assert cut == [3_001 - (claims - 1), 8_004 - findings]  # the contradicted C4 is not in the cut list
    sizes = [sum(len(line) + 1 for line in lines if line.startswith(start)) for start in ("- **C", "- **F")]
    assert abs(sizes[0] - sizes[1]) < 2_000  # an even split

    monkeypatch.setattr(pr_summary_format, "BUDGET", 10**9)  # the whole summary: every capped line is in it
    whole = set(render(crowded, "pr-summary").splitlines())
    assert all(line in whole for line in lines if not line.endswith("more not shown"))


def test_the_room_is_shared_evenly_and_short_lists_leave_theirs_to_the_others():
    assert shares([100, 10_000, 50], 1_000) == [100, 850, 50]
    assert shares([900, 900], 1_000) == [500, 500]
    assert shares([], 1_000) == []


def test_the_default_formats_are_unchanged():
    assert formats.defaults() == ("text", "json", "sarif", "junit", "markdown", "html")
    for name in ("github", "gitlab", "pr-summary"):
        assert name in formats.names() and not formats.load(name).default
