"""Reliability cases for hostile and broken reviews, through the command line (see tests/reliability.py).

The analyzers run for real, once for the module: every review here is checked against
the same file, so their runs are shared (memoized by file content and options).
"""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest
from click.testing import Result
from test_format_html import Page

from crosscheck import analyzers
from crosscheck.cli import EXIT_GATE
from crosscheck.formats import Format
from crosscheck.review.citations import MAX_LINE
from reliability import invoke, one_error_line

APP = """import hashlib
import subprocess


def run(cmd):
    subprocess.call(cmd, shell=True)
    return hashlib.md5(cmd.encode()).hexdigest()
"""
CLAIM = "In line 6, `subprocess.call(cmd, shell=True)` allows command injection. Caf\u00e9.\n"


@pytest.fixture(scope="module", autouse=True)
def shared_runs():
    """Each distinct (analyzers, file contents, options) is analyzed once, by the real analyzers."""
    real = analyzers.run_all
    memo: dict[object, object] = {}

    def run_all(plugins, target, options, done=None):
        key = (tuple(p.name for p in plugins), tuple(f.sha256 for f in target.files), options)
        if key not in memo:
            memo[key] = real(plugins, target, options)
        return memo[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(analyzers, "run_all", run_all)
        yield


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("reviews")
    (path / "app.py").write_text(APP, encoding="utf-8")
    return path


def check(folder: Path, review: bytes, *args: str, validate=None) -> tuple[Result, dict]:
    """``crosscheck check app.py REVIEW --format json``: the result and the report, which must be complete."""
    path = folder / "review.md"
    path.write_bytes(review)
    result = invoke("check", folder / "app.py", path, "--format", "json", *args)
    assert result.exit_code in (0, EXIT_GATE), result.output  # 1: a default gate is met, the report is whole
    data = json.loads(result.stdout)
    if validate:
        validate(data)
    assert {a["name"]: a["status"] for a in data["analyzers"]} == {"bandit": "ok", "semgrep": "ok"}
    return result, data


def claims(data: dict) -> list[tuple]:
    return [(c["kind"], c["outcome"], [(x["line"], x["status"]) for x in c["citations"]]) for c in data["claims"]]


@pytest.mark.case("review-empty")
def test_an_empty_review_is_a_report_that_says_so(folder, validate_report):
    _, data = check(folder, b"", validate=validate_report)
    assert "the review is empty" in data["diagnostics"] and data["claims"] == []
    assert data["verdict"]["consistency"] == "undetermined"


@pytest.mark.case("review-whitespace")
def test_a_whitespace_review_is_empty(folder, validate_report):
    _, data = check(folder, b"  \n\t\r\n \n", validate=validate_report)
    assert "the review is empty" in data["diagnostics"] and data["claims"] == []


@pytest.mark.case("review-10mb")
def test_a_10_mb_review_is_refused_in_one_line(folder):
    path = folder / "huge.md"
    path.write_bytes(CLAIM.encode() * (10 * 2**20 // len(CLAIM)))
    result = invoke("check", folder / "app.py", path)
    one_error_line(result, "larger than 1 MiB")


@pytest.mark.case("review-latin1")
def test_a_latin1_review_is_decoded_and_said_so(folder, validate_report):
    _, utf8 = check(folder, CLAIM.encode("utf-8"))
    _, data = check(folder, CLAIM.encode("latin-1"), validate=validate_report)
    assert "review decoded as cp1252" in data["diagnostics"]
    assert claims(data) == claims(utf8) and data["claims"][0]["outcome"] == "confirmed"
    assert "Caf\u00e9" in data["claims"][0]["text"]


@pytest.mark.case("review-utf16-bom")
@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_a_utf16_review_with_a_bom_reads_like_utf8(folder, codec, validate_report):
    bom = codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE
    _, utf8 = check(folder, CLAIM.encode("utf-8"))
    _, data = check(folder, bom + CLAIM.encode(codec), validate=validate_report)
    assert "review decoded as utf-16" in data["diagnostics"]
    assert claims(data) == claims(utf8) and "Caf\u00e9" in data["claims"][0]["text"]


@pytest.mark.case("review-crlf")
def test_crlf_line_ends_give_the_same_claims_and_lines(folder):
    text = "# Review\n\n1. " + CLAIM + "2. Line 7 uses `hashlib.md5`, a weak hash.\n\nNo other issues.\n"
    _, lf = check(folder, text.encode())
    _, crlf = check(folder, text.replace("\n", "\r\n").encode())
    assert claims(crlf) == claims(lf) and len(lf["claims"]) >= 2
    assert [(c["span"], c["text"]) for c in crlf["claims"]] == [(c["span"], c["text"]) for c in lf["claims"]]
    assert [x["review_line"] for c in crlf["claims"] for x in c["citations"]] == [
        x["review_line"] for c in lf["claims"] for x in c["citations"]]


@pytest.mark.case("review-markdown-table")
def test_a_markdown_table_gives_one_claim_per_row(folder):
    table = ("| line | issue |\n|---|---|\n| 6 | `subprocess.call(cmd, shell=True)`: command injection |\n"
             "| 7 | `hashlib.md5`: weak hash |\n")
    _, data = check(folder, table.encode())
    assert [(c["outcome"], [x["actual_line"] for x in c["citations"]]) for c in data["claims"]] == [
        ("confirmed", [6]), ("confirmed", [7])]


@pytest.mark.case("review-html-script")
def test_html_and_script_in_the_review_are_inert_in_the_html_report(folder):
    review = ("<script>alert(1)</script>\n\n<b>Line 6</b> `subprocess.call(cmd, shell=True)` is command "
              "injection <img src=x onerror=alert(1)>.\n")
    (folder / "review.md").write_text(review, encoding="utf-8")
    result = invoke("check", folder / "app.py", folder / "review.md", "--format", "html", "--exit-zero")
    assert result.exit_code == 0
    page = Page(result.stdout)
    assert len(page.tags("script")) == 1 and not page.tags("img") and not page.tags("b")
    assert "<script>alert(1)</script>" in "".join(page.text)  # shown as text


@pytest.mark.case("review-ansi")
@pytest.mark.parametrize("fmt", [f.value for f in Format])
def test_ansi_escapes_never_reach_the_terminal(folder, fmt):
    review = "\x1b[2J\x1b]0;owned\x07\x1b[31mLine 6\x1b[0m: `subprocess.call(cmd, shell=True)` is command injection.\n"
    (folder / "review.md").write_text(review, encoding="utf-8")
    result = invoke("check", folder / "app.py", folder / "review.md", "--format", fmt, "--exit-zero")
    assert result.exit_code == 0
    assert "\x1b" not in result.output and "\x07" not in result.output


@pytest.mark.case("review-line-0")
def test_line_0_is_ungrounded(folder):
    _, data = check(folder, b"Line 0 has a SQL injection.\n")
    (claim,) = data["claims"]
    assert claim["outcome"] == "ungrounded" and "line 0" in claim["reason"]


@pytest.mark.case("review-line-huge")
def test_line_10_to_the_12_is_capped_and_ungrounded(folder):
    _, data = check(folder, b"Line 1000000000000 has a command injection.\n")
    (claim,) = data["claims"]
    assert claim["outcome"] == "ungrounded" and [x["line"] for x in claim["citations"]] == [MAX_LINE]


@pytest.mark.case("review-line-negative")
def test_a_negative_line_is_not_read_as_a_line(folder, validate_report):
    _, data = check(folder, b"Line -5 uses a weak hash.\n", validate=validate_report)
    assert all((x["line"] or 1) >= 1 for c in data["claims"] for x in c["citations"])


@pytest.mark.case("review-thousands-claims")
def test_thousands_of_claims_are_each_read(folder):
    items = "".join(f"{n}. Line {n % 7 + 1} uses `subprocess.call(cmd, shell=True)`: command injection.\n"
                    for n in range(1, 5001))
    _, data = check(folder, items.encode())
    assert len(data["claims"]) == 5000 and data["metrics"]["claims"]["total"] == 5000
    assert [c["citations"][0]["line"] for c in data["claims"]] == [n % 7 + 1 for n in range(1, 5001)]
