"""The batch summary: grouping by metadata (numbers computed by hand), CSV, JSON, the HTML page with its plots,
hostile metadata, determinism, goldens, and headless Chromium loading the page under its CSP.

The rows are built by hand in the shape of :func:`crosscheck.results.outcome.summary_rows`; one test also runs it on a
real report. Regenerate the goldens with ``CROSSCHECK_UPDATE_GOLDEN=1``. The browser test needs ``chromium`` and
is skipped without it, unless ``CROSSCHECK_REQUIRE_CHROMIUM`` is set.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from conftest import GOLDEN, REPO, assert_golden, browse, with_probe
from crosscheck.formats import dataset_html as batch_summary
from crosscheck.formats.dataset_html import summary_html
from crosscheck.formats.summary_csv import summary_csv
from crosscheck.formats.summary_json import summary_json
from crosscheck.reconcile.labels import Agreement, Score
from crosscheck.results.dataset import Group, Stats, group_rows
from crosscheck.results.outcome import PairOutcome, summary_rows
from crosscheck.results.report import Report

OUTCOME_NAMES = ("confirmed", "unsupported", "ungrounded", "generic", "contradicted", "upheld")
METRIC_KEYS = ("claim_precision", "finding_recall", "grounding_rate", "specificity", "verdict_consistent")


def score(tp: int, fp: int, fn: int) -> dict[str, Any]:
    """A per-pair label score (its ratios are not what the summary uses: it sums the counts)."""
    return {"true_positives": tp, "false_positives": fp, "false_negatives": fn,
            "precision": round(tp / (tp + fp), 4) if tp + fp else None,
            "recall": round(tp / (tp + fn), 4) if tp + fn else None,
            "f1": round(2 * tp / (2 * tp + fp + fn), 4) if tp + fp + fn else None}


def checked(pair_id: str, metadata: dict[str, str], *, verdict: str, consistency: str, outcomes: dict[str, int],
            statuses: dict[str, int], metrics: tuple[float | bool | None, ...],
            labels: tuple[tuple[int, int, int], tuple[int, int, int], tuple[int, int, int, int]] | None = None,
            ) -> dict[str, Any]:
    """A row of a checked pair, as summary_rows makes it."""
    all_outcomes = {name: outcomes.get(name, 0) for name in OUTCOME_NAMES}
    finding_statuses = {name: statuses.get(name, 0) for name in ("matched", "missed", "suppressed")}
    findings = sum(finding_statuses.values())
    row_metrics = dict(zip(METRIC_KEYS, metrics, strict=True))
    return {
        "id": pair_id, "code": f"code/{pair_id}.py", "review": f"reviews/{pair_id}.md",
        "files": [f"{pair_id}.json", f"{pair_id}.html"], "error": None, "metadata": metadata,
        "verdict": verdict, "consistency": consistency, "claims": sum(all_outcomes.values()),
        "outcomes": {k: v for k, v in all_outcomes.items() if v}, "findings": findings,
        "missed": finding_statuses["missed"], "grounding_rate": row_metrics["grounding_rate"],
        "metrics": row_metrics, "all_outcomes": all_outcomes, "finding_statuses": finding_statuses,
        "relevant": findings - finding_statuses["suppressed"],
        "labels": None if labels is None else {
            "review": score(*labels[0]), "analyzers": score(*labels[1]),
            "agreement": dict(zip(("both", "review_only", "analyzers_only", "neither"), labels[2], strict=True))},
        "source": "local",
    }


def rows() -> list[dict[str, Any]]:
    """Eight pairs, model x prompt: labels on four, one not checked, one with every metric undefined, one
    without a prompt."""
    return [
        checked("p1", {"model": "gpt-4", "prompt": "short"}, verdict="defects", consistency="consistent",
                outcomes={"confirmed": 2, "unsupported": 1}, statuses={"matched": 2, "missed": 2},
                metrics=(0.6667, 0.5, 0.75, 1.0, True), labels=((2, 1, 1), (3, 0, 0), (2, 0, 1, 0))),
        checked("p2", {"model": "gpt-4", "prompt": "short"}, verdict="no-defects", consistency="contradicted",
                outcomes={"upheld": 1, "contradicted": 1}, statuses={"missed": 2},
                metrics=(None, 0.0, 1.0, 0.5, False), labels=((0, 0, 2), (1, 1, 1), (0, 0, 1, 1))),
        checked("p3", {"model": "gpt-4", "prompt": "long"}, verdict="defects", consistency="consistent",
                outcomes={"confirmed": 1, "generic": 2}, statuses={"matched": 1, "suppressed": 1},
                metrics=(1.0, 1.0, 0.5, 0.3333, True)),
        {"id": "p4", "code": "code/p4.py", "review": "reviews/p4.md", "files": [], "error": "review is binary",
         "metadata": {"model": "gpt-4", "prompt": "long"}},
        checked("p5", {"model": "claude", "prompt": "short"}, verdict="unclear", consistency="undetermined",
                outcomes={}, statuses={}, metrics=(None, None, None, None, None)),
        checked("p6", {"model": "claude", "prompt": "short"}, verdict="defects", consistency="contradicted",
                outcomes={"ungrounded": 2, "unsupported": 1}, statuses={},
                metrics=(0.0, None, 0.0, 1.0, False), labels=((0, 3, 1), (0, 0, 1), (0, 0, 0, 1))),
        checked("p7", {"model": "claude"}, verdict="defects", consistency="consistent",
                outcomes={"confirmed": 3}, statuses={"matched": 3}, metrics=(1.0, 1.0, 1.0, 1.0, True)),
        checked("p8", {"model": "claude", "prompt": "long"}, verdict="no-defects", consistency="self-contradictory",
                outcomes={"confirmed": 1, "generic": 1}, statuses={"missed": 1},
                metrics=(0.5, 0.0, 0.6, 0.5, False), labels=((1, 0, 0), (0, 0, 1), (0, 1, 0, 0))),
    ]


def by_label(groups: tuple[Group, ...]) -> dict[str, Group]:
    return {g.label: g for g in groups}


# --- grouping ---------------------------------------------------------------------------------------------------

def test_default_keys_and_order() -> None:
    groups = group_rows(rows())
    assert all(g.keys == ("model", "prompt") for g in groups)
    assert [g.label for g in groups] == ["claude / long", "claude / short", "claude / (none)", "gpt-4 / long",
                                         "gpt-4 / short", "all pairs"]
    assert groups[2].values == ("claude", "") and groups[-1].overall and groups[-1].values == ()
    assert [g.pairs for g in groups] == [1, 2, 1, 2, 2, 8]
    assert group_rows(rows(), ()) == groups  # no keys given: the default ones


def test_one_group_by_hand() -> None:
    g = by_label(group_rows(rows()))["gpt-4 / short"]
    assert (g.pairs, g.checked, g.not_checked, g.claims, g.findings, g.relevant) == (2, 2, 0, 5, 6, 6)
    assert dict(g.outcomes) == {"contradicted": 1, "ungrounded": 0, "unsupported": 1, "confirmed": 2, "upheld": 1,
                                "generic": 0}
    assert [n for n, _ in g.outcomes] == ["contradicted", "ungrounded", "unsupported", "confirmed", "upheld", "generic"]
    assert g.finding_statuses == (("matched", 2), ("missed", 4), ("suppressed", 0))
    assert g.verdicts == (("no-defects", 1), ("defects", 1), ("unclear", 0))
    assert g.consistency == (("consistent", 1), ("contradicted", 1), ("self-contradictory", 0), ("undetermined", 0))
    assert g.metric("claim_precision") == Stats(1, 0.6667, 0.6667, 0.6667, 0.6667)
    assert g.metric("finding_recall") == Stats(2, 0.25, 0.25, 0.0, 0.5)
    assert g.metric("grounding_rate") == Stats(2, 0.875, 0.875, 0.75, 1.0)
    assert g.metric("specificity") == Stats(2, 0.75, 0.75, 0.5, 1.0)
    assert g.metric("verdict_consistent") == Stats(2, 0.5, 0.5, 0.0, 1.0)
    assert g.labels is not None and g.labels.pairs == 2
    # review: TP 2+0, FP 1+0, FN 1+2 -> P 2/3, R 2/5, F1 4/8; analyzers: TP 3+1, FP 0+1, FN 0+1
    assert g.labels.review == Score(2, 1, 3, 0.6667, 0.4, 0.5)
    assert g.labels.analyzers == Score(4, 1, 1, 0.8, 0.8, 0.8)
    assert g.labels.agreement == Agreement(both=2, review_only=0, analyzers_only=2, neither=1)


def test_all_pairs_by_hand() -> None:
    g = group_rows(rows())[-1]
    assert g.label == "all pairs" and (g.pairs, g.checked, g.not_checked, g.claims, g.findings) == (8, 7, 1, 16, 12)
    assert dict(g.outcomes) == {"contradicted": 1, "ungrounded": 2, "unsupported": 2, "confirmed": 7, "upheld": 1,
                                "generic": 3}
    assert dict(g.finding_statuses) == {"matched": 6, "missed": 5, "suppressed": 1} and g.relevant == 11
    assert dict(g.consistency) == {"consistent": 3, "contradicted": 2, "self-contradictory": 1, "undetermined": 1}
    # grounding rate over the six pairs defining it: 0.75, 1, 0.5, 0, 1, 0.6
    assert g.metric("grounding_rate") == Stats(6, 0.6417, 0.675, 0.0, 1.0)
    assert g.metric("finding_recall") == Stats(5, 0.5, 0.5, 0.0, 1.0)
    assert g.metric("verdict_consistent") == Stats(6, 0.5, 0.5, 0.0, 1.0)
    assert g.labels is not None and g.labels.pairs == 4
    assert g.labels.review == Score(3, 4, 4, 0.4286, 0.4286, 0.4286)
    assert g.labels.analyzers == Score(4, 1, 3, 0.8, 0.5714, 0.6667)
    assert g.labels.agreement == Agreement(both=2, review_only=1, analyzers_only=2, neither=2)


def test_undefined_metrics_errors_and_groups_without_labels() -> None:
    groups = by_label(group_rows(rows()))
    claude = groups["claude / short"]  # p5 has every metric None; p6 has labels
    assert claude.claims == 3 and claude.findings == 0
    assert claude.metric("finding_recall") == Stats(0, None, None, None, None)
    assert claude.metric("grounding_rate") == Stats(1, 0.0, 0.0, 0.0, 0.0)
    assert claude.labels is not None and claude.labels.analyzers == Score(0, 0, 1, None, 0.0, 0.0)
    long = groups["gpt-4 / long"]  # p4 could not be checked: counted as a pair and nowhere else
    assert (long.pairs, long.checked, long.not_checked, long.claims) == (2, 1, 1, 3)
    assert long.metric("specificity") == Stats(1, 0.3333, 0.3333, 0.3333, 0.3333) and long.labels is None


def test_chosen_keys_missing_values_and_natural_order() -> None:
    data = rows()
    by_model = group_rows(data, ["model"])
    assert [(g.label, g.pairs) for g in by_model] == [("claude", 4), ("gpt-4", 4), ("all pairs", 8)]
    by_prompt = group_rows(data, ["prompt"])
    assert [(g.label, g.pairs) for g in by_prompt] == [("long", 3), ("short", 4), ("(none)", 1), ("all pairs", 8)]
    runs = [{"id": f"r{n}", "error": "x", "metadata": {"run": run}} for n, run in
            enumerate(["run-10", "run-2", "", "run-1", "Run-3", "run-\u00b2", "run-\u0663"])]
    assert [g.label for g in group_rows(runs)] == ["Run-3", "run-1", "run-2", "run-10", "run-\u00b2", "run-\u0663",
                                                   "(none)", "all pairs"]
    only = group_rows([{"id": "a", "error": None, "metadata": {}}])
    assert len(only) == 1 and only[0].overall and only[0].keys == ()
    empty = group_rows([])
    assert len(empty) == 1 and empty[0].pairs == 0 and empty[0].metric("grounding_rate").mean is None


def test_groups_do_not_depend_on_row_order() -> None:
    assert group_rows(list(reversed(rows()))) == group_rows(rows())


def test_rows_from_summary_rows(checked_at_root: Callable[[str, str], Report]) -> None:
    """The real row shape: a report of bandit and semgrep, and a pair that could not be checked."""
    report = checked_at_root("samples/quickstart/invoices.py", "samples/quickstart/review.md")
    outcomes = [PairOutcome("quick", "invoices.py", "review.md", report, None, ("quick.html",),
                            (("model", "m1"),)),
                PairOutcome("broken", "x.py", "y.md", None, "no such file", (), (("model", "m1"),))]
    real = summary_rows(outcomes)
    groups = group_rows(real)
    assert [g.label for g in groups] == ["m1", "all pairs"]
    g = groups[0]
    data = report.to_dict()["metrics"]
    assert (g.pairs, g.checked, g.not_checked, g.claims) == (2, 1, 1, data["claims"]["total"])
    assert {k: v for k, v in g.outcomes if v} == {k: v for k, v in data["outcomes"].items() if v}
    assert g.findings == data["findings"]["total"] and g.relevant == data["findings"]["relevant"]
    assert g.metric("grounding_rate").mean == data["grounding_rate"]
    page = Page(summary_html(groups, real, "quick"))
    assert page.tags("a", href="./quick.html")
    json.loads(summary_json(groups, real))


# --- CSV and JSON -----------------------------------------------------------------------------------------------

def test_csv_parses_back() -> None:
    text = summary_csv(group_rows(rows()))
    assert text.endswith("\n") and "\r" not in text
    table = list(csv.DictReader(io.StringIO(text)))
    assert [r["group"] for r in table] == ["claude / long", "claude / short", "claude / (none)", "gpt-4 / long",
                                           "gpt-4 / short", "all pairs"]
    header = next(csv.reader(io.StringIO(text)))
    assert header[:7] == ["group", "metadata.model", "metadata.prompt", "pairs", "checked", "not_checked", "claims"]
    assert len(header) == len(set(header)) and all(len(r) == len(header) for r in csv.reader(io.StringIO(text)))
    short = table[4]
    assert (short["metadata.model"], short["metadata.prompt"], short["pairs"]) == ("gpt-4", "short", "2")
    assert short["outcome_confirmed"] == "2" and short["finding_missed"] == "4"
    assert short["grounding_rate_mean"] == "0.8750" and short["grounding_rate_pairs"] == "2"
    assert short["claim_precision_median"] == "0.6667" and short["review_recall"] == "0.4000"
    assert short["analyzers_true_positives"] == "4" and short["agreement_analyzers_only"] == "2"
    none = table[2]
    assert none["metadata.prompt"] == "" and none["labelled_pairs"] == "" and none["review_precision"] == ""
    assert table[1]["finding_recall_mean"] == "" and table[1]["finding_recall_pairs"] == "0"
    assert table[1]["analyzers_precision"] == ""
    overall = table[-1]
    assert overall["metadata.model"] == "" and overall["grounding_rate_mean"] == "0.6417"


def test_csv_keeps_formulas_out_of_spreadsheets() -> None:
    data = [{"id": "a", "error": "x", "metadata": {"model": "=HYPERLINK(\"http://e.example\")", "prompt": "+1"}}]
    table = list(csv.DictReader(io.StringIO(summary_csv(group_rows(data)))))
    assert table[0]["metadata.model"] == "'=HYPERLINK(\"http://e.example\")" and table[0]["metadata.prompt"] == "'+1"
    assert table[0]["group"] == "'=HYPERLINK(\"http://e.example\") / +1"


def test_json_loads() -> None:
    data = rows()
    text = summary_json(group_rows(data), data)
    loaded = json.loads(text)
    assert text.endswith("}\n") and text.isascii()
    assert loaded["group_keys"] == ["model", "prompt"] and loaded["pairs"] == data
    short = loaded["groups"][4]
    assert short["label"] == "gpt-4 / short" and short["metadata"] == {"model": "gpt-4", "prompt": "short"}
    assert short["metrics"]["grounding_rate"] == {"pairs": 2, "mean": 0.875, "median": 0.875, "min": 0.75, "max": 1.0}
    assert short["labels"]["review"] == {"true_positives": 2, "false_positives": 1, "false_negatives": 3,
                                         "precision": 0.6667, "recall": 0.4, "f1": 0.5}
    assert short["outcomes"]["confirmed"] == 2 and short["consistency"]["contradicted"] == 1
    assert loaded["groups"][-1]["overall"] is True and loaded["groups"][-1]["metadata"] == {}
    assert loaded["groups"][0]["labels"]["agreement"] == {"both": 0, "review_only": 1, "analyzers_only": 0,
                                                          "neither": 0}


# --- HTML -------------------------------------------------------------------------------------------------------

class Page(HTMLParser):
    """A parsed page: its elements (tag, attributes, the tags it is inside) and text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str], tuple[str, ...]]] = []
        self.text: list[str] = []
        self.open: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}, tuple(self.open)))
        if tag not in ("br", "meta", "input", "rect", "line", "circle", "option"):
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}, tuple(self.open)))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.open:
            del self.open[len(self.open) - 1 - self.open[::-1].index(tag):]

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def tags(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        return [a for t, a, _ in self.elements if t == tag and all(a.get(k) == v for k, v in attrs.items())]


def check_page(html: str) -> Page:
    """Self-contained and locked down: one attribute-less script admitted by its hash, nothing loaded, no event
    handler attributes, links only in-page or relative; ids unique."""
    assert html.startswith("<!DOCTYPE html>\n") and html.endswith("</html>\n")
    page = Page(html)
    assert page.open == []  # every element closed
    scripts = [a for t, a, _ in page.elements if t == "script"]
    assert scripts == [{}]
    csp = page.tags("meta", **{"http-equiv": "Content-Security-Policy"})
    assert len(csp) == 1 and csp[0]["content"].startswith("default-src 'none';")
    script = html.split("<script>", 1)[1].split("</script>", 1)[0]
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in csp[0]["content"] and "'unsafe-inline'" not in csp[0]["content"].split(
        "script-src", 1)[1]
    attrs = [(t, a) for t, a, _ in page.elements]
    assert not [a for _, a in attrs if any(k.startswith("on") for k in a)]
    assert not [a for _, a in attrs if {"src", "srcset", "action", "formaction", "background", "xlink:href"} & set(a)]
    assert not page.tags("link") and not page.tags("img") and not page.tags("iframe") and "url(" not in html
    assert all(a["href"].startswith(("#", "./")) and ":" not in a["href"] for _, a in attrs if "href" in a)
    ids = [a["id"] for _, a in attrs if "id" in a]
    assert len(ids) == len(set(ids))
    return page


def test_page_structure_and_plots() -> None:
    data = rows()
    groups = group_rows(data)
    html = summary_html(groups, data, "Batch: model x prompt")
    page = check_page(html)
    assert page.tags("title")
    # the group table: one row per group, the overall one last
    group_rows_html = [a for t, a, inside in page.elements if t == "tr" and "id" in a]
    assert [a["id"] for a in group_rows_html] == [f"g{n}" for n in range(6)]
    assert group_rows_html[-1].get("class") == "overall"
    # plot 1: one stacked bar per group, one segment per non-zero outcome, each with a tooltip
    bars = [a for t, a, inside in page.elements if t == "g" and a.get("class") == "bar"]
    assert len(bars) == len(groups)
    segments = [inside for t, a, inside in page.elements if t == "rect" and a.get("class") == "seg"]
    assert len(segments) == sum(1 for g in groups for _, n in g.outcomes if n)
    assert all(inside[-2:] == ("svg", "g") for inside in segments)
    assert "gpt-4 / short: 2 confirmed of 5 claim(s) (40.0%)" in html
    widths = [float(a["width"]) for t, a, _ in page.elements if t == "rect" and a.get("class") == "seg"]
    assert abs(sum(widths) - 460 * sum(1 for g in groups if g.claims)) < 0.5  # every bar with claims is full
    # plot 2: grounding rate, a whisker for every group where it is defined
    spreads = [a for t, a, _ in page.elements if t == "g" and a.get("class") == "spread"]
    assert len(spreads) == len(groups) and len(page.tags("circle", **{"class": "mean"})) == 6
    assert "mean 0.64, median 0.68, n=6" in html  # all pairs (0.6417, 0.675)
    # plot 3: precision and recall, review and analyzers, for the groups with labels
    assert [a["id"] for a in page.tags("svg") if "id" in a] == ["outcome-plot", "grounding-plot", "label-plot"]
    label_groups = [a for t, a, _ in page.elements if t == "g" and a.get("class") == "pair-bars"]
    assert len(label_groups) == len(groups)
    labelled = sum(1 for g in groups if g.labels is not None)
    assert html.split('id="label-plot"', 1)[1].split("</svg>", 1)[0].count("<rect") == 4 * labelled
    assert html.count("no labels</text>") == len(groups) - labelled
    assert "gpt-4 / short: review recall 0.4000 (TP 2, FP 1, FN 3, 2 labelled pair(s))" in html
    # the pairs: one row each, its group, a link to its HTML report; the pair not checked says why
    pair_rows = [a for t, a, _ in page.elements if t == "tr" and "data-group" in a]
    assert len(pair_rows) == len(data)
    assert [a["data-group"] for a in pair_rows] == ["g4", "g4", "g3", "g3", "g1", "g1", "g2", "g0"]
    assert [a["href"] for a in page.tags("a")] == [f"./p{n}.html" for n in (1, 2, 3, 5, 6, 7, 8)]
    assert "not checked: review is binary" in html
    options = [a["value"] for a in page.tags("option")]
    assert options == ["", "g0", "g1", "g2", "g3", "g4"]
    assert page.tags("div", id="pair-filter")[0].get("hidden") == ""  # shown by the script only


def test_page_without_labels_has_no_label_plot() -> None:
    data = [r for r in rows() if not r.get("labels")]
    page = check_page(summary_html(group_rows(data), data, "t"))
    assert [a["id"] for a in page.tags("svg") if "id" in a] == ["outcome-plot", "grounding-plot"]


HOSTILE = "<script>alert(1)</script>"


def hostile_rows() -> list[dict[str, Any]]:
    data = rows()
    data[0]["metadata"] = {"model": HOSTILE, "prompt": '"><svg onload=alert(1)>'}
    data[0]["id"] = "<b>p1</b>"
    data[0]["files"] = ["javascript:alert(1).html"]
    data[1]["files"] = ["//evil.example/x.html"]
    data[3]["error"] = "<img src=x onerror=alert(1)> \x1b[31mred"
    data[4]["metadata"] = {"model": "\x1b[2J<style>", "<i>key</i>": "v"}
    return data


def test_hostile_metadata_is_text() -> None:
    data = hostile_rows()
    html = summary_html(group_rows(data), data, f"title {HOSTILE}")
    page = check_page(html)
    for raw in (HOSTILE, "<svg onload", "<img", "<b>", "<i>", "[2J<style>", "\x1b"):
        assert raw not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert not page.tags("b") and not page.tags("i") and not page.tags("img") and len(page.tags("style")) == 1
    assert {a.get("class") for a in page.tags("svg")} <= {"plot", "swatch"}
    text = "".join(page.text)
    assert HOSTILE in text and '"><svg onload=alert(1)>' in text and "<b>p1</b>" in text and "<i>key</i>" in text
    assert f"title {HOSTILE}" in "".join(page.text)
    hrefs = [a["href"] for a in page.tags("a")]
    assert hrefs[:2] == ["./javascript%3Aalert%281%29.html", "./evil.example/x.html"]
    assert "|safe" not in (REPO / "crosscheck" / "templates" / "batch.html.j2").read_text(encoding="utf-8")


def test_output_is_deterministic() -> None:
    data = rows()
    first = (summary_csv(group_rows(data)), summary_json(group_rows(data), data),
             summary_html(group_rows(data), data, "t"))
    again = rows()
    assert (summary_csv(group_rows(again)), summary_json(group_rows(again), again),
            summary_html(group_rows(again), again, "t")) == first


def test_golden_csv() -> None:
    assert_golden(GOLDEN / "batch_summary.csv", summary_csv(group_rows(rows())))


def test_golden_html() -> None:
    data = rows()
    assert_golden(GOLDEN / "batch_summary.html", summary_html(group_rows(data), data, "Batch: model x prompt"))


# --- headless Chromium ------------------------------------------------------------------------------------------





def test_chromium_loads_the_page_without_console_errors(tmp_path: Path) -> None:
    data = hostile_rows()
    groups = group_rows(data)
    html = summary_html(groups, data, "Batch")
    target = next(n for n, g in enumerate(groups) if g.values[:2] == ("gpt-4", "short"))
    # A test script picks the group of pair p2 in the filter; the CSP admits it by its hash too.
    probe = (f"var s = document.getElementById('group-filter'); s.value = 'g{target}';"
             " s.dispatchEvent(new Event('change'));")
    html = with_probe(html, batch_summary.SCRIPT_HASH, probe)
    path = tmp_path / "batch.html"
    path.write_text(html, encoding="utf-8")
    result = browse(path, "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000", "--dump-dom")
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    assert not console, "\n".join(console)
    page = Page(result.stdout)
    assert page.tags("body")[0].get("data-ready") == "1"  # the page's script ran under its CSP
    assert "hidden" not in page.tags("div", id="pair-filter")[0]
    assert len([a for a in page.tags("script")]) == 2 and not page.tags("img") and not page.tags("b")
    shown = [a for t, a, _ in page.elements if t == "tr" and "data-group" in a and "hidden" not in a]
    assert [a["data-group"] for a in shown] == [f"g{target}"]  # p2 only: p1's hostile model has a group of its own
    assert "".join(page.text).count(HOSTILE) >= 1
