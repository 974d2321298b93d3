"""The index page and summary over several pairs: everything escaped, nothing half-written."""

from __future__ import annotations

from html.parser import HTMLParser

from crosscheck.formats.index_html import index_page
from crosscheck.results.outcome import PairOutcome, summary_rows

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> & "quotes"'


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def test_hostile_text_in_the_index_is_escaped():
    page = index_page(summary_rows([PairOutcome(id="p1", code=HOSTILE, review="r.md", report=None, error=HOSTILE)]),
                      title=HOSTILE)
    parser = _Tags()
    parser.feed(page)
    assert "script" not in parser.tags and "img" not in parser.tags
    assert HOSTILE in "".join(parser.text)  # shown as text, intact
    assert "Content-Security-Policy" in page and "http" not in page.split("</head>")[0].replace("http-equiv", "")
