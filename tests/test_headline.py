"""The headline every human-readable report opens with: the truth of the review's claims first, coloured by
the worst outcome, the verdict after it; on the sample pairs checked by real bandit and semgrep."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser

import pytest

from crosscheck.formats import markdown_format, text_format
from crosscheck.formats.index_html import index_page
from crosscheck.results.headline import NOTHING_WRONG, Headline, headline, headline_of, outcome_label, row_headline
from crosscheck.results.outcome import PairOutcome, summary_rows
from crosscheck.results.report import Report

pytestmark = pytest.mark.usefixtures("at_repo_root")

QUICKSTART = ("2 of 11 claims cite code that is not there", "1 assurance contradicted", "8 findings missed",
              "1 defect claim not backed by any analyzer")


@pytest.fixture(scope="module")
def sample(checked_at_root: Callable[[str, str], Report]) -> Callable[[str], Report]:
    from crosscheck.load.samples import sample_manifest
    pairs = {p.id: (str(p.code), str(p.review)) for p in sample_manifest().pairs}
    return lambda name: checked_at_root(*pairs[name])


def test_quickstart_headline_states_the_hallucinations_though_the_verdict_holds(sample: Callable[[str], Report]):
    data = sample("quickstart").to_dict()
    assert data["verdict"]["consistency"] == "consistent"  # the verdict alone would read green
    top = headline(data)
    assert top == Headline(QUICKSTART, "bad")
    assert top.text == " \u00b7 ".join(QUICKSTART)


def test_webhook_headline_counts_the_missed_findings_and_the_contradicted_verdict(sample: Callable[[str], Report]):
    data = sample("webhook").to_dict()
    top = headline(data)
    missed = data["metrics"]["findings"]["missed"]
    assert top.level == "bad" and missed > 1
    assert f"{missed} findings missed" in top.parts and "the analyzers contradict its verdict" in top.parts
    assert not any("cite" in part for part in top.parts)  # its one checkable citation is there


def test_archive_headline_names_its_one_missed_finding(sample: Callable[[str], Report]):
    data = sample("archive").to_dict()
    assert data["verdict"]["consistency"] == "consistent"
    assert headline(data) == Headline(("1 finding missed", "1 defect claim not backed by any analyzer"), "bad")


def test_nothing_wrong_is_said_plainly():
    assert headline_of(claims=3, outcomes={"confirmed": 2, "upheld": 1}, missed=0,
                       consistency="consistent") == Headline((NOTHING_WRONG,), "good")


def test_each_outcome_has_its_part_and_the_worst_sets_the_level():
    top = headline_of(claims=1, outcomes={"ungrounded": 1, "contradicted": 2, "unsupported": 3}, missed=1,
                      consistency="self-contradictory")
    assert top.parts == ("1 of 1 claim cites code that is not there", "2 assurances contradicted",
                         "1 finding missed", "the review contradicts itself",
                         "3 defect claims not backed by any analyzer")
    assert top.level == "bad"
    assert headline_of(claims=0, outcomes={}, missed=0, consistency="undetermined") == Headline(
        ("its verdict could not be determined",), "warn")


def test_upheld_is_named_for_what_it_means():
    assert outcome_label("upheld") == "upheld (no analyzer refutes it)"
    assert outcome_label("confirmed") == "confirmed" and outcome_label("new-outcome") == "new-outcome"


def test_the_summary_row_has_the_same_headline(sample: Callable[[str], Report]):
    report = sample("quickstart")
    rows = summary_rows([PairOutcome(id="q", code="c.py", review="r.md", report=report, error=None),
                         PairOutcome(id="x", code="c.py", review="r.md", report=None, error="boom")])
    assert row_headline(rows[0]) == headline(report.to_dict())
    assert row_headline(rows[1]) is None


def test_text_report_opens_with_the_headline_then_the_verdict(sample: Callable[[str], Report]):
    report = sample("quickstart")
    for color in (False, True):
        out = text_format.render(report, color=color)
        plain = out if not color else re.sub(r"\x1b\[[0-9;]*m", "", out)
        head, verdict = plain.split("\nVerdict: ", 1)  # a terminal may wrap the headline: join its lines
        assert head.replace("\n", " ").startswith("crosscheck ")
        assert " ".join(head.split()).endswith(": " + " \u00b7 ".join(QUICKSTART)), head
        assert verdict.startswith("stated defects \u2192 consistent")
        assert "upheld (no analyzer refutes it)" in plain
    assert "\x1b[1;31m2 of 11 claims" in text_format.render(report, color=True)  # coloured bad


@pytest.mark.parametrize("columns", [80, 120])
def test_summary_table_leads_each_pair_with_its_headline(sample: Callable[[str], Report], monkeypatch, columns):
    monkeypatch.setenv("COLUMNS", str(columns))
    outcomes = [PairOutcome(id="quickstart", code="c.py", review="r.md", report=sample("quickstart"), error=None),
                PairOutcome(id="broken", code="c.py", review="r.md", report=None, error="review is binary")]
    out = text_format.render_summary(outcomes, color=True)
    lines = re.sub(r"\x1b\[[0-9;]*m", "", out).splitlines()
    assert all(len(line) <= columns for line in lines)
    header = next(line for line in lines if "pair" in line)
    assert header.index("claims' truth") < header.index("verdict")
    cells = [line.split("\u2502") for line in lines if line.startswith("\u2502")]
    truth = " ".join(" ".join(row[2].split()) for row in cells if row[1].strip() in ("quickstart", "")).strip()
    assert truth.startswith(" \u00b7 ".join(QUICKSTART[:2])), truth
    assert "\x1b[1;31m2 of 11 claims" in out  # coloured bad, though the verdict is consistent
    assert any(row[1].strip() == "broken" and "not checked" in row[2] for row in cells)
    assert ("claims by outcome" in header) == (columns >= text_format.NARROW)


def test_markdown_report_opens_with_the_headline(sample: Callable[[str], Report]):
    lines = markdown_format.render(sample("quickstart")).splitlines()
    assert lines[0] == "### crosscheck: " + " \u00b7 ".join(QUICKSTART)
    assert lines[2].startswith("**Verdict:** stated defects \u2192 consistent")


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.cells: list[tuple[str, str]] = []
        self._class: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # a cell's tone is the last of its classes ("headline bad")
        self._class = (dict(attrs).get("class") or "").split()[-1:] or [""] if tag == "td" else self._class

    def handle_data(self, data: str) -> None:
        if self._class is not None:
            self.cells.append((self._class[0], data))
            self._class = None


def test_index_colours_each_pair_by_its_headline(sample: Callable[[str], Report]):
    outcomes = [PairOutcome(id=name, code=name, review="r.md", report=sample(name), error=None)
                for name in ("quickstart", "archive")]
    parser = _Cells()
    parser.feed(index_page(summary_rows(outcomes), title="t"))
    assert ("bad", " \u00b7 ".join(QUICKSTART)) in parser.cells  # not green, though its verdict is consistent
    assert ("bad", "1 finding missed \u00b7 1 defect claim not backed by any analyzer") in parser.cells
    assert not any(cls == "good" for cls, _ in parser.cells)
    assert any("upheld (no analyzer refutes it) 1" in text for _, text in parser.cells)
