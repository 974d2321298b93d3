"""The Markdown format (a pull-request comment), on reports of real bandit and semgrep runs.

Sections, caps, goldens, determinism, and hostile review text coming out inert.
Reports are built from the repository root with relative paths. Regenerate the
goldens with ``CROSSCHECK_UPDATE_GOLDEN=1``; the test then fails saying it wrote them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import GOLDEN, assert_golden, with_data
from crosscheck.formats import markdown_format
from crosscheck.formats.markdown_format import code, render, text
from crosscheck.reconcile.model import FindingStatus
from crosscheck.results.report import Report
from crosscheck.run import pipeline

PAIRS = {
    "quickstart": ("samples/quickstart/invoices.py", "samples/quickstart/review.md"),
    "hallucinated_anchors": ("tests/cases/hallucinated_anchors/code.py", "tests/cases/hallucinated_anchors/review.md"),
}
GITHUB_LIMIT = 65536
pytestmark = pytest.mark.usefixtures("at_repo_root")


@pytest.fixture(scope="module")
def reports(checked_at_root: Callable[[str, str], Report]) -> Callable[[str], Report]:
    """Each pair's report by name, checked once per session."""
    return lambda name: checked_at_root(*PAIRS[name])


def bullets(md: str, heading: str) -> list[str]:
    """The bullets under the ``####`` heading that starts with ``heading``."""
    section = md.split(f"#### {heading}", 1)[1].split("\n#### ", 1)[0]
    return [line for line in section.splitlines() if line.startswith("- ")]


def test_quickstart_sections(reports: Callable[[str], Report]) -> None:
    report = reports("quickstart")
    md = render(report)
    data = report.to_dict()
    # the claims' truth first, the verdict (which holds) one line after it
    assert md.splitlines()[0] == ("### crosscheck: 2 of 11 claims cite code that is not there \u00b7 "
                                  "1 assurance contradicted \u00b7 8 findings missed \u00b7 "
                                  "1 defect claim not backed by any analyzer")
    assert md.splitlines()[2] == ("**Verdict:** stated defects \u2192 consistent \u2014 "
                                  "2 claim(s) confirmed, 12 finding(s) in the code")
    assert "Claim precision **0.40** \u00b7 finding recall **0.40** \u00b7 grounding rate **0.73**" in md
    headings = [line for line in md.splitlines() if line.startswith("#### ")]
    assert headings == ["#### Contradicted claims (1)", "#### Ungrounded claims (2)", "#### Unsupported claims (1)",
                        "#### Confirmed claims (2)", "#### Upheld (no analyzer refutes it) claims (1)", "#### Generic claims (4)",
                        "#### Missed findings (8)"]  # analyzers ran fine and there are no notes: no such sections
    claim_ids = [re.match(r"- \*\*(C\d+)\*\*", b)[1] for h in headings[:-1]  # type: ignore[index]
                 for b in bullets(md, h.removeprefix("#### "))]
    assert sorted(claim_ids) == sorted(c["id"] for c in data["claims"])
    missed = bullets(md, "Missed findings")
    assert len(missed) == sum(f["status"] == FindingStatus.MISSED.value for f in data["findings"])
    assert missed[0].startswith("- **F5** bandit `B324` (high, CWE-327) \u00b7 `samples/quickstart/invoices.py:38`")
    assert missed[-1].endswith("below the severity threshold")  # the least severe last
    c6 = next(b for b in bullets(md, "Ungrounded claims") if b.startswith("- **C6**"))
    assert "L61 `yaml.load(raw)` absent" in c6 and "cites code that is not there" in c6
    c2 = next(b for b in bullets(md, "Confirmed claims") if b.startswith("- **C2**"))
    assert "near at L25" in c2 and "(F3, F4)" in c2
    assert md.endswith("`cursor.execute(sql, params)`\n")
    assert all("\n" not in b for b in missed) and len(md) < 10_000


def test_hallucinated_anchors(reports: Callable[[str], Report]) -> None:
    md = render(reports("hallucinated_anchors"))
    assert md.startswith("### crosscheck: 2 of 3 claims cite code that is not there \u00b7 "
                         "the analyzers contradict its verdict")
    assert "\n**Verdict:** stated defects \u2192 contradicted" in md
    assert "finding recall **n/a**" in md and "Missed findings" not in md
    assert "L48 absent" in bullets(md, "Ungrounded claims (2)")[1]


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_golden(reports: Callable[[str], Report], name: str) -> None:
    assert_golden(GOLDEN / f"{name}.md", render(reports(name)))


def test_byte_identical_across_renders_and_runs(reports: Callable[[str], Report]) -> None:
    first = render(reports("quickstart"))
    assert render(reports("quickstart")) == first == render(pipeline.run(*PAIRS["quickstart"]))


def test_hostile_review_is_inert(hostile_report: Report) -> None:
    hostile = hostile_report
    md = render(hostile)
    assert "<" not in md and "\x1b" not in md
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in md and "&lt;img src=x onerror=alert(1)&gt;" in md
    assert not re.search(r"(?<!\\)[\[\]!]", md)  # no link or image can open
    assert ("\\!\\[x\\](http\\://e\\.example/) \\[c\\](javascript\\:alert(1)) &lt;b&gt;b&lt;/b&gt; @\u2060octocat "
            "\\#\u20601 www\\.e\\.example \\*em\\* \\_em\\_ \\~\\~g\\~\\~ \\| \\$x\\$") in md
    assert "`os.system(cmd)` exact" in md  # code without <, > or & stays a code span
    assert 'BANNER = "&lt;script&gt;alert(1)&lt;/script&gt;"' in md  # code with them is escaped text
    claims = [line for line in md.splitlines() if line.startswith("- **C")]
    assert len(claims) == len(hostile.reconciliation.claims)


def test_text_and_code_escaping() -> None:
    assert text("a\x1b[31mb\x07\nc\u2028d\ud800") == "a\\[31mb c d"
    assert text("x" * 200, 10) == "x" * 9 + "\u2026"
    assert text("a&b <i> snake_case _x_ end.") == "a&amp;b &lt;i&gt; snake_case \\_x\\_ end."
    assert text("http://x.y `c` mail@host") == "http\\://x\\.y \\`c\\` mail@\u2060host"
    assert code("a`b") == "``a`b``" and code("``x") == "``` ``x ```" and code("x`") == "`` x` ``"
    assert code("f(a,\n   b)") == "`f(a, b)`" and code("") == "" and code("a < b") == "a &lt; b"
    assert code("y" * 100) == "`" + "y" * 39 + "\u2026`"


def test_size_stays_under_the_comment_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code_file = tmp_path / "app.py"
    code_file.write_text("import os\n\n\ndef run(cmd):\n    os.system(cmd)\n", encoding="utf-8")
    items = "".join(f"{n}. **Issue {n} {'&<[*' * 20}:** in line 5, `os.system(cmd)` allows command injection "
                    f"{'[x](y) ' * 30}.\n" for n in range(1, 401))
    review = tmp_path / "review.md"
    review.write_text("I found these security vulnerabilities:\n\n" + items, encoding="utf-8")
    report = pipeline.run(str(code_file), str(review))
    assert len(report.reconciliation.claims) >= 400
    md = render(report)
    confirmed = bullets(md, "Confirmed claims")
    assert len(md) < GITHUB_LIMIT and len(confirmed) == markdown_format.SECTION_LIMIT + 1
    assert confirmed[-1] == f"- \u2026 and {len(report.reconciliation.claims) - 1 - markdown_format.SECTION_LIMIT} more"
    capped = markdown_format.SECTION_LIMIT
    monkeypatch.setattr(markdown_format, "SECTION_LIMIT", 10_000)  # now the character budget stops it
    unlimited = render(report)
    confirmed = bullets(unlimited, "Confirmed claims")
    assert capped < len(confirmed) < 400
    assert len(unlimited) <= markdown_format.BUDGET + 1000 < GITHUB_LIMIT
    omitted = int(re.fullmatch(r"- \u2026 and (\d+) more", confirmed[-1])[1])  # type: ignore[index]
    assert len(confirmed) - 1 + omitted == len(report.reconciliation.claims) - 1  # all but the context claim


def test_unknown_outcomes_and_statuses_still_render(reports: Callable[[str], Report]) -> None:
    def change(data: dict[str, Any]) -> None:
        data["claims"][0]["outcome"] = "disputed"
        data["findings"][0]["status"] = FindingStatus.MISSED.value
        data["findings"][0]["test_context"] = True
        data["findings"][1]["status"] = "suppressed"
        data["analyzers"][0]["status"] = "partial"
        data["analyzers"][0]["message"] = "2 files skipped <b>"

    md = render(with_data(reports("quickstart"), change))
    headings = [line for line in md.splitlines() if line.startswith("#### ")]
    assert headings[6] == "#### Disputed claims (1)" and "- **C1** " in bullets(md, "Disputed claims")[0]
    f1 = next(b for b in bullets(md, "Missed findings") if b.startswith("- **F1**"))
    assert f1.endswith("in test code \u00b7 below the severity threshold")
    assert not any(b.startswith("- **F2**") for b in bullets(md, "Missed findings"))
    assert bullets(md, "Analyzers") == ["- **bandit** partial: 2 files skipped &lt;b&gt;"]
