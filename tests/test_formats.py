"""Formats: the registry (entry points, found without loading, a plugin format, broken plugins named), every
built-in format registered; untrusted text cannot reach the terminal raw."""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from conftest import CASES
from crosscheck import formats
from crosscheck.cli import cli
from crosscheck.errors import InputError, PluginError
from crosscheck.formats import RENDERERS, SUFFIXES, Format, ReportFormat, render
from crosscheck.formats.text_format import clean
from crosscheck.load.code import ReviewText
from crosscheck.results.report import Report
from crosscheck.run import pipeline
from crosscheck.run.outputs import write_reports

PAIR = CASES / "confirmed_exact"


def _shout(report: Report, color: bool = False) -> str:
    return f"{report.to_dict()['verdict']['consistency'].upper()}!\n"


SHOUT = ReportFormat(name="shout", suffix="shout.txt", render=_shout, order=35)
"""A throwaway plugin format, written between sarif (30) and junit (40)."""


def _ep(name: str, value: str) -> importlib.metadata.EntryPoint:
    return importlib.metadata.EntryPoint(name=name, value=value, group=formats.GROUP)


@pytest.fixture(scope="module")
def report() -> Report:
    return pipeline.run(str(PAIR / "code.py"), str(PAIR / "review.md"))


def test_every_builtin_format_is_a_registered_plugin_in_its_order():
    # Replaces the test of the closed enum: the registry is what --format offers and --output-dir writes.
    assert [n for n in formats.names() if n in set(Format)] == [f.value for f in Format]
    written = [f.value for f in Format if formats.load(f).default]
    assert written == ["text", "json", "sarif", "junit", "markdown", "html"]  # the CI channels' only when asked
    assert [n for n in formats.defaults() if n in set(Format)] == written
    for name in formats.names():
        fmt = formats.load(name)
        assert isinstance(fmt, ReportFormat) and fmt.name == name
    assert set(RENDERERS) == set(SUFFIXES) == set(formats.defaults()) >= set(written)
    assert set(formats.names()) >= set(Format)
    suffixes = [formats.suffix(name) for name in formats.names()]
    assert len(set(suffixes)) == len(suffixes)  # one file name per format
    assert [formats.load(f).order for f in Format] == [10, 20, 30, 40, 50, 60, 70, 80, 85, 90, 95]


def test_an_unknown_format_is_one_clear_error(report):
    with pytest.raises(InputError, match=r"unknown format 'pdf' \(known: text, json, sarif, junit, markdown, html"):
        render(report, "pdf")


def test_finding_the_formats_loads_none_of_them():
    probe = ("import sys\nfrom crosscheck import formats\nfrom crosscheck.formats import page\n"
             "print(formats.names())\n"
             "print(sorted(m for m in sys.modules if m.startswith('crosscheck.formats.')))\n"
             "import crosscheck.formats.html_format, crosscheck.formats.dataset_html, crosscheck.formats.index_html\n"
             "print(page.environment.cache_info().currsize)\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == str(tuple(f.value for f in Format))
    assert out[1] == str(["crosscheck.formats.base", "crosscheck.formats.page"])  # no format module
    assert out[2] == "0"  # importing the pages builds no jinja2 environment and compiles no template


def test_a_plugin_format_is_found_ordered_rendered_and_written(report, tmp_path):
    eps = (*formats.installed(), _ep("shout", "test_formats:SHOUT"))
    assert formats.names(eps) == (*(f.value for f in Format), "shout")
    assert formats.defaults(eps) == ("text", "json", "sarif", "shout", "junit", "markdown", "html")
    assert formats.load("shout", eps).render(report, False) == "CONSISTENT!\n"


def test_a_report_folder_gets_the_plugin_formats_file(report, tmp_path, monkeypatch):
    eps = (*formats.installed(), _ep("shout", "test_formats:SHOUT"))
    monkeypatch.setattr(formats, "installed", lambda: eps)
    assert render(report, "shout") == "CONSISTENT!\n"
    assert write_reports(report, tmp_path, "pair", ["shout", "json"]) == ("pair.shout.txt", "pair.json")
    assert (tmp_path / "pair.shout.txt").read_text(encoding="utf-8") == "CONSISTENT!\n"

    out = tmp_path / "out"  # with no format chosen, check --output-dir writes every installed one, in order
    result = CliRunner().invoke(cli, ["check", str(PAIR / "code.py"), str(PAIR / "review.md"), "--output-dir", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "review.shout.txt").read_text(encoding="utf-8") == "CONSISTENT!\n"
    files = json.loads((out / "summary.json").read_text(encoding="utf-8"))[0]["files"]
    assert files == ["review.txt", "review.json", "review.sarif", "review.shout.txt", "review.junit.xml",
                     "review.md", "review.html"]


def test_a_broken_format_plugin_is_named_with_its_distribution(tmp_path):
    info = tmp_path / "shoddy_formats-0.3.dist-info"  # an installed distribution's metadata, without installing
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: shoddy-formats\nVersion: 0.3\n", encoding="utf-8")
    (info / "entry_points.txt").write_text("[crosscheck.formats]\nbroken = no_such_module_xyz:FORMAT\n"
                                           "odd = os.path:join\nloud = test_formats:SHOUT\n", encoding="utf-8")
    eps = [ep for dist in importlib.metadata.distributions(path=[str(tmp_path)]) for ep in dist.entry_points]
    assert formats.names(eps) == ("broken", "loud", "odd")  # found from metadata alone
    with pytest.raises(PluginError, match=r"format plugin 'broken' \(from shoddy-formats 0.3\) failed to load"):
        formats.load("broken", eps)
    with pytest.raises(PluginError, match=r"'odd' \(from shoddy-formats 0.3\) is not a crosscheck ReportFormat"):
        formats.load("odd", eps)
    with pytest.raises(PluginError, match="'loud'.*calls itself 'shout'"):
        formats.load("loud", eps)
    with pytest.raises(PluginError, match="'broken'"):
        formats.defaults(eps)


def test_clean_removes_control_characters():
    assert clean("a\x1b[31mred\x07\nb") == "a\ufffd[31mred\ufffd b"


def test_ansi_in_a_review_does_not_reach_the_terminal():
    text = "- In line 6, `subprocess.run(cmd, shell=True, check=False)` \x1b[2J\x1b[31mis command injection.\n"
    review = ReviewText(path="-", sha256="0" * 64, text=text, encoding="utf-8")
    report = pipeline.run_text(str(CASES / "confirmed_exact" / "code.py"), review)
    for color in (False, True):
        output = render(report, Format.TEXT, color=color)
        assert "\x1b[2J" not in output and "\x1b[31mis" not in output


def test_the_text_file_report_cuts_nothing_short():
    """Without colour (a file, a pipe) every claim's text and reason and every finding's message is there
    whole, one block each; in colour, rich's tables (which fold and cut long cells to the width)."""
    long = "x" * 150
    text = (f"- In line 6, `subprocess.run(cmd, shell=True, check=False)` is command injection: {long}.\n"
            "- No other security defects are detected in the code.\n")
    report = pipeline.run_text(str(CASES / "confirmed_exact" / "code.py"),
                               ReviewText(path="-", sha256="0" * 64, text=text, encoding="utf-8"))
    data = report.to_dict()
    plain = render(report, Format.TEXT)
    assert long in plain and "\u2026" not in plain
    for claim in data["claims"]:
        assert f"    claim: {clean(claim['title'] or claim['text'])}\n" in plain
        assert f"    why: {clean(claim['reason'])}\n" in plain
    assert data["findings"]
    for finding in data["findings"]:
        assert f"    message: {clean(finding['message'])}\n" in plain
    colored = render(report, Format.TEXT, color=True)
    assert "\u2503" in colored or "\u2502" in colored  # a rich table
    assert "\u2502" not in plain and "\u2503" not in plain
