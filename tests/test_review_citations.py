"""Citations: line references, quoted code, plain identifiers, files, suggestions."""

import pytest

from conftest import growth
from crosscheck.review import citations
from crosscheck.review.citations import extract, looks_like_code
from crosscheck.review.model import CitationKind, CitationRole


def _cites(text):
    return [(c.kind.value, c.role.value, c.line, c.end_line, c.code) for c in extract(text, 1)]


@pytest.mark.parametrize("text, expected", [
    ("see line 40", [(40, 40)]),
    ("lines 47-48 are odd", [(47, 48)]),
    ("(line 477)", [(477, 477)]),
    ("lines 476-477", [(476, 477)]),
    ("at L40 we", [(40, 40)]),
    ("line 40 and 42", [(40, 40), (42, 42)]),
    ("at lines 155-167", [(155, 167)]),
    ("in line 86.", [(86, 86)]),
    ("flags (e.g., lines 47-48, 56-57)", [(47, 48), (56, 57)]),
    ("lines 10 to 12", [(10, 12)]),
])
def test_line_references(text, expected):
    assert [(c.line, c.end_line) for c in extract(text, 1)] == expected


def test_line_and_code_in_one_sentence_pair_up():
    cites = _cites("In line 40, `self.assertEqual(a, b)`, the value is unchecked.")
    assert cites == [("code", "anchor", 40, 40, "self.assertEqual(a, b)")]


def test_code_in_another_sentence_is_not_paired():
    cites = _cites("Line 3 is odd. Also `foo()` is called.")
    assert ("line", "anchor", 3, 3, None) in cites
    assert ("code", "anchor", None, None, "foo()") in cites


def test_suggested_api_is_a_suggestion_not_an_anchor():
    cites = _cites("The value is read directly; consider using the `api.get_server()` method instead.")
    assert cites == [("code", "suggestion", None, None, "api.get_server()")]


def test_instead_of_names_the_anchor():
    cites = _cites("Use `yaml.safe_load` instead of `yaml.load`.")
    assert ("code", "suggestion", None, None, "yaml.safe_load") in cites
    assert ("code", "anchor", None, None, "yaml.load") in cites


def test_plain_text_identifiers():
    cites = _cites("The test raises HypervisorUnavailable via mock.patch.object and calls get_flavors() on nova.db.api.")
    codes = {c[4] for c in cites if c[0] == "identifier"}
    assert codes == {"HypervisorUnavailable", "mock.patch.object", "get_flavors()", "nova.db.api"}


def test_prose_in_backticks_and_abbreviations_are_not_code():
    assert _cites("```No security defects are detected in the code```") == []
    assert _cites("Mocks (e.g. fixtures) and i.e. helpers, etc.") == []
    assert not looks_like_code("a phrase in backticks")


def test_file_names():
    cites = extract("The handler in app/views.py at line 3 is unsafe.", 1)
    assert any(c.kind is CitationKind.FILE and c.code == "app/views.py" for c in cites)
    assert any(c.line == 3 and c.file == "app/views.py" for c in cites)


def test_review_line_is_the_line_of_the_sentence():
    cites = extract("First sentence.\nSecond has line 9.", 10)
    assert [(c.line, c.review_line) for c in cites] == [(9, 11)]
    assert all(c.role is CitationRole.ANCHOR for c in cites)


ROLE_EXAMPLES = {
    "instead of (before)": ("Use a parameterized query instead of `cursor.execute(sql % args)`.", "anchor"),
    "negated (before)": ("The module does not use `eval(data)` anywhere.", "negated"),
    "negated (after)": ("`pickle.loads(blob)` is never called on user data.", "negated"),
    "suggest (before)": ("Consider `secrets.token_hex(16)` for the token.", "suggestion"),
    "suggest an example (before)": ("Use a safe loader such as `yaml.safe_load(text)`.", "suggestion"),
    "suggesting clause (before)": ("You could rewrite the lookup with `cursor.execute(sql, params)`.", "suggestion"),
    "instead (after)": ("`subprocess.run(args)` would be safer instead.", "suggestion"),
    "instead of (after)": ("`secrets.choice(words)` instead of the random module.", "suggestion"),
}


def _first_cue(sentence: str, code: str) -> str:
    start = sentence.index(f"`{code}`")
    end = start + len(code) + 2
    context = {citations._Side.BEFORE: sentence[max(0, start - citations._Side.BEFORE.value):start],
               citations._Side.AFTER: sentence[end:end + citations._Side.AFTER.value]}
    return next(c.name for c in citations._ROLE_CUES if c.pattern.search(context[c.side]))


@pytest.mark.parametrize("name", list(ROLE_EXAMPLES))
def test_every_role_cue_decides_some_sentence(name):
    sentence, role = ROLE_EXAMPLES[name]
    [cited] = [c for c in extract(sentence, 1) if c.kind is CitationKind.CODE]
    assert (cited.role.value, _first_cue(sentence, cited.code)) == (role, name)


def test_role_cues_are_all_exemplified_and_read_their_own_side():
    assert list(ROLE_EXAMPLES) == [c.name for c in citations._ROLE_CUES]
    for cue in citations._ROLE_CUES:
        pattern = cue.pattern.pattern
        assert pattern.endswith("$") if cue.side is citations._Side.BEFORE else pattern.startswith("^"), cue.name


# Line citations that name their file, as review bots, CLI reviewers and code hosts write them (CodeRabbit and
# Copilot comments cite `path/file.py:10-14`, GitHub permalinks end in #L10-L14, GitLab's in #L10-14, Claude Code
# reports write `file.py:247`, flake8/bandit-style output `file.py:12:5`). Names and numbers here are made up.
@pytest.mark.parametrize("text, expected", [
    ("In `app/views.py:42`, the query is built with an f-string.", ("app/views.py", 42, 42)),
    ("See app.py:10-14 for the shell call.", ("app.py", 10, 14)),
    ("`config.py:L56` reads the key from the environment.", ("config.py", 56, 56)),
    ("app/db.py#L7-L9 concatenates user input into SQL.", ("app/db.py", 7, 9)),
    ("The scanner reports app.py:12:5 (B602).", ("app.py", 12, 12)),
    ("https://github.com/acme/shop/blob/0123abcd/src/shop/db.py#L33-L35 builds SQL from input.",
     ("src/shop/db.py", 33, 35)),
    ("https://gitlab.com/acme/shop/-/blob/main/shop/db.py#L7-9 builds SQL from input.", ("shop/db.py", 7, 9)),
])
def test_a_line_citation_naming_its_file_is_read_with_its_file(text, expected):
    cites = extract(text, 1)
    lines = [(c.file, c.line, c.end_line) for c in cites if c.line is not None]
    assert lines == [expected]
    assert not [c for c in cites if c.kind is CitationKind.CODE and any(ch in (c.code or "") for ch in ":#/")]


def test_a_path_line_citation_pairs_with_the_code_it_heads_and_scopes_it():
    cites = extract("`src/app.py#L10-L14`: `subprocess.call(cmd, shell=True)` is unsafe.", 1)
    assert [(c.kind, c.line, c.end_line, c.code, c.file) for c in cites if c.line] == [
        (CitationKind.CODE, 10, 14, "subprocess.call(cmd, shell=True)", "src/app.py")]


def test_an_abbreviated_line_is_a_line_and_does_not_end_the_sentence():
    assert [(c.kind, c.line) for c in extract("The token is hard-coded (l. 10) and reused.", 1)] == [
        (CitationKind.LINE, 10)]


# Backticked text that names something else than the code (seen in bot and CLI reviews): a file, a path or a
# payload, a URL, an analyzer's rule id, a severity. None of it is quoted code that could be "absent".
@pytest.mark.parametrize("text, expected", [
    ("The key is read in `config.py`.", [("file", "config.py")]),
    ("A payload such as `../../etc/passwd` reaches `open(path)`.", [("code", "open(path)")]),
    ("See `https://owasp.org/www-community/attacks/Command_Injection`.", []),
    ("bandit's `B602` and semgrep's `python.lang.security.audit.dangerous-subprocess-use` fire here.", []),
    ("Severity: `High`. The settings live in `settings.yaml`.", []),
    ("It calls `hashlib.md5(data)` and reads `request.json` without checks.",
     [("code", "hashlib.md5(data)"), ("code", "request.json")]),
])
def test_backticked_names_of_other_things_are_no_quoted_code(text, expected):
    assert [(c.kind.value, c.code) for c in extract(text, 1)] == expected


def test_the_not_code_pattern_stays_linear_on_long_spans():
    # a dotted name with no dash: the rule-id alternative must fail fast
    assert growth(citations._NOT_CODE.match, lambda n: "a" + ".b" * n + "x", 100_000) < 12


# Review bots propose fixes as unified diffs (CodeRabbit's "Proposed fix" blocks) or as GitHub suggestion blocks.
DIFF_REVIEW = """The command goes through a shell:

```diff
@@ -15,3 +15,3 @@
 def other():
-    value = compute_value()
+    value = compute_value(strict=True)
     return value
```
"""


def test_a_diff_quotes_the_old_code_as_an_anchor_and_proposes_the_new_as_a_suggestion():
    assert [(c.kind, c.role, c.code) for c in extract(DIFF_REVIEW, 1)] == [
        (CitationKind.CODE, CitationRole.ANCHOR, "def other():\n    value = compute_value()\n    return value"),
        (CitationKind.CODE, CitationRole.SUGGESTION, "value = compute_value(strict=True)")]


def test_a_suggestion_block_is_the_proposed_code_only():
    review = "Pass the arguments as a list:\n\n```suggestion\n    subprocess.run(['ls', path])\n```\n"
    assert [(c.role, c.code) for c in extract(review, 1)] == [
        (CitationRole.SUGGESTION, "subprocess.run(['ls', path])")]


def test_a_linters_line_relayed_by_a_bot_is_a_line_citation():
    # CodeRabbit relays Ruff's findings as "START-END: message (RULE)" lines in a collapsed block
    text = "Shell use.\n\n12-14: `subprocess` call with `shell=True` identified, security issue (S602)\n"
    cited = [(c.line, c.end_line, c.code) for c in extract(text, 1) if c.line is not None]
    assert cited == [(12, 14, "subprocess")]
    assert extract("The range 12-14: not a citation in prose.", 1) == ()
