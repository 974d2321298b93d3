"""The ``github`` format: GitHub Actions workflow commands for the results of a pull request's review that need
attention, on a real git repository checked by the real analyzers; escaping as GitHub's toolkit does it."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_change import commit, git

from conftest import CASES, REPO
from crosscheck.cli import cli
from crosscheck.formats import render
from crosscheck.formats.github_format import command, escape_data, escape_property
from crosscheck.results.report import Report
from crosscheck.run import pipeline

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

WEB = "https://github.com/acme/shop/pull/7"
ODD = "app/we,ird:name.py"
"""A changed file whose name holds the two characters a property must escape."""
BASE_RUN = "import pickle\n\n\ndef load(blob):\n    return pickle.loads(blob)\n"
CHANGED_RUN = BASE_RUN + (
    "\n\nimport hashlib\nimport subprocess\n\n\ndef run(cmd):\n    return subprocess.run(cmd, shell=True)\n"
    "\n\ndef digest(data):\n    return hashlib.md5(data).hexdigest()\n"
    "\n\ndef owner(request, doc):\n    return doc\n")
HOSTILE = ("SQL injection: `cursor.execute(query % blob)` builds a query from <script>alert(1)</script> input "
           "| col ](javascript:alert(1)) 100% sure, really: yes,\nsecond line")
"""A comment body with what Markdown, HTML and workflow commands must not take as their own."""


def _comment(comment_id: int, line: int | None, last_code: str, body: str, login: str = "mona",
             original_line: int | None = None) -> dict:
    """A review comment as ``GET /repos/O/R/pulls/N/comments`` returns it (the keys the reader uses)."""
    return {
        "id": comment_id, "pull_request_review_id": 5, "path": "app/run.py", "line": line,
        "original_line": original_line or line, "start_line": None, "original_start_line": None, "side": "RIGHT",
        "start_side": None, "commit_id": "c" * 40, "original_commit_id": "c" * 40, "subject_type": "line",
        "diff_hunk": f"@@ -1 +1,{original_line or line} @@\n+{last_code}", "body": body,
        "user": {"login": login}, "html_url": f"{WEB}#discussion_r{comment_id}",
    }


COMMENTS = [
    _comment(11, 13, "    return subprocess.run(cmd, shell=True)",
             "**Command injection**: `shell=True` with user-controlled `cmd` allows arbitrary command execution.",
             login="coderabbitai[bot]"),
    _comment(12, 17, "    return hashlib.md5(data).hexdigest()",
             "No weak hashing or weak crypto is used here; `digest` is safe."),
    _comment(13, 21, "    return doc", HOSTILE, login="eve"),
    _comment(14, 20, "def owner(request, doc):",
             "Insecure direct object reference (IDOR): `owner` returns `doc` without checking that "
             "`request.user` owns it."),
    _comment(15, None, "    os.system(cmd)", "Command injection: `os.system(cmd)` runs a shell.", original_line=9),
    _comment(16, 5, "    return pickle.loads(blob)", "Path traversal: `load` reads `blob` from any path."),
]
"""C1 stale (its code is gone), C2 outside the change (line 5 is the base's), C3 confirmed, C4 a contradicted
assurance, C5 unsupported, C6 ungrounded and hostile."""


def make_pr(root: Path) -> tuple[Path, Path]:
    """A repository whose branch ``feature`` changes ``app/run.py`` and adds :data:`ODD`, and its review
    comments (:data:`COMMENTS`) as a JSON export."""
    repo = root / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    commit(repo, {"app/run.py": BASE_RUN}, "base")
    git(repo, "checkout", "-q", "-b", "feature")
    commit(repo, {"app/run.py": CHANGED_RUN, ODD: "def parse(text):\n    return eval(text)\n"}, "change")
    comments = root / "comments.json"
    comments.write_text(json.dumps(COMMENTS), encoding="utf-8")
    return repo, comments


def pr_report(root: Path) -> Report:
    """The real pipeline's report on :func:`make_pr`'s pull request, in line scope from ``main``."""
    repo, comments = make_pr(root)
    return pipeline.run_change(str(repo), [str(comments)], base="main")


@pytest.fixture(scope="session")
def report(tmp_path_factory) -> Report:
    """:func:`pr_report`, made once for the tests of the three pull-request formats (they import it)."""
    return pr_report(tmp_path_factory.mktemp("pr"))


@pytest.fixture
def in_repo(report, monkeypatch) -> Path:
    """The working directory is the repository's root, as in a GitHub Actions job."""
    repo = Path(report.code_path)
    monkeypatch.chdir(repo)
    return repo


_PROPERTY = r"(?:file|line|endLine|title)=[^,:\r\n]*"
COMMAND = re.compile(rf"::(error|warning|notice)(?: ({_PROPERTY}(?:,{_PROPERTY})*))?::([^\r\n]*)")
"""A workflow command as GitHub's runner reads it: no raw ``,`` or ``:`` in a property, no line break."""


def _unescape(value: str) -> str:
    for escaped, raw in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        value = value.replace(escaped, raw)
    return value


def parse(output: str) -> list[tuple[str, dict[str, str], str]]:
    """Every line of ``output`` as (level, properties, message), each one a well-formed command."""
    parsed = []
    for line in output.splitlines():
        match = COMMAND.fullmatch(line)
        assert match, line
        pairs = [p.split("=", 1) for p in match[2].split(",")] if match[2] else []
        parsed.append((match[1], {k: _unescape(v) for k, v in pairs}, _unescape(match[3])))
    return parsed


def test_the_toolkit_escaping():
    assert escape_data("100% sure\r\nnext: a, b") == "100%25 sure%0D%0Anext: a, b"
    assert escape_property("100% sure\r\nnext: a, b") == "100%25 sure%0D%0Anext%3A a%2C b"
    assert escape_property("%3A") == "%253A"  # % first, so an escape in the text stays text
    assert command("warning", [("file", "a,b:c.py"), ("line", 3), ("endLine", None), ("title", "t: x")],
                   "one\ntwo") == "::warning file=a%2Cb%3Ac.py,line=3,title=t%3A x::one%0Atwo"
    assert command("error", [("title", "verdict")], "m") == "::error title=verdict::m"


def test_each_result_that_needs_attention_is_one_command_at_its_place(report, in_repo):
    output = render(report, "github")
    assert output.endswith("\n")
    got = [(level, props.get("file"), props.get("line"), props["title"]) for level, props, _ in parse(output)]
    assert got == [
        ("notice", None, None, "crosscheck: C1 unsupported claim"),  # its code is gone: no place
        ("error", "app/run.py", "17", "crosscheck: C4 contradicted claim"),
        ("error", "app/run.py", "17", "crosscheck: F7 missed by the review (bandit B324)"),
        ("warning", "app/run.py", "17", "crosscheck: F8 missed by the review (semgrep hashlib-weak-hash)"),
        ("notice", "app/run.py", "20", "crosscheck: C5 unsupported claim"),
        ("warning", "app/run.py", "21", "crosscheck: C6 ungrounded claim"),
        ("warning", ODD, "2", "crosscheck: F9 missed by the review (bandit B307)"),
        ("warning", ODD, "2", "crosscheck: F10 missed by the review (semgrep eval-exec-non-literal)"),
    ]  # the confirmed C3 and the low-severity F1, F4 need nothing
    assert render(report, "github") == output  # deterministic


def test_a_claim_names_its_comment_and_hostile_text_stays_in_its_command(report, in_repo):
    output = render(report, "github")
    by_title = {props["title"]: (props, message) for _, props, message in parse(output)}
    props, message = by_title["crosscheck: C6 ungrounded claim"]
    assert props["endLine"] == "21"
    assert message.split("\n") == [
        "C6 (ungrounded): SQL injection: `cursor.execute(query % blob)` builds a query from "
        "<script>alert(1)</script> input | col ](javascript:alert(1)) 100% sure, really: yes, second line",
        "Ungrounded: cites code that is not there: `cursor.execute(query % blob)`",
        f"Comment: {WEB}#discussion_r13 by eve"]
    line = next(x for x in output.splitlines() if "C6 ungrounded" in x)
    assert "100%25 sure, really: yes" in line and "%0AUngrounded" in line  # % and the lines, escaped
    assert "title=crosscheck%3A C6" in line and f"file={ODD.replace(',', '%2C').replace(':', '%3A')}" in output
    _, c4 = by_title["crosscheck: C4 contradicted claim"]
    assert c4.endswith(f"Comment: {WEB}#discussion_r12 by mona")


def test_nothing_outside_the_change(report, in_repo):
    data = report.to_dict()
    outside = {f["id"] for f in data["findings"] if f["outside_change"]}
    assert {"F2", "F3"} <= outside  # pickle.loads on line 5: the base's, and missed
    assert all(data["findings"][int(i[1:]) - 1]["status"] == "missed" for i in ("F2", "F3"))
    assert [c["id"] for c in data["claims"] if c["outside_change"]] == ["C2"]
    output = render(report, "github")
    assert not any(f"{i} " in props["title"] for _, props, _ in parse(output) for i in (*outside, "C2"))
    assert "line=5," not in output


def test_a_contradicted_verdict_is_a_bare_error(monkeypatch):
    monkeypatch.chdir(REPO)
    pair = CASES / "missed_findings"
    report = pipeline.run(str(pair / "code.py"), str(pair / "review.md"))
    (first, *rest) = parse(render(report, "github"))
    assert first[0] == "error" and first[1] == {"title": "crosscheck: the review's verdict is contradicted"}
    assert first[2].startswith("The review states no-defects, and its verdict is contradicted: states no defects")
    assert [props["file"] for _, props, _ in rest] == ["tests/cases/missed_findings/code.py"] * 4


def test_check_writes_the_commands(report, in_repo, tmp_path):
    out = tmp_path / "annotations.txt"
    result = CliRunner().invoke(cli, ["check", ".", str(in_repo.parent / "comments.json"), "--base", "main",
                                      "--format", "github", "--output", str(out), "--exit-zero"])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == render(report, "github")
