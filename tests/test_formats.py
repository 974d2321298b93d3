"""Formats: every format has a renderer; untrusted text cannot reach the terminal raw."""

from __future__ import annotations

from conftest import CASES
from crosscheck.formats import RENDERERS, SUFFIXES, Format, render
from crosscheck.formats.text_format import clean
from crosscheck.load.code import ReviewText
from crosscheck.run import pipeline


def test_every_format_has_a_renderer():
    assert set(RENDERERS) == set(Format) == set(SUFFIXES)
    assert len(set(SUFFIXES.values())) == len(SUFFIXES)  # one file name per format


def test_clean_removes_control_characters():
    assert clean("a\x1b[31mred\x07\nb") == "a\ufffd[31mred\ufffd b"


def test_ansi_in_a_review_does_not_reach_the_terminal():
    text = "- In line 6, `subprocess.run(cmd, shell=True, check=False)` \x1b[2J\x1b[31mis command injection.\n"
    review = ReviewText(path="-", sha256="0" * 64, text=text, encoding="utf-8")
    report = pipeline.run_text(str(CASES / "confirmed_exact" / "code.py"), review)
    for color in (False, True):
        output = render(report, Format.TEXT, color=color)
        assert "\x1b[2J" not in output and "\x1b[31mis" not in output
