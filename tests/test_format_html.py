"""The HTML format (one self-contained page), on reports of real bandit and semgrep runs.

Structure, in-page links, markers in the code, goldens (analyzer versions masked),
determinism, hostile review text, and headless Chromium rendering the page under its
Content-Security-Policy. Chromium (``chromium`` on PATH, Debian's package) is needed
for the browser tests: they are skipped without it, unless ``CROSSCHECK_REQUIRE_CHROMIUM``
is set (as in CI), when they fail. Regenerate the goldens with ``CROSSCHECK_UPDATE_GOLDEN=1``.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import GOLDEN, REPO, assert_golden, browse, with_data, with_probe
from crosscheck.formats import html_format
from crosscheck.formats.html_format import render
from crosscheck.reconcile.model import FindingStatus
from crosscheck.results.report import Report
from crosscheck.run import pipeline

PAIRS = {
    "quickstart": ("samples/quickstart/invoices.py", "samples/quickstart/review.md"),
    "hallucinated_anchors": ("tests/cases/hallucinated_anchors/code.py", "tests/cases/hallucinated_anchors/review.md"),
}
HOSTILE_RAW = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '"><svg onload=alert(1)>', "\x1b[31m",
               "<b>b</b>"]
HOSTILE_ESCAPED = ["&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=alert(1)&gt;",
                   "&#34;&gt;&lt;svg onload=alert(1)&gt;", "[31mred[0m", "&lt;b&gt;b&lt;/b&gt;",
                   "![x](http://e.example/) [c](javascript:alert(1))"]


class Page(HTMLParser):
    """A parsed page: its elements (tag and attributes), ids, in-page links and text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.open: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def tags(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        return [a for t, a in self.elements if t == tag and all(a.get(k) == v for k, v in attrs.items())]

    @property
    def ids(self) -> list[str]:
        return [a["id"] for _, a in self.elements if "id" in a]

    def with_filter(self, prefix: str) -> list[tuple[str, dict[str, str]]]:
        return [(t, a) for t, a in self.elements if "data-filter" in a and a["data-filter"].startswith(prefix)]


pytestmark = pytest.mark.usefixtures("at_repo_root")


@pytest.fixture(scope="module")
def reports(checked_at_root: Callable[[str, str], Report]) -> Callable[[str], Report]:
    """Each pair's report by name, checked once per session."""
    return lambda name: checked_at_root(*PAIRS[name])


def masked(html: str) -> str:
    """The page with the analyzers' versions hidden (they differ between machines)."""
    return re.sub(r"(<li>(?:bandit|semgrep)) [^:<]+:", r"\1 X:", html)


def check_page(html: str, report: Report) -> Page:
    """Well-formed enough for html.parser; ids unique, every in-page link resolves, nothing loaded from anywhere;
    one row per claim and finding, one element per code line."""
    assert html.startswith("<!DOCTYPE html>\n") and html.endswith("</html>\n")
    page = Page(html)
    ids = page.ids
    assert len(ids) == len(set(ids))
    hrefs = [a["href"] for _, a in page.elements if "href" in a]
    assert all(h.startswith("#") for h in hrefs) and {h[1:] for h in hrefs} <= set(ids)
    assert not [a for _, a in page.elements if {"src", "srcset", "action", "formaction", "background"} & set(a)]
    assert not page.tags("link") and not page.tags("img") and not page.tags("iframe") and "url(" not in html
    assert len(page.tags("script")) == 1 and not [a for t, a in page.elements if t == "script" and a]
    csp = page.tags("meta", **{"http-equiv": "Content-Security-Policy"})
    assert len(csp) == 1 and csp[0]["content"].startswith("default-src 'none';")
    script = html.split("<script>", 1)[1].split("</script>", 1)[0]
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in csp[0]["content"]
    data = report.to_dict()
    assert [a["id"] for t, a in page.with_filter("claim:") if t == "tr"] == [f"claim-{c['id']}" for c in data["claims"]]
    assert [a["id"] for t, a in page.with_filter("finding:") if t == "tr"] == [
        f"finding-{f['id']}" for f in data["findings"]]
    lines = [i for i in ids if i.startswith("L-")]
    assert lines == [f"L-{n}-{line}" for n, f in enumerate(report.code.files) for line in range(1, len(f.lines) + 1)]
    return page


def markers(page: Page, line: str) -> list[str]:
    """The ids a code line's markers link to (the elements after the line's start, up to the next line)."""
    start = next(i for i, (_, a) in enumerate(page.elements) if a.get("id") == line)
    found = []
    for tag, attrs in page.elements[start + 1:]:
        if attrs.get("id", "").startswith("L-") or tag == "h3":
            break
        if tag == "a" and "mk" in attrs.get("class", "").split():
            found.append(attrs["href"][1:])
    return found


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_page_structure(reports: Callable[[str], Report], name: str) -> None:
    check_page(render(reports(name)), reports(name))


def test_quickstart_rows_markers_and_filters(reports: Callable[[str], Report]) -> None:
    report = reports("quickstart")
    html = render(report)
    page = check_page(html, report)
    assert markers(page, "L-0-25") == ["claim-C2", "finding-F3", "finding-F4"]  # cited at L24, found at L25 (near)
    assert markers(page, "L-0-29") == ["claim-C4", "claim-C5"]
    assert markers(page, "L-0-47") == ["finding-F9", "finding-F10"] and markers(page, "L-0-24") == []
    line = page.tags("div", id="L-0-25")[0]
    assert line["class"] == "l hit" and line["data-keys"] == "claim:confirmed finding:matched"
    assert "data-keys" not in page.tags("div", id="L-0-24")[0]
    # C6's anchors are absent: listed in its row, with no place in the code
    c6 = html.split('<tr id="claim-C6"', 1)[1].split("</tr>", 1)[0]
    assert "L61 <code>yaml.load(raw)</code>: <span class=\"tone-bad\">absent</span>" in c6 and "href=\"#L-" not in c6
    assert "claim-C6" not in {h for _, a in page.elements if a.get("class", "").startswith("mk") for h in [a["href"][1:]]}
    c2 = html.split('<tr id="claim-C2"', 1)[1].split("</tr>", 1)[0]
    assert '<a href="#L-0-25">at L25</a>' in c2 and '<a href="#finding-F3">F3</a>' in c2
    f9 = html.split('<tr id="finding-F9"', 1)[1].split("</tr>", 1)[0]
    assert '<a href="#L-0-47">invoices.py:47</a>' in f9 and 'class="tone-bad">missed' in f9
    boxes = [a["value"] for a in page.tags("input", type="checkbox")]
    assert boxes == ["claim:contradicted", "claim:ungrounded", "claim:unsupported", "claim:confirmed", "claim:upheld",
                     "claim:generic", "finding:matched", "finding:missed"]
    assert page.tags("div", id="filters")[0].get("hidden") == ""  # shown by the script only
    filters = {a["data-filter"] for _, a in page.with_filter("")}
    assert filters == set(boxes)
    assert "2 claim(s) confirmed, 12 finding(s) in the code" in html and "grounding rate 0.73" in html


def test_hallucinated_anchors_has_no_findings(reports: Callable[[str], Report]) -> None:
    html = render(reports("hallucinated_anchors"))
    page = check_page(html, reports("hallucinated_anchors"))
    assert "The analyzers found nothing." in html
    assert [a["value"] for a in page.tags("input", type="checkbox")] == ["claim:ungrounded", "claim:unsupported"]


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_golden(reports: Callable[[str], Report], name: str) -> None:
    assert_golden(GOLDEN / f"{name}.html", render(reports(name)), masked)


def test_byte_identical_across_renders_and_runs(reports: Callable[[str], Report]) -> None:
    first = render(reports("quickstart"))
    assert render(reports("quickstart")) == first == render(pipeline.run(*PAIRS["quickstart"]))


def test_hostile_review_is_escaped(hostile_report: Report) -> None:
    html = render(hostile_report)
    page = check_page(html, hostile_report)
    for raw in HOSTILE_RAW:
        assert raw not in html
    for escaped in HOSTILE_ESCAPED:
        assert escaped in html
    assert "\x1b" not in html and not page.tags("svg") and not page.tags("b")
    text = "".join(page.text)
    assert "<script>alert(1)</script>" in text and '"><svg onload=alert(1)>' in text  # shown as text, intact
    assert 'BANNER = "<script>alert(1)</script>"' in text  # the code line and the claim's citation
    assert "|safe" not in (REPO / "crosscheck" / "templates" / "report.html.j2").read_text(encoding="utf-8")


def test_unknown_outcomes_and_statuses_still_render(reports: Callable[[str], Report]) -> None:
    def change(data: dict[str, Any]) -> None:
        data["claims"][1]["outcome"] = "disputed"
        data["findings"][0]["status"] = "waived"
        data["findings"][0]["test_context"] = True

    html = render(with_data(reports("quickstart"), change))
    page = Page(html)
    boxes = [a["value"] for a in page.tags("input", type="checkbox")]
    assert boxes[-1] == "finding:waived" and "claim:disputed" in boxes
    assert page.tags("tr", id="claim-C2")[0]["data-filter"] == "claim:disputed"
    assert [a["data-filter"] for a in page.tags("a", href="#claim-C2") if "mk" in a.get("class", "")] == ["claim:disputed"]
    assert 'class="tone-plain">waived, test code</td>' in html


def test_a_long_file_renders_each_line_once(tmp_path: Path) -> None:
    """About the size of the Nova files the seed reviews are about, with a finding every 60 lines."""
    body = "".join(f"def handler_{n}(cmd):\n    return {'os.system(cmd)' if n % 15 == 0 else 'cmd.upper()'}"
                   f"  # {'x' * 40}\n\n\n" for n in range(300))
    code = tmp_path / "big.py"
    code.write_text("import os\n\n\n" + body, encoding="utf-8")
    review = tmp_path / "review.md"
    review.write_text("".join(f"{n}. In line {60 * n + 5}, `os.system(cmd)` allows command injection.\n"
                              for n in range(20)), encoding="utf-8")
    report = pipeline.run(str(code), str(review))
    assert len(report.code.files[0].lines) == 1203 and len(report.reconciliation.findings) == 40
    html = render(report)
    check_page(html, report)
    assert html.count("return os.system(cmd)") == 20 and html.count("return cmd.upper()") == 280
    code_part = html.split('<h2 id="code">', 1)[1]
    assert len(code_part.encode("utf-8")) < 1203 * 130 and len(html.encode("utf-8")) < 250_000


@pytest.mark.parametrize("text", [
    "import os\n\nos.system('ls')  # <b>&\"'</b>\n",
    "import os\r\nx = '\x1b[31m'\r\nos.system(x)\x0cy = 1\n",
    "s = 'caf\u00e9 \x85 \u2028 end'\nimport os\nos.system(s)\n",
])
def test_each_code_line_is_listed_once_escaped_and_printable(tmp_path: Path, text: str) -> None:
    """The listing (built in Python, not the template) has every line of the file, in order, each once,
    escaped as jinja2's autoescaping escapes and without control characters, whatever the line breaks."""
    from markupsafe import escape

    from crosscheck.formats.untrusted import printable

    code = tmp_path / "code.py"
    code.write_bytes(text.encode("utf-8"))
    review = tmp_path / "review.md"
    review.write_text("- `os.system` at line 3 is command injection.\n", encoding="utf-8")
    report = pipeline.run(str(code), str(review))
    html = render(report)
    listed = re.findall(r'<div class="l[^"]*" id="L-0-(\d+)"[^>]*><span class="n">(\d+)</span><code>(.*?)</code>', html)
    lines = report.code.files[0].lines
    assert [int(n) for n, _, _ in listed] == [int(n) for _, n, _ in listed] == list(range(1, len(lines) + 1))
    assert [code for _, _, code in listed] == [str(escape(printable(line))) for line in lines]
    assert "\x1b" not in html and "\x85" not in html


def test_quickstart_heading_states_the_claims_truth_before_the_verdict(reports: Callable[[str], Report]) -> None:
    """The verdict holds, yet two claims cite code that is not there: the first heading says so, coloured bad,
    and the verdict is the line after it; "upheld" is named for what it means."""
    html = render(reports("quickstart"))
    page = Page(html)
    h1 = page.tags("h1")
    assert h1 == [{"id": "headline", "class": "tone-bad"}]
    heading = html.split('<h1 id="headline" class="tone-bad">', 1)[1].split("</h1>", 1)[0]
    assert heading.startswith("2 of 11 claims cite code that is not there \u00b7 1 assurance contradicted \u00b7 "
                              "8 findings missed")
    assert html.index('id="headline"') < html.index('id="verdict"') < html.index('id="claims"')
    assert ">upheld (no analyzer refutes it)</td>" in html and 'title="no analyzer refutes this assurance' in html


# --- headless Chromium -------------------------------------------------------------------------------------------



def dump_dom(page: Path) -> str:
    return browse(page, "--virtual-time-budget=5000", "--dump-dom").stdout


def test_chromium_renders_the_hostile_page_inert(hostile_report: Report, tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    path.write_text(render(hostile_report), encoding="utf-8")
    dom = dump_dom(path)
    page = Page(dom)
    body = page.tags("body")
    assert body and body[0].get("data-ready") == "1"  # the page's own script ran under its CSP
    assert len(page.tags("script")) == 1 and not page.tags("img") and not page.tags("svg") and not page.tags("b")
    assert not page.tags("div", id="filters")[0].get("hidden")  # the script showed the filters
    assert [a["id"] for a in page.tags("tr") if a.get("id", "").startswith("claim-")] == [
        f"claim-{c.grounded.claim.id}" for c in hostile_report.reconciliation.claims]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom and "&lt;img src=x onerror=alert(1)&gt;" in dom
    text = "".join(page.text)
    assert "<script>alert(1)</script>" in text and "<img src=x onerror=alert(1)>" in text
    assert "\x1b" not in dom


def test_chromium_filters_hide_rows_and_markers(reports: Callable[[str], Report], tmp_path: Path) -> None:
    html = render(reports("quickstart"))
    # A test script unticks "matched findings" and "confirmed claims"; the CSP admits it by its hash too.
    probe = ("document.querySelectorAll('#filters input').forEach(function (b) {"
             " if (b.value === 'finding:matched' || b.value === 'claim:confirmed') {"
             " b.checked = false; b.dispatchEvent(new Event('change')); } });")
    html = with_probe(html, html_format.SCRIPT_HASH, probe)
    path = tmp_path / "report.html"
    path.write_text(html, encoding="utf-8")
    page = Page(dump_dom(path))
    assert page.tags("body")[0].get("data-ready") == "1"
    hidden = {a["id"] for t, a in page.elements if t == "tr" and "hidden" in a and "id" in a}
    data = reports("quickstart").to_dict()
    assert hidden == {f"claim-{c['id']}" for c in data["claims"] if c["outcome"] == "confirmed"} | {
        f"finding-{f['id']}" for f in data["findings"] if f["status"] == FindingStatus.MATCHED.value}
    marks = [a for a in page.tags("a") if "mk" in a.get("class", "")]
    assert {a["href"] for a in marks if "hidden" in a} == {"#claim-C2", "#claim-C4", "#finding-F3", "#finding-F4",
                                                             "#finding-F7", "#finding-F8"}
    assert page.tags("div", id="L-0-43")[0]["class"] == "l"  # only hidden things there: no longer highlighted
    assert page.tags("div", id="L-0-29")[0]["class"] == "l hit"  # C5 (unsupported) is still shown there


def test_chromium_first_heading_is_the_claims_truth(reports: Callable[[str], Report], tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    path.write_text(render(reports("quickstart")), encoding="utf-8")
    dom = dump_dom(path)
    first = dom.split("<h1", 1)[1].split(">", 1)[1].split("</h1>", 1)[0]
    assert first.startswith("2 of 11 claims cite code that is not there")
    assert dom.index("</h1>") < dom.index("Verdict: the review states")


def test_chromium_screenshot(reports: Callable[[str], Report], tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    path.write_text(render(reports("quickstart")), encoding="utf-8")
    shot = tmp_path / "report.png"
    browse(path, "--window-size=1280,2000", f"--screenshot={shot}")
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 20_000


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(codec=None, min_codepoint=0, max_codepoint=0x3000)) | st.text(
    alphabet=st.characters(min_codepoint=0, max_codepoint=0x7F)))
def test_is_printable_says_whether_printable_changes_the_text(text: str) -> None:
    from crosscheck.formats.untrusted import is_printable, printable

    assert is_printable(text) == (printable(text) == text)
    assert not is_printable(text + "\ud800") and not is_printable(text + "\x1b")


def test_the_readmes_screenshots_are_there_at_both_widths() -> None:
    """docs/screenshots.py made them (run it again when the pages change); the README links each."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("screenshots", REPO / "docs" / "screenshots.py")
    assert spec is not None and spec.loader is not None
    screenshots = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(screenshots)
    IMAGES, PAGES, WIDTHS = screenshots.IMAGES, screenshots.PAGES, screenshots.WIDTHS

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name in PAGES:
        for width in WIDTHS:
            picture = IMAGES / f"{name}-{width}.png"
            data = picture.read_bytes()
            assert data[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(data[16:20], "big") == width, picture
            assert f"docs/img/{picture.name}" in readme
