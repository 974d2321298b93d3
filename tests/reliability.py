"""The reliability cases of issue 7: one registry, the results a test run records, and docs/reliability.md.

Every case is a hostile or broken input, a failing analyzer, or an interruption. Each gives
either a complete report with a diagnostic in it, or one error line and exit code 2; never a
traceback, never a silently partial report. A test claims a case with ``@pytest.mark.case(ID)``;
during the run, ``conftest.py`` records each case's result (passed, failed, expected failure,
skipped; and whether the failure was a crash or lost data) into :data:`RESULTS`. Then::

    pytest -p no:cacheprovider -m case tests   # every test that claims a case (about 2 minutes)
    python tests/reliability.py                 # writes docs/reliability.md from reports/reliability.json

``test_reliability.py`` fails when docs/reliability.md does not list exactly these cases.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from click.testing import Result

REPO = Path(__file__).resolve().parent.parent
RESULTS = Path(os.environ.get("CROSSCHECK_RELIABILITY_RESULTS", REPO / "reports" / "reliability.json"))
"""Where a test run records each case's result (``reports/`` is not versioned)."""
DOC = REPO / "docs" / "reliability.md"


class Crash(AssertionError):
    """The command crashed: a traceback, exit code 3, or an exception that is not a CrosscheckError."""


class DataLoss(AssertionError):
    """Something the run should have kept is missing or half-written: a report, a cache entry, a claim."""


def invoke(*args: object, input: str | bytes | None = None) -> Result:
    """Run the command line in-process; a traceback, exit code 3 or an uncaught exception is a :class:`Crash`."""
    from click.testing import CliRunner

    from crosscheck.cli import cli

    result = CliRunner().invoke(cli, [str(a) for a in args], input=input)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise Crash(f"uncaught {result.exception!r}") from result.exception
    if result.exit_code == 3 or "Traceback (most recent call last)" in result.stderr:
        raise Crash(result.stderr[-3000:])
    return result


def one_error_line(result: Result, *fragments: str) -> str:
    """Exit code 2 and one line on stderr, ``crosscheck: error: ...`` holding every fragment; that line."""
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("crosscheck: error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0]
    return str(lines[0])


@dataclass(frozen=True)
class Case:
    area: str
    input: str
    behaviour: str


def _cases(area: str, *rows: tuple[str, str, str]) -> dict[str, Case]:
    return {case_id: Case(area, given, behaviour) for case_id, given, behaviour in rows}


REPORT = "report"
EXIT_2 = "exit 2"

CASES: dict[str, Case] = {
    **_cases(
        "review",
        ("review-empty", "an empty review", f"{REPORT}; diagnostic 'the review is empty', verdict undetermined"),
        ("review-whitespace", "a review of spaces, tabs and newlines", f"{REPORT}; diagnostic 'the review is empty'"),
        ("review-10mb", "a 10 MB review", f"{EXIT_2}: 'larger than 1 MiB' (reviews up to 1 MiB, comment exports up to 16 MiB)"),
        ("review-latin1", "a Latin-1 review", f"{REPORT}; diagnostic 'review decoded as cp1252', text intact"),
        ("review-utf16-bom", "a UTF-16 review with a BOM", f"{REPORT}; diagnostic 'review decoded as utf-16', "
         "the same claims as in UTF-8"),
        ("review-binary", "a binary review (NUL bytes)", f"{EXIT_2}: 'looks binary'"),
        ("review-crlf", "a review with CRLF line ends", f"{REPORT}; the same claims and cited lines as with LF"),
        ("review-markdown-table", "findings as a Markdown table", f"{REPORT}; one claim per row, cited lines grounded"),
        ("review-html-script", "HTML and <script> in the review", f"{REPORT}; the HTML report escapes it "
         "(no live tag)"),
        ("review-ansi", "ANSI escape sequences in the review", f"{REPORT}; no ESC byte in any format on stdout"),
        ("review-line-0", "a claim citing line 0", f"{REPORT}; the claim is ungrounded: 'line 0'"),
        ("review-line-huge", "a claim citing line 10^12", f"{REPORT}; the line is capped at 10,000,000 and the claim "
         "is ungrounded"),
        ("review-line-negative", "a claim citing line -5", f"{REPORT}; '-5' is not read as a line; no crash"),
        ("review-thousands-claims", "5,000 numbered claims", f"{REPORT}; 5,000 claims, each with its citation"),
    ),
    **_cases(
        "code",
        ("code-syntax-error", "a file that does not parse", f"{REPORT}; bandit partial, grounded as plain text, "
         "diagnostics say both"),
        ("code-python2", "Python 2 syntax", f"{REPORT}; bandit partial, grounded as plain text, diagnostics say so"),
        ("code-empty", "an empty file", f"{REPORT}; no findings, analyzers ok"),
        ("code-not-python", "a YAML file given as the code", f"{REPORT}; analyzers partial, grounded as plain text"),
        ("code-thousands-files", "a folder of 1,500 files", f"{REPORT}; every file analyzed by both analyzers"),
        ("code-symlink-loop", "link loops and a dangling link in a folder", f"{REPORT}; the walk ends, each "
         "unreadable link named in diagnostics"),
        ("code-symlink-loop-root", "a link loop given as the code", f"{EXIT_2}: 'a dangling symbolic link or a link "
         "loop'"),
        ("code-unreadable-file", "an unreadable code file", f"{EXIT_2}: 'cannot read code file'"),
        ("code-unreadable-in-folder", "an unreadable file in a folder", f"{REPORT}; the file named in diagnostics, "
         "the others checked"),
        ("code-missing-path", "a code path that does not exist", f"{EXIT_2}: 'does not exist'"),
        ("code-changes-during-check", "a file changed while the analyzers run", f"{REPORT}; the analyzers partial, "
         "'changed while being checked' with both sha256"),
        ("code-deleted-during-batch", "a batch file deleted between loading and analysis", "that pair not "
         "checked ('removed or became unreadable before it was analyzed'), the others checked"),
    ),
    **_cases(
        "manifest",
        ("manifest-missing-field", "a pair without 'review'", f"{EXIT_2}: names the pair and the missing key"),
        ("manifest-duplicate-id", "two pairs with one id", f"{EXIT_2}: 'duplicate id'"),
        ("manifest-path-escapes", "'../x.py', an absolute path, a link out of the folder", f"{EXIT_2}: 'leaves the "
         "manifest's folder; refused'"),
        ("manifest-unknown-keys", "unknown top-level and pair keys", f"{REPORT}s; one warning line per key"),
    ),
    **_cases(
        "analyzer",
        ("analyzer-missing", "semgrep not installed", f"{REPORT}; semgrep 'missing' with the install command, "
         "bandit's findings kept"),
        ("analyzer-crash", "semgrep crashes (traceback on stderr)", f"{REPORT}; semgrep 'failed' with its last "
         "stderr line, bandit's findings kept"),
        ("analyzer-garbage-output", "non-zero exit and garbage on stdout", f"{REPORT}; semgrep 'failed', bandit's "
         "findings kept"),
        ("analyzer-malformed-json", "truncated JSON, exit 0", f"{REPORT}; semgrep 'failed', bandit's findings kept"),
        ("analyzer-bad-rule-file", "a semgrep rule file with an error", f"{REPORT}; semgrep 'failed' with semgrep's "
         "message, bandit's findings kept"),
        ("analyzer-hang", "semgrep hangs; --timeout 3", f"{REPORT} within the timeout; semgrep 'failed: timed out', "
         "bandit (same timeout, per analyzer) ok"),
        ("analyzer-all-failed", "every analyzer fails", f"{EXIT_2}: 'no analyzer produced a result'"),
        ("analyzer-require", "--require semgrep with semgrep missing or failed", f"{EXIT_2} after the reports are "
         "written; exit 0 when it ran"),
        ("semgrep-offline-flags", "the flags and environment semgrep gets", "--metrics=off, --disable-version-check, "
         "a local rule file, SEMGREP_SEND_METRICS=off"),
        ("semgrep-no-network", "semgrep in a network namespace with no interfaces", f"{REPORT}; semgrep ok and no "
         "AF_INET/AF_INET6 socket call (strace); skipped without unshare -n"),
    ),
    **_cases(
        "pull request",
        ("pr-bad-base", "--base naming no commit, or an option ('--output=x')", f"{EXIT_2}: '--base ... is not a "
         "commit' / 'is not a revision name'; nothing written"),
        ("pr-not-git", "CODE outside a git work tree, without --diff", f"{EXIT_2}: 'not inside a git work tree "
         "(give --diff FILE ...)'"),
        ("pr-diff-not-applying", "a diff whose lines are not the code's", f"{EXIT_2}: 'does not apply to the code' "
         "naming the file and the hunk"),
        ("pr-json-wrong-shape", "JSON that is neither GitHub's nor GitLab's comments", f"{EXIT_2}: names the item "
         "and the first wrong field"),
        ("pr-comment-elsewhere", "a comment on a file the change does not touch", f"{REPORT}; diagnostic 'which "
         "the change does not touch'"),
        ("pr-stale-comment", "a comment on an older commit whose code is gone", f"{REPORT}; its anchor 'stale', "
         "diagnostic 'is stale', the claim not ungrounded"),
    ),
    **_cases(
        "state",
        ("atomic-interrupted-write", "a report write interrupted halfway", "the old file intact or none; no "
         "temporary file left"),
        ("batch-interrupted", "Ctrl-C (SIGINT) during a batch", "exit 130 (or 0 when already done); every report "
         "file present is complete"),
        ("cache-concurrent", "two batches sharing CROSSCHECK_CACHE_DIR at once", "both complete with the same "
         "reports; every cache entry valid JSON, no temporary file left"),
        ("cache-unusable", "CROSSCHECK_CACHE_DIR naming a regular file, or a folder below one", "exit 0, the "
         "reports and the summary written; one warning that the batch runs without a cache"),
        ("cache-failed-run-not-reused", "a batch whose semgrep failed, run again with semgrep working",
         "the second run runs semgrep again (a report with a failed or missing analyzer is not cached)"),
        ("code-never-executed", "code that writes a file when imported or run", "the file is never written"),
        ("no-shell", "every subprocess call of crosscheck", "argv lists; no 'shell=True' text in the package, and "
         "ruff S602/S604/S605/S307/S102 find no shell and no eval/exec"),
    ),
    **_cases(
        "review (round two)",
        ("review-regex-linear", "1 MiB adversarial lines for every review-reader pattern (' \\t#' repeated, "
         "'a`' after '``', '``a' repeated, hypothesis)", "time grows linearly with the input for every pattern"),
        ("review-fifo", "a FIFO as the review (check, and in a batch manifest)", f"{EXIT_2}: 'not a regular file'; "
         "nothing blocks"),
    ),
    **_cases(
        "code (round two)",
        ("code-deep-nesting", "x = 1+1+... (100k), f()()()... (50k), a.b.b... (100k), ----...1 (100k)",
         f"{REPORT} within 10 s and 500 MB; the file grounded as plain text with a diagnostic"),
        ("code-symlink-escape", "a link in the code folder to a file outside it", f"{REPORT}; the outside file "
         "left out (its text in no report) and named in diagnostics; --follow-links takes it in"),
        ("code-special-files-named", "a FIFO and a link to /dev/zero in a code folder", f"{REPORT}; each left "
         "out and named in diagnostics with the reason"),
        ("code-non-utf8-names", "a file named b'\\xff\\xfe.py' as folder member, as the code and as the review",
         f"member: {REPORT}, left out and named escaped; code or review: {EXIT_2} naming it escaped"),
    ),
    **_cases(
        "input files (round two)",
        ("csv-cell-huge", "a manifest CSV cell over 128 KiB", f"{EXIT_2}: names the file and the limit"),
        ("nested-100k", "JSONL, JSON comments and TOML nested 100,000 deep", f"{EXIT_2}: 'nested too deeply'"),
    ),
    **_cases(
        "output (round two)",
        ("output-special-files", "--output naming a character device, a FIFO, a link to /dev/stdout",
         "written through by opening it; never replaced by a regular file"),
        ("output-dir-below-file", "--output-dir below a regular file", f"{EXIT_2}: names the file in the way"),
        ("output-is-directory", "--output naming an existing directory", f"{EXIT_2}: 'is a directory'"),
        ("batch-long-pair-id", "a 250-character pair id (and ids differing only past the limit)", "every report "
         "and summary.json written; the file name bounded with a hash suffix, unique"),
        ("batch-disk-full", "ENOSPC while writing reports", f"{EXIT_2}: one line naming how many pairs were written; "
         "the cache consistent"),
    ),
    **_cases(
        "resources (round two)",
        ("analyzer-output-cap", "an analyzer printing 500 MB", f"{REPORT}; that analyzer 'failed: output larger "
         "than ...', crosscheck's memory bounded"),
        ("batch-sigterm", "SIGTERM during a batch", "exit 143; no crosscheck-batch-* or crosscheck-semgrep-* "
         "folder left in TMPDIR; every report file present is complete"),
    ),
    **_cases(
        "property",
        ("prop-review-reader", "any Markdown-like text (hypothesis)", "claims lie inside the review, lines capped"),
        ("prop-citation-parser", "any text (hypothesis)", "citations never fail, lines counted from the first"),
        ("prop-html-formatter", "any review and code text (hypothesis)", "the HTML report parses and holds no tag "
         "from the input"),
        ("fuzz-review-reader", "random bytes through decode and read (tox -e fuzz: 20,000 examples)",
         "no exception but InputError; skipped outside tox -e fuzz"),
    ),
}


def load_results(path: Path = RESULTS) -> dict[str, dict[str, Any]]:
    """The results a test run recorded, by case id (empty when there are none)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def render(results: dict[str, dict[str, Any]]) -> str:
    """docs/reliability.md: the figures of the run, then one row per case."""
    ran = [results[c] for c in CASES if c in results]
    count = {outcome: sum(r.get("outcome") == outcome for r in ran)
             for outcome in ("passed", "failed", "xfailed", "skipped")}
    crashes = sum(r.get("kind") == "crash" for r in ran)
    lost = sum(r.get("kind") == "data-lost" for r in ran)
    tried = count["passed"] + count["failed"] + count["xfailed"]
    lines = [
        "# Reliability: bad input, failing analyzers, hostile content",
        "",
        "Each case gives a complete report with a diagnostic in it, or one error line and exit code 2;",
        "never a traceback, never a silently partial report. The cases are registered in",
        "`tests/reliability.py`; the figures and the results below come from the last test run",
        "(`python tests/reliability.py` renders this page from `reports/reliability.json`, which the run",
        "writes; see the module's docstring for the command). A known gap is a strict expected failure:",
        "its test states the behaviour wanted and fails today; the row says what is missing.",
        "",
        f"**Cases tried: {tried} of {len(CASES)}: {count['passed']} passed, {count['xfailed']} known gaps, "
        f"{count['failed']} failed ({count['skipped']} skipped, {len(CASES) - len(ran)} not run). "
        f"Crashes: {crashes}. Data lost: {lost}.**",
        "",
        "| case | input | behaviour | result | test |",
        "|---|---|---|---|---|",
    ]
    for case_id, case in CASES.items():
        result = results.get(case_id, {})
        outcome = _OUTCOMES.get(str(result.get("outcome")), "not run")
        if result.get("kind"):
            outcome += f" ({result['kind']})"
        tests = "<br>".join(f"`{t}`" for t in dict.fromkeys(t.split("[")[0] for t in result.get("tests") or ()))
        lines.append(f"| `{case_id}` ({case.area}) | {_cell(case.input)} | {_cell(case.behaviour)} | {outcome} "
                     f"| {tests} |")
    return "\n".join(lines) + "\n"


_OUTCOMES = {"passed": "passed", "failed": "**FAILED**", "xfailed": "known gap", "skipped": "skipped"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;")


def main(argv: list[str]) -> int:
    results = load_results(Path(argv[0]) if argv else RESULTS)
    if not results:
        print(f"no results in {RESULTS}; run the tests first (see {Path(__file__).name}'s docstring)", file=sys.stderr)
        return 2
    DOC.write_text(render(results), encoding="utf-8")
    print(f"wrote {DOC.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
