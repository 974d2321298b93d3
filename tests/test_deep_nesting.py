"""Reliability case code-deep-nesting: code nested a hundred thousand levels deep (see tests/reliability.py).

``ast`` refuses such a file, and libcst's native parser, given it, takes minutes or crashes the process
(``a.b.b...`` ended in a segfault, ``----...1`` in a MemoryError and exit 3). Each file runs through the
real command in a child process, so that a crash fails the test instead of ending pytest.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crosscheck.grounding import cst_index
from crosscheck.grounding.index import MAX_DEPTH, TOO_DEEP, index_file, nesting_depth
from crosscheck.models import SourceFile
from reliability import Crash

DEEP = {
    "sum": "x = " + "+".join(["1"] * 100_000) + "\n",
    "calls": "x = f" + "()" * 50_000 + "\n",
    "attributes": "x = a" + ".b" * 100_000 + "\n",
    "negations": "x = " + "-" * 100_000 + "1\n",
}
REVIEW = "In deep.py line 1, `x = ` holds user input that reaches `eval`: remote code execution.\n"
BOUND_S = 60.0
"""Generous, for a noisy 2-core machine: crosscheck's own part takes about a second, bandit half a second
and semgrep 4 to 14 s (its rules time out on the line)."""


def check(code: Path, review: Path, *options: str) -> tuple[subprocess.CompletedProcess[str], float]:
    """``crosscheck check CODE REVIEW --format json`` in a child process; a crash is a :class:`Crash`."""
    argv = [sys.executable, "-m", "crosscheck", "check", str(code), str(review), "--format", "json", *options]
    start = time.monotonic()
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=300, check=False)
    except subprocess.TimeoutExpired as err:
        raise Crash(f"no end after {err.timeout} s") from err
    elapsed = time.monotonic() - start
    if proc.returncode not in (0, 1, 2) or "Traceback (most recent call last)" in proc.stderr:
        raise Crash(f"exit {proc.returncode}: {proc.stderr[-3000:]}")
    return proc, elapsed


@pytest.mark.case("code-deep-nesting")
@pytest.mark.parametrize("shape", DEEP)
def test_deeply_nested_code_is_grounded_as_text_within_bounds(tmp_path, shape):
    (tmp_path / "deep.py").write_text(DEEP[shape], encoding="utf-8")
    (tmp_path / "review.md").write_text(REVIEW, encoding="utf-8")
    proc, elapsed = check(tmp_path / "deep.py", tmp_path / "review.md")
    assert proc.returncode in (0, 1), proc.stderr
    assert elapsed < BOUND_S
    report = json.loads(proc.stdout)
    assert report["grounding"]["files"] == [
        {"path": "deep.py", "parser": "text", "error": report["grounding"]["files"][0]["error"]}]
    assert report["grounding"]["files"][0]["error"].startswith(TOO_DEEP)
    said = [d for d in report["diagnostics"] if d.startswith("deep.py: ")]
    assert len(said) == 1 and TOO_DEEP in said[0] and "grounded as plain text" in said[0], report["diagnostics"]
    statuses = {a["name"]: a["status"] for a in report["analyzers"]}
    assert statuses["bandit"] == "partial"  # its ast gives up on the file: said, not a crash
    assert set(statuses.values()) <= {"ok", "partial", "failed"}


@pytest.mark.case("code-deep-nesting")
def test_a_quote_found_a_hundred_thousand_times_on_one_line_is_placed_in_linear_time(tmp_path):
    """``1 + 1`` is in ``x = 1 + 1 + ...`` a hundred thousand times: each place is mapped back to the
    text through its line's runs of non-space characters, found once (found again per place, 200 s)."""
    (tmp_path / "deep.py").write_text("x = " + " + ".join(["1"] * 100_000) + "\n", encoding="utf-8")
    (tmp_path / "review.md").write_text("In deep.py, `1 + 1` is computed at run time.\n", encoding="utf-8")
    proc, elapsed = check(tmp_path / "deep.py", tmp_path / "review.md", "--analyzer", "bandit")
    assert proc.returncode in (0, 1), proc.stderr
    assert elapsed < BOUND_S
    report = json.loads(proc.stdout)
    anchors = [a for c in report["claims"] for a in c["citations"] if a["code"] == "1 + 1"]
    assert anchors and anchors[0]["status"] == "exact", report["claims"]


# --- the depth pre-check -----------------------------------------------------------------------------------


@pytest.mark.case("code-deep-nesting")
@pytest.mark.parametrize(("text", "depth"), [
    ("x = 1\n", 0),
    ("x = [1, 2, (3, 4)]\n", 2),
    ("a.b.c + f()()\n", 6),
    ("x = a < b < c < d\n", 0),  # one comparison, however long
    ("x = '((((' # ((((\n", 0),  # brackets in strings and comments are text
    ('x = """\n(((\n"""\n', 0),
    ("x = (1 +\n     2 +\n     3)\n", 3),
    ("if a:\n    pass\nelif b:\n    pass\nelif c:\n    pass\nelse:\n    pass\nif d:\n    pass\nelif e:\n    pass\n", 2),
    ('print "x"\nif x <> 2:\n        y = 1\n    z = 2\nw = a.b.c.d\n', 3),  # a bad dedent does not stop it
])
def test_nesting_depth_estimates_how_deep_the_tree_goes(text, depth):
    assert nesting_depth(text)[0] == depth


@pytest.mark.case("code-deep-nesting")
def test_nesting_depth_is_linear_and_says_where():
    text = "import os\n\n" + "x = " + "-" * 100_000 + "1\n"
    start = time.monotonic()
    assert nesting_depth(text) == (100_000, 3)
    assert time.monotonic() - start < 5.0  # about 0.15 s
    assert nesting_depth("if a:\n    pass\n" + "elif a:\n    pass\n" * 1000)[0] == 1000


@pytest.mark.case("code-deep-nesting")
def test_libcst_is_never_given_a_file_nested_too_deeply(monkeypatch):
    def refuse(source: SourceFile) -> None:
        raise AssertionError("libcst was given a file nested too deeply")

    monkeypatch.setattr(cst_index, "libcst_index", refuse)
    deep = "x = " + "+".join(["1"] * (MAX_DEPTH + 2)) + "\n"  # ast parses it; libcst would too, just
    # files ast leaves to libcst: Python 2, and a form feed before code (see ast_index.NotMirrored)
    for text in ('print "python 2"\n' + deep, "\fy = 1\n" + deep):
        index = index_file(SourceFile("deep.py", "/nowhere/deep.py", "0" * 64, text))
        assert index.parser == "text" and index.parse_error == f"{TOO_DEEP}: {MAX_DEPTH + 1} levels at line 2"


@pytest.mark.case("code-deep-nesting")
def test_an_elif_chain_too_long_for_the_ast_builder_is_grounded_as_text():
    """ast parses a thousand elifs, its builder recurses too deep, and libcst raised a KeyError (exit 3)."""
    text = "if a:\n    pass\n" + "elif a:\n    pass\n" * 1000
    index = index_file(SourceFile("chain.py", "/nowhere/chain.py", "0" * 64, text))
    assert index.parser == "text" and index.parse_error == f"{TOO_DEEP}: 1000 levels at line 2001"
