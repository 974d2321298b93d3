"""Tests for the CWE lexicon: the data file, the hierarchy, and matching reviews' prose."""

from __future__ import annotations

import importlib
import inspect
import itertools
import re
import string
import time
from importlib import metadata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crosscheck import cwe as cwe_module
from crosscheck.cwe import DEFAULT_PATH, Category, Lexicon, LexiconError


@pytest.fixture(scope="module")
def lex() -> Lexicon:
    return Lexicon.default()


ALL_TERMS = sorted((t, c.id) for c in Lexicon.default().categories() for t in c.terms)

# --- the data file -----------------------------------------------------------------------------------


def test_packaged_file_loads_and_default_is_cached(lex: Lexicon) -> None:
    assert DEFAULT_PATH.is_file()
    assert Lexicon.default() is lex
    fresh = Lexicon.load()
    assert fresh is not lex
    assert fresh.categories() == lex.categories()


def test_at_least_65_categories_sorted_by_id(lex: Lexicon) -> None:
    ids = [c.id for c in lex.categories()]
    assert len(ids) >= 65
    assert ids == sorted(set(ids))
    assert all(isinstance(c, Category) and c.name and c.terms for c in lex.categories())


def test_every_parent_exists_and_there_are_no_cycles(lex: Lexicon) -> None:
    for c in lex.categories():
        for p in c.parents:
            assert p in lex, f"CWE-{c.id}: parent CWE-{p} missing"
        assert c.id not in lex.ancestors(c.id), f"CWE-{c.id} is its own ancestor"
        assert set(c.parents) <= lex.ancestors(c.id)


def test_terms_are_lowercase_and_not_ordinary_words(lex: Lexicon) -> None:
    too_generic = {"input", "data", "error", "access", "security", "test", "tests", "mock", "mocks",
                   "configuration", "hardcoded values", "validation", "authentication", "authorization",
                   "encryption", "timeout", "permissions", "logging", "password", "token", "secret", "user"}
    for c in lex.categories():
        for t in c.terms:
            assert t == t.lower() and t == t.strip(), t
            assert t not in too_generic, f"CWE-{c.id}: {t!r} is too generic"


def test_every_term_matches_itself(lex: Lexicon) -> None:
    """Each term, alone, in a sentence or upper-cased, is found whole and for its own category."""
    failures = []
    for term, cwe in ALL_TERMS:
        start = len("The review says: ")
        if lex.find(f"The review says: {term}.") != ((cwe, start, start + len(term)),):
            failures.append((term, cwe, lex.find(f"The review says: {term}.")))
        for text in (term, f"({term.upper()})"):
            if cwe not in lex.match(text):
                failures.append((term, cwe, lex.find(text)))
    assert not failures


# --- the hierarchy ------------------------------------------------------------------------------------

# (child, ancestor) pairs that follow from MITRE's Research view (CWE-1000).
DESCENDS = [
    (259, 798), (321, 798), (328, 327), (328, 326), (78, 77), (77, 74), (78, 74), (89, 943), (89, 74),
    (639, 863), (863, 285), (639, 285), (862, 285), (209, 200), (209, 755), (770, 400), (367, 362),
    (22, 706), (22, 668), (23, 22), (338, 330), (295, 287), (297, 295), (502, 913), (95, 94), (94, 74),
    (1336, 94), (611, 610), (918, 610), (601, 610), (532, 200), (312, 311), (319, 311), (614, 319),
    (614, 311), (256, 522), (1004, 732), (276, 732), (732, 285), (1333, 400), (409, 400), (776, 400),
    (117, 116), (396, 755), (390, 755), (755, 703), (754, 703), (391, 754), (248, 755), (401, 772),
    (772, 404), (780, 327), (1204, 330), (329, 1204), (352, 345), (347, 345), (90, 943), (643, 943),
    (113, 93), (250, 269), (306, 287), (322, 306), (1188, 665), (916, 328), (759, 916), (80, 79),
    (88, 77), (1392, 1391), (1391, 1390), (1390, 287), (798, 1391),
]


@pytest.mark.parametrize("child,ancestor", DESCENDS)
def test_known_ancestry(lex: Lexicon, child: int, ancestor: int) -> None:
    assert ancestor in lex.ancestors(child)
    assert lex.compatible(child, ancestor)
    assert lex.compatible(ancestor, child)


@pytest.mark.parametrize("a,b", [
    (78, 89), (89, 78), (862, 863), (259, 321), (79, 89), (327, 330), (798, 330), (22, 78), (400, 502),
    (295, 319), (639, 862), (611, 776),
])
def test_siblings_and_strangers_are_not_compatible(lex: Lexicon, a: int, b: int) -> None:
    assert not lex.compatible(a, b)


def test_compatibility_basics(lex: Lexicon) -> None:
    assert lex.compatible(78, 78)
    assert lex.compatible(123456, 123456)
    assert not lex.compatible(123456, 78)
    assert lex.ancestors(123456) == frozenset()
    assert lex.ancestors(284) == frozenset()
    assert lex.compatible_any([89, 259], (x for x in [798]))
    assert lex.compatible_any({328}, [22, 327])
    assert not lex.compatible_any([78], [89, 79])
    assert not lex.compatible_any([], [78])
    assert not lex.compatible_any([78], [])


def test_name_and_contains(lex: Lexicon) -> None:
    assert lex.name(78) == "CWE-78 OS Command Injection"
    assert lex.name(999999) == "CWE-999999"
    assert 89 in lex and 999999 not in lex and "89" not in lex
    assert lex.category(89) is not None and lex.category(999999) is None


# --- bandit -------------------------------------------------------------------------------------------


def _bandit_cwes() -> set[int]:
    """Every CWE id bandit can put on an issue: its Cwe constants, its blacklists, and what its plugins use."""
    issue = pytest.importorskip("bandit.core.issue")
    constants = {name: value for name, value in vars(issue.Cwe).items()
                 if name.isupper() and isinstance(value, int) and not isinstance(value, bool)}
    found = {v for v in constants.values() if v}
    for group in ("bandit.blacklists", "bandit.plugins"):
        for ep in metadata.entry_points(group=group):
            module = importlib.import_module(ep.module)
            if group == "bandit.blacklists":
                for checks in ep.load()().values():
                    found.update(int(check["cwe"]) for check in checks if check.get("cwe"))
            source = inspect.getsource(module)
            for name in re.findall(r"\bCwe\.([A-Z_]+)\b", source):
                value = constants.get(name)
                if isinstance(value, int) and value:
                    found.add(value)
            found.update(int(n) for n in re.findall(r"\bcwe\s*=\s*(\d+)", source) if int(n))
    return found


def test_every_cwe_bandit_reports_is_in_the_lexicon(lex: Lexicon) -> None:
    cwes = _bandit_cwes()
    assert len(cwes) >= 15, cwes  # the discovery worked
    assert {78, 89, 259, 327, 502, 703} <= cwes
    missing = sorted(c for c in cwes if c not in lex)
    assert not missing, f"bandit reports CWEs the lexicon lacks: {missing}"


SEMGREP_STYLE_CWES = [
    95, 611, 798, 780, 338, 489, 617, 215, 676, 1336, 918, 601, 352, 384, 614, 1004, 522, 256, 312, 532, 200,
    209, 639, 862, 285, 863, 287, 306, 269, 250, 400, 770, 772, 404, 401, 362, 367, 20, 74, 77, 88, 116, 117,
    434, 409, 776, 1333, 190, 120, 787, 476, 665, 547, 321, 329, 347, 354, 295, 297, 319, 311, 757, 16, 1188,
    73, 23, 59, 377, 379, 276, 732, 749, 915, 943, 90, 643, 113, 1021, 345, 346, 693, 710, 1104, 937, 1395,
    703, 754, 755, 390, 391, 396, 397, 248, 328, 1204, 117, 322, 1327, 1088, 470,
]


def test_cwes_python_rule_packs_report_are_in_the_lexicon(lex: Lexicon) -> None:
    assert [c for c in SEMGREP_STYLE_CWES if c not in lex] == []


# --- matching prose -----------------------------------------------------------------------------------


@pytest.mark.parametrize("text,expected", [
    ("The endpoint is vulnerable to SQL injection because the query is built with an f-string", {89}),
    ("This is an Insecure Direct Object Reference (IDOR).", {639}),
    ("Users can delete any record without proper authorization.", {862}),
    ("Unbounded uploads could lead to Denial of Service (DoS) vulnerabilities.", {400}),
    ("Return a generic message to prevent information leakage through error messages.", {209}),
    ("The settings module contains hard-coded credentials.", {798}),
    ("The password hashing uses MD5.", {328}),
    ("This mentions CWE-1234 directly.", {1234}),
    ("Passing shell=True to subprocess.run enables OS command injection.", {78}),
    ("Calling yaml.load on request bodies allows insecure deserialization.", {502}),
    ("requests.get(url, verify=False) disables certificate validation", {295}),
    ("A hardcoded password is stored in config.py", {259}),
    ("There is a TOCTOU race between the exists() check and open().", {367}),
    ("The regex is prone to catastrophic backtracking (ReDoS).", {1333}),
    ("Attackers can perform SSRF by supplying an internal URL.", {918}),
    ("The XML parser is vulnerable to XXE and the billion laughs attack.", {611, 776}),
    ("Session cookies lack the HttpOnly flag and the Secure flag.", {1004, 614}),
    ("Using pickle on untrusted data (CWE-502) leads to remote code execution.", {502, 94}),
    ("The Flask app runs with debug=True in production.", {489}),
    ("A bare except: pass silently swallows errors.", {390, 396}),
    ("Use the secrets module instead of random.random for tokens.", {338, 330}),
    ("Timing attack: compare the HMAC with hmac.compare_digest.", {208}),
    ("It is a Cross-Site Scripting (XSS) issue; CWE 79.", {79}),
    ("There is no CSRF protection on the form.", {352}),
    ("The redirect target comes from the query string, an open redirect.", {601}),
    ("The key is only 1024-bit RSA, which is inadequate encryption strength.", {326}),
    ("Horizontal privilege escalation lets a user read other users' records.", {639}),
    ("A regex denial of service is possible.", {1333}),
])
def test_match_on_review_sentences(lex: Lexicon, text: str, expected: set[int]) -> None:
    assert set(lex.match(text)) == expected, lex.find(text)


def test_match_authorization_sentence_mentions_authorization_family(lex: Lexicon) -> None:
    found = set(lex.match("The admin endpoint can be called without proper authorization."))
    assert found & {862, 285}


@pytest.mark.parametrize("text", [
    "The tests use mocks extensively.",
    "The code sets up a test environment and configuration flags.",
    "The function returns a list of users sorted by name.",
    "Input data is read from a CSV file and the error is logged.",
    "Dependency injection keeps the database session swappable.",
    "Call model.eval() before inference.",
    "The README lists to-dos for the next release.",
    "Access to the cache is guarded by the configuration object.",
    "The desk booking service stores data in Postgres; see the dosage table.",
    "The hardcoded values in the test fixtures are fine.",
    "Validation errors are returned as JSON with a 422 status.",
    "A CWE list is attached; the md5sum tool checks downloads.",
])
def test_ordinary_prose_matches_nothing(lex: Lexicon, text: str) -> None:
    assert lex.match(text) == (), lex.find(text)


def test_find_spans_and_order(lex: Lexicon) -> None:
    text = "SQL Injection here, and XSS there (CWE-79)."
    assert lex.find(text) == ((89, 0, 13), (79, 24, 27), (79, 35, 41))
    for cwe, start, end in lex.find(text):
        assert cwe in lex.match(text[start:end])


def test_longest_match_wins(lex: Lexicon) -> None:
    assert lex.match("regex denial of service") == (1333,)
    assert lex.match("horizontal privilege escalation") == (639,)
    assert lex.match("privilege escalation") == (269,)
    assert lex.match("os command injection") == (78,)
    assert lex.match("command injection") == (77,)
    assert lex.match("weak password hashing") == (916,)
    assert lex.match("weak password") == (1391,)


def test_separators_and_case_are_flexible(lex: Lexicon) -> None:
    for text in ("hard-coded password", "hardcoded password", "Hard Coded Password", "HARD-CODED\n  PASSWORD"):
        assert lex.match(text) == (259,), text
    for text in ("shell=True", "shell = True", "SHELL=TRUE"):
        assert lex.match(text) == (78,), text
    assert lex.match("cross site scripting") == (79,)
    assert lex.match("Cross-Site\nScripting") == (79,)


def test_word_boundaries(lex: Lexicon) -> None:
    assert lex.match("DES") == (327,)
    assert lex.match("desk design") == ()
    assert lex.match("an md5sum") == ()
    assert lex.match("the XSSFilter class") == ()
    assert lex.match("yaml.load(stream)") == (502,)
    assert lex.match("yaml.load_all(stream)") == ()
    assert lex.match("eval(expr)") == (95,)
    assert lex.match("retrieval(expr)") == ()
    assert lex.match("open('../../etc/passwd')") == (22,)


def test_literal_cwe_mentions(lex: Lexicon) -> None:
    assert lex.match("CWE-89, CWE 78, cwe-1234, CWE:22, CWE\u201179, CWE-0079") == (22, 78, 79, 89, 1234)
    assert lex.match("CWE-0 and XCWE-89 and CWE-") == ()
    assert lex.match("see CWE-99999.") == (99999,)


# --- properties -----------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_match_never_raises_and_is_sorted_unique(text: str) -> None:
    lex = Lexicon.default()
    result = lex.match(text)
    assert all(isinstance(c, int) and c > 0 for c in result)
    assert list(result) == sorted(set(result))
    spans = lex.find(text)
    assert list(spans) == sorted(spans, key=lambda s: (s[1], s[2]))
    assert {cwe for cwe, _, _ in spans} == set(result)
    assert all(0 <= start < end <= len(text) for _, start, end in spans)
    assert all(e1 <= s2 for (_, _, e1), (_, s2, _) in itertools.pairwise(spans))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=string.printable))
def test_ascii_matching_ignores_case(text: str) -> None:
    lex = Lexicon.default()
    assert lex.match(text) == lex.match(text.upper()) == lex.match(text.lower())


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(ALL_TERMS), min_size=1, max_size=8))
def test_terms_joined_in_prose_are_all_found(picked: list[tuple[str, int]]) -> None:
    text = "Findings: " + " ; ".join(t for t, _ in picked) + " ; end."
    assert {c for _, c in picked} <= set(Lexicon.default().match(text))


def _one_scanner_find(text: str) -> tuple[tuple[int, int, int], ...]:
    """The documented matching, done the plain way: every term in one regex, longest at each position."""
    lex = Lexicon.default()
    folded = cwe_module._fold(text)
    found: list[tuple[int, int, int | None]] = [
        (m.start(1), m.end(1), lex._slots[cwe_module._term_key(m.group(1))]) for m in _ONE_SCANNER.finditer(folded)]
    found += [(m.start(), m.end(), int(m.group(1))) for m in cwe_module._CWE_LITERAL.finditer(folded)]
    kept: list[tuple[int, int, int]] = []
    taken: set[int] = set()
    for start, end, cwe in sorted(found, key=lambda c: (c[0] - c[1], c[0])):  # longest first, then earliest
        if taken.isdisjoint(range(start, end)):
            taken.update(range(start, end))
            if cwe is not None:
                kept.append((cwe, start, end))
    return tuple(sorted(kept, key=lambda k: (k[1], k[2])))


_TERMS = sorted(Lexicon.default()._slots)
_ONE_SCANNER = re.compile("(?=(" + "|".join(
    pattern for pattern in (r"(?<!\w)" + cwe_module._trie_regex(cwe_module._trie(t for t in _TERMS if t[0].isalnum()
                                                                               or t[0] == "_")),
                            cwe_module._trie_regex(cwe_module._trie(t for t in _TERMS if not t[0].isalnum()
                                                                    and t[0] != "_")))) + "))")


def _respelled(term: str, separator: str, upper: bool) -> str:
    text = term.replace(" ", separator).replace("=", " = " if separator.strip() == "" else "=")
    return text.upper() if upper else text


_PIECES = st.one_of(
    st.builds(_respelled, st.sampled_from(_TERMS), st.sampled_from([" ", "-", " \n  ", "--", "\t- "]), st.booleans()),
    st.sampled_from(["a", "x", "sql", "eval", "md5", "_", "1", ".", "=", " = ", "(", "`", "/", "-", " ", "\n", "cwe-89",
                     "İ", "ß"]),
    st.text(alphabet="ab=-._(/` \n", max_size=4),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=12))
def test_find_is_the_one_scanner_matching(pieces: list[str]) -> None:
    """Terms compiled per first word on demand find exactly what one scanner of every term finds."""
    text = "".join(pieces)
    assert Lexicon.default().find(text) == _one_scanner_find(text)


def test_find_is_the_one_scanner_matching_on_real_reviews() -> None:
    folders = [Path(__file__).parent / "real_reviews", Path(__file__).parent / "review_corpus"]
    texts = [p.read_text(encoding="utf-8", errors="replace") for folder in folders for p in sorted(folder.rglob("*"))
             if p.is_file()]
    assert len(texts) > 20
    for text in texts:
        assert Lexicon.default().find(text) == _one_scanner_find(text)


def test_terms_are_compiled_only_for_the_words_a_text_holds() -> None:
    lex = Lexicon.load()
    assert lex.match("Possible SQL injection through the query.") == (89,)
    assert set(lex._patterns) <= {"possible", "sql", "injection", "through", "the", "query"}


def test_matching_is_fast(lex: Lexicon) -> None:
    paragraph = ("The handler builds the SQL query with an f-string, which enables SQL injection; it also "
                 "logs the password and calls subprocess.run with shell=True. Consider parameterized queries, "
                 "rate limiting, and the secrets module. Nothing else stands out in this module. ")
    text = paragraph * 800  # ~200 kB
    began = time.perf_counter()
    found = lex.match(text)
    assert time.perf_counter() - began < 5.0
    assert {89, 78, 532, 770, 338} <= set(found)


# --- broken files ---------------------------------------------------------------------------------


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "cwe.toml"
    path.write_text(body, encoding="utf-8")
    return path


GOOD = '''
[[cwe]]
id = 74
name = "Injection"
parents = []
terms = ["injection"]

[[cwe]]
id = 89
name = "SQL Injection"
parents = [74]
terms = ["sql injection", "sqli"]
'''


def test_small_custom_file_loads(tmp_path: Path) -> None:
    lex = Lexicon.load(_write(tmp_path, 'ignore = ["dependency injection"]\n' + GOOD))
    assert [c.id for c in lex.categories()] == [74, 89]
    assert lex.match("SQLi and injection") == (74, 89)
    assert lex.match("dependency injection") == ()
    assert lex.compatible(89, 74)


@pytest.mark.parametrize("body,message", [
    (GOOD.replace("parents = [74]", "parents = [75]"), "parent CWE-75 is not in the lexicon"),
    (GOOD.replace("id = 89", "id = 74"), "CWE-74 is defined twice"),
    (GOOD.replace('terms = ["injection"]', "terms = []"), "no terms"),
    (GOOD.replace('"sqli"', '"injection"'), "duplicates"),
    (GOOD.replace('"sqli"', '"sql-injection"'), "duplicates"),
    (GOOD.replace('"sqli"', '"SQLi"'), "lowercase"),
    (GOOD.replace('"sqli"', '"sqli "'), "must not be empty or start or end"),
    (GOOD.replace("parents = []", "parents = [89]"), "cycle"),
    (GOOD.replace("parents = [74]", "parents = [89]"), "itself"),
    (GOOD.replace("id = 89", 'id = "89"'), "id must be an integer"),
    (GOOD.replace("parents = [74]", "parents = [74]\nseverity = 3"), "unknown key"),
    (GOOD.replace('name = "Injection"\n', ""), "missing key"),
    (GOOD.replace("id = 89", "id = 89\nid = 90"), "not valid TOML"),
    ("title = 'x'\n" + GOOD, "unknown top-level key"),
    ("", "no [[cwe]] tables"),
    (GOOD + "[[cwe\n", "not valid TOML"),
])
def test_broken_files_raise_lexicon_error(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(LexiconError, match=re.escape(message)):
        Lexicon.load(_write(tmp_path, body))


def test_missing_file_raises_lexicon_error(tmp_path: Path) -> None:
    with pytest.raises(LexiconError, match="cannot read"):
        Lexicon.load(tmp_path / "absent.toml")
    assert issubclass(LexiconError, ValueError)
