"""Ground-truth labels: the label file, and the three-way comparison on real analyzer runs."""

from __future__ import annotations

import functools
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO
from crosscheck.errors import CrosscheckError, InputError
from crosscheck.load.labels import Label, Labels, LabelsError, load_labels
from crosscheck.reconcile.labels import LabelComparison, compare, comparison_dict
from crosscheck.results.report import Report
from crosscheck.run import pipeline

ARCHIVE = REPO / "samples" / "archive"
QUICKSTART = REPO / "samples" / "quickstart"


@functools.cache
def _report(code: str, review: str) -> Report:
    return pipeline.run(code, review)


def _archive() -> Report:
    return _report(str(ARCHIVE / "restore.py"), str(ARCHIVE / "review.md"))


def _quickstart() -> Report:
    return _report(str(QUICKSTART / "invoices.py"), str(QUICKSTART / "review.md"))


def _write(folder: Path, text: str, name: str = "labels.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _labels(*labels: Label) -> Labels:
    return Labels("test.toml", labels)


def _hits(comparison: LabelComparison) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    return {r.label.id: (r.claims, r.findings) for r in comparison.labels}


def _consistent(comparison: LabelComparison) -> None:
    n = len(comparison.labels)
    for score in (comparison.review, comparison.analyzers):
        assert score.true_positives + score.false_negatives == n
        assert score.false_positives == len(score.unmatched)
        for ratio in (score.precision, score.recall, score.f1):
            assert ratio is None or 0.0 <= ratio <= 1.0
    agreement = comparison.agreement
    assert agreement.both + agreement.review_only + agreement.analyzers_only + agreement.neither == n
    assert comparison.review.true_positives == agreement.both + agreement.review_only
    assert comparison.analyzers.true_positives == agreement.both + agreement.analyzers_only


# -- loading ---------------------------------------------------------------------------------------


def test_the_archive_sample_labels_load():
    labels = load_labels(ARCHIVE / "labels.toml")
    assert labels.path == str(ARCHIVE / "labels.toml")
    assert labels.warnings == ()
    assert [(lab.id, lab.cwe, lab.first, lab.last, lab.path) for lab in labels.labels] == [
        ("tar-slip", (22,), 20, 21, "restore.py"),
        ("pickle-state", (502,), 26, 27, "restore.py"),
        ("chmod-777", (732,), 32, 32, "restore.py"),
        ("predictable-tmp", (377,), 31, 31, "restore.py"),
        ("read-traversal", (22,), 36, 38, "restore.py"),
        ("mktemp", (377,), 42, 42, "restore.py"),
    ]
    assert all(lab.description for lab in labels.labels)


def test_defaults_and_the_accepted_forms(tmp_path):
    labels = load_labels(_write(tmp_path, """
[[defect]]
cwe = "CWE-22"
lines = 41

[[defect]]
cwe = ["cwe-23", 22, "CWE 22"]
lines = [41]
file = "./pkg\\\\util.py"

[[defect]]
id = "x"
cwe = 89
lines = [3, 9]
description = "sql"
"""))
    assert labels.labels == (
        Label("L1", (22,), 41, 41, None, ""),
        Label("L2", (22, 23), 41, 41, "pkg/util.py", ""),
        Label("x", (89,), 3, 9, None, "sql"),
    )


def test_json_labels_read_like_toml(tmp_path):
    toml = load_labels(ARCHIVE / "labels.toml")
    data = {"defect": [{"id": lab.id, "cwe": [f"CWE-{c}" for c in lab.cwe], "lines": [lab.first, lab.last],
                        "file": lab.path, "description": lab.description} for lab in toml.labels]}
    labels = load_labels(_write(tmp_path, json.dumps(data), "labels.json"))
    assert labels.labels == toml.labels
    assert labels.warnings == ()


def test_no_known_defect_is_an_empty_list(tmp_path):
    assert load_labels(_write(tmp_path, "defect = []\n")).labels == ()
    assert load_labels(_write(tmp_path, '{"defect": []}', "labels.json")).labels == ()


def test_unknown_keys_are_warned_about_not_refused(tmp_path):
    path = _write(tmp_path, 'version = 2\n[[defect]]\ncwe = 22\nlines = 4\nseverity = "high"\n'
                            '[[defect]]\nid = "b"\ncwe = 22\nlines = 9\nline = 9\n')
    labels = load_labels(path)
    assert len(labels.labels) == 2
    assert labels.warnings == (
        f"{path}: unknown top-level key 'version' ignored",
        f"{path}: defect 1: unknown key 'severity' ignored",
        f"{path}: defect 2 ('b'): unknown key 'line' ignored",
    )
    comparison = compare(labels, _archive().reconciliation, code=_archive().code)
    assert comparison.notes[:3] == labels.warnings


_ENTRY = 'cwe = 22\nlines = 4\n'


@pytest.mark.parametrize(("body", "message"), [
    ("[[defect\n", "is not valid TOML"),
    ('[[other]]\nx = 1\n', "no [[defect]] entries; write 'defect = []'"),
    ('defect = 3\n', "'defect' must be a list of tables"),
    ('defect = [1]\n', "defect 1: must be a table"),
    ('[[defect]]\nlines = 4\n', "defect 1: missing 'cwe'"),
    ('[[defect]]\ncwe = []\nlines = 4\n', "defect 1: cwe is empty"),
    ('[[defect]]\ncwe = "XSS"\nlines = 4\n', "defect 1: bad cwe 'XSS'"),
    ('[[defect]]\ncwe = 0\nlines = 4\n', "defect 1: bad cwe 0"),
    ('[[defect]]\ncwe = -22\nlines = 4\n', "defect 1: bad cwe -22"),
    ('[[defect]]\ncwe = true\nlines = 4\n', "defect 1: bad cwe True"),
    ('[[defect]]\ncwe = [22, 7.5]\nlines = 4\n', "defect 1: bad cwe 7.5"),
    ('[[defect]]\ncwe = 22\n', "defect 1: missing 'lines'"),
    ('[[defect]]\ncwe = 22\nlines = "4"\n', "defect 1: lines must be a line number or [first, last]"),
    ('[[defect]]\ncwe = 22\nlines = [1, 2, 3]\n', "defect 1: lines must be a line number or [first, last]"),
    ('[[defect]]\ncwe = 22\nlines = []\n', "defect 1: lines must be a line number or [first, last]"),
    ('[[defect]]\ncwe = 22\nlines = 0\n', "defect 1: lines must be 1 or more, not 0"),
    ('[[defect]]\ncwe = 22\nlines = [-1, 4]\n', "defect 1: lines must be 1 or more, not -1"),
    ('[[defect]]\ncwe = 22\nlines = [9, 4]\n', "defect 1: lines [9, 4] end before they start"),
    (f'[[defect]]\nid = "a"\n{_ENTRY}[[defect]]\nid = "a"\n{_ENTRY}', "defect 2: duplicate id 'a'"),
    (f'[[defect]]\nid = "L2"\n{_ENTRY}[[defect]]\n{_ENTRY}', "defect 2: duplicate id 'L2'"),
    (f'[[defect]]\n{_ENTRY}[[defect]]\nid = ""\n{_ENTRY}', "defect 2: id must be a non-empty string"),
    (f'[[defect]]\n{_ENTRY}file = 3\n', "defect 1: file must be a path string"),
    (f'[[defect]]\n{_ENTRY}file = "pkg/"\n', "defect 1: file must name a file"),
    (f'[[defect]]\n{_ENTRY}description = 1\n', "defect 1: description must be a string"),
    ('[[defect]]\nid = "x"\ncwe = 22\nlines = 0\n', "defect 1 ('x'): lines must be 1 or more"),
])
def test_bad_toml_labels_are_refused_in_one_line(tmp_path, body, message):
    path = _write(tmp_path, body)
    with pytest.raises(LabelsError) as err:
        load_labels(path)
    text = str(err.value)
    assert message in text
    assert str(path) in text
    assert "\n" not in text


@pytest.mark.parametrize(("body", "message"), [
    ('{"defect": [', "is not valid JSON"),
    ('[{"cwe": 22, "lines": 4}]', "must hold a 'defect' list of tables, not a list"),
    ('{"defect": [{"cwe": 22, "lines": 4.0}]}', "defect 1: lines must be a line number or [first, last]"),
    ('{"defect": [{"cwe": 22, "lines": 4}, {"cwe": null, "lines": 4}]}', "defect 2: bad cwe None"),
])
def test_bad_json_labels_are_refused_in_one_line(tmp_path, body, message):
    path = _write(tmp_path, body, "labels.json")
    with pytest.raises(LabelsError) as err:
        load_labels(path)
    assert message in str(err.value)
    assert str(path) in str(err.value)
    assert "\n" not in str(err.value)


def test_unusable_label_files_are_input_errors(tmp_path):
    cases = {
        tmp_path / "missing.toml": "does not exist",
        _write(tmp_path, "x", "labels.yaml"): "unknown format; name it *.toml or *.json",
        tmp_path / "folder.toml": "cannot be read",
    }
    (tmp_path / "folder.toml").mkdir()
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00defect")
    cases[binary] = "is not UTF-8 text"
    for path, message in cases.items():
        with pytest.raises(LabelsError) as err:
            load_labels(path)
        assert message in str(err.value), str(err.value)
        assert isinstance(err.value, InputError) and isinstance(err.value, CrosscheckError)  # the CLI exits 2


# -- the comparison on the samples ------------------------------------------------------------------


def test_archive_sample_comparison():
    report = _archive()
    comparison = compare(load_labels(ARCHIVE / "labels.toml"), report.reconciliation, code=report.code)
    assert _hits(comparison) == {
        "tar-slip": (("C2",), ("F2", "F3")),
        "pickle-state": (("C3",), ("F4", "F5")),
        "chmod-777": (("C4",), ("F7", "F8")),
        # C4 (world-writable directory) is also CWE-379, temporary file in an insecure directory:
        "predictable-tmp": (("C4",), ("F6",)),
        "read-traversal": (("C6",), ()),  # unsupported by the analyzers, yet a real defect
        "mktemp": (("C5",), ("F9", "F10")),
    }
    review, analyzers = comparison.review, comparison.analyzers
    assert (review.true_positives, review.false_positives, review.false_negatives) == (6, 0, 0)
    assert (review.precision, review.recall, review.f1) == (1.0, 1.0, 1.0)
    # F1 is bandit's B403 on `import pickle`: a warning, not the defect.
    assert (analyzers.true_positives, analyzers.false_positives, analyzers.false_negatives) == (5, 1, 1)
    assert analyzers.unmatched == ("F1",)
    assert (analyzers.precision, analyzers.recall, analyzers.f1) == (0.8333, 0.8333, 0.8333)
    agreement = comparison.agreement
    assert (agreement.both, agreement.review_only, agreement.analyzers_only, agreement.neither) == (5, 1, 0, 0)
    assert comparison.notes == ()
    _consistent(comparison)


def test_quickstart_sample_comparison():
    report = _quickstart()
    comparison = compare(load_labels(QUICKSTART / "labels.toml"), report.reconciliation, code=report.code)
    assert _hits(comparison) == {
        "sqli": (("C2",), ("F3", "F4")),
        "idor": (("C5",), ()),
        "md5-password": ((), ("F5", "F6")),  # the review assures there is no MD5: not a defect claim
        "shell-injection": (("C4",), ("F7", "F8")),
        "pickle-session": ((), ("F9", "F10")),
    }
    review, analyzers = comparison.review, comparison.analyzers
    # C3 is the SQL finding's remedy (advice); C6 (yaml.load at line 61) and C7 (debug mode at
    # line 112) are ungrounded: false positives.
    assert (review.true_positives, review.false_positives, review.false_negatives) == (3, 2, 2)
    assert review.unmatched == ("C6", "C7")
    assert (review.precision, review.recall, review.f1) == (0.6, 0.6, 0.6)
    # F1, F2: import warnings (pickle, subprocess); F11, F12: the request timeout, not labelled.
    assert (analyzers.true_positives, analyzers.false_positives, analyzers.false_negatives) == (4, 4, 1)
    assert analyzers.unmatched == ("F1", "F2", "F11", "F12")
    assert (analyzers.precision, analyzers.recall, analyzers.f1) == (0.5, 0.8, 0.6154)
    agreement = comparison.agreement
    assert (agreement.both, agreement.review_only, agreement.analyzers_only, agreement.neither) == (2, 1, 2, 0)
    _consistent(comparison)


def test_the_dict_is_plain_sorted_and_deterministic():
    report = _quickstart()
    labels = load_labels(QUICKSTART / "labels.toml")
    data = compare(labels, report.reconciliation, code=report.code).to_dict()
    assert data == comparison_dict(compare(labels, report.reconciliation, code=report.code))
    assert json.loads(json.dumps(data)) == data
    assert sorted(data) == ["agreement", "analyzers", "defects", "file", "notes", "review"]
    assert data["defects"][0] == {
        "id": "sqli", "cwe": [89], "lines": [25, 25], "file": "invoices.py",
        "description": "find_customer() puts the customer name into the SQL text with an f-string",
        "claims": ["C2"], "findings": ["F3", "F4"], "found_by": "both",
    }
    assert [d["found_by"] for d in data["defects"]] == ["both", "review", "analyzers", "both", "analyzers"]
    assert data["review"] == {"true_positives": 3, "false_positives": 2, "false_negatives": 2, "precision": 0.6,
                              "recall": 0.6, "f1": 0.6, "unmatched": ["C6", "C7"]}
    assert data["agreement"] == {"both": 2, "review_only": 1, "analyzers_only": 2, "neither": 0}


# -- edge cases -------------------------------------------------------------------------------------


def test_a_label_no_one_finds():
    unseen = Label("unseen", (89,), 10, 11, "restore.py", "an SQL injection nothing mentions")
    comparison = compare(_labels(unseen), _archive().reconciliation, code=_archive().code)
    (result,) = comparison.labels
    assert (result.claims, result.findings, result.found_by) == ((), (), "neither")
    assert (comparison.review.true_positives, comparison.review.false_negatives) == (0, 1)
    assert comparison.review.false_positives == 5  # every defect claim of the review hits nothing
    assert (comparison.review.precision, comparison.review.recall, comparison.review.f1) == (0.0, 0.0, 0.0)
    assert (comparison.analyzers.true_positives, comparison.analyzers.false_positives) == (0, 10)
    assert comparison.agreement.neither == 1
    _consistent(comparison)


def test_a_label_in_another_file_is_not_hit_by_this_one():
    report = _archive()
    elsewhere = Label("elsewhere", (22,), 20, 21, "other.py")
    here = Label("here", (22,), 20, 21, "restore.py")
    comparison = compare(_labels(elsewhere, here), report.reconciliation, code=report.code)
    assert _hits(comparison) == {"elsewhere": ((), ()), "here": (("C2",), ("F2", "F3"))}
    assert comparison.notes == ("label elsewhere: file 'other.py' is not part of the code; nothing can find it",)
    _consistent(comparison)


def test_a_single_file_may_be_named_by_a_longer_path():
    report = _archive()
    label = Label("long", (22,), 20, 21, "samples/archive/restore.py")
    assert _hits(compare(_labels(label), report.reconciliation, code=report.code)) == {
        "long": (("C2",), ("F2", "F3"))}
    # Without the code, a longer path cannot be told from another file.
    assert _hits(compare(_labels(label), report.reconciliation)) == {"long": ((), ())}


def test_lines_are_near_within_three_and_notes_say_what_cannot_be_found():
    report = _archive()
    labels = _labels(Label("near", (22,), 24, 25, None),  # extractall is at 21: 3 lines away
                     Label("far", (22,), 25, 26, None),  # 4 lines away
                     Label("past", (22,), 90, 90, "restore.py"),
                     Label("odd", (22, 987654), 60, 60, None))
    comparison = compare(labels, report.reconciliation, code=report.code)
    assert _hits(comparison)["near"] == (("C2",), ("F2", "F3"))
    assert _hits(comparison)["far"] == ((), ())
    assert comparison.notes == (
        "label past: line 90 is past the end of restore.py",
        "label odd: CWE-987654 not in the CWE lexicon; only the same id matches it",
        "label odd: line 60 is past the end of restore.py",
    )


def test_cwe_compatibility_goes_through_the_hierarchy():
    report = _quickstart()
    # CWE-327 (broken crypto) is an ancestor of bandit's and semgrep's MD5 findings; CWE-89 is not.
    labels = _labels(Label("crypto", (327,), 38, 38, None), Label("wrong-kind", (89,), 38, 38, None))
    assert _hits(compare(labels, report.reconciliation)) == {"crypto": ((), ("F5", "F6")), "wrong-kind": ((), ())}


def test_a_claim_about_anywhere_hits_only_a_lone_label_of_its_kind(tmp_path):
    review = _write(tmp_path, "The module has security defects.\n\n"
                              "1. **SQL injection.** The customer lookup builds its SQL query from user input, "
                              "so an attacker can inject SQL.\n"
                              "2. **Command injection.** The export builds a shell command from user input, "
                              "so it is vulnerable to OS command injection.\n", "review.md")
    report = _report(str(QUICKSTART / "invoices.py"), str(review))
    claims = {c.grounded.claim.id: c for c in report.reconciliation.claims}
    assert not claims["C2"].grounded.anchors and claims["C2"].grounded.claim.cwe == (89,)
    assert not claims["C3"].grounded.anchors and claims["C3"].grounded.claim.cwe == (77, 78)
    sqli, shell = Label("sqli", (89,), 25, 25, None), Label("shell", (78,), 42, 43, None)
    lone = compare(_labels(sqli, shell), report.reconciliation)
    assert _hits(lone) == {"sqli": (("C2",), ("F3", "F4")), "shell": (("C3",), ("F7", "F8"))}
    assert lone.review.unmatched == ()
    # Two SQL injections: a claim that says where neither is cannot be credited with either.
    two = compare(_labels(sqli, Label("sqli-2", (89,), 33, 33, None), shell), report.reconciliation)
    assert _hits(two)["sqli"][0] == _hits(two)["sqli-2"][0] == ()
    assert two.review.unmatched == ("C2",)
    _consistent(two)


def test_suppressed_findings_neither_hit_nor_count(tmp_path):
    code = _write(tmp_path, "import pickle\n\n\ndef restore_session(blob):\n"
                            "    return pickle.loads(blob)  # nosec B301 # nosemgrep\n\n\n"
                            "def other(blob):\n    return pickle.loads(blob)\n", "session.py")
    review = _write(tmp_path, "No security defects are detected in the code.\n", "review.md")
    report = _report(str(code), str(review))
    status = {f.id: f.status.value for f in report.reconciliation.findings}
    suppressed = sorted(fid for fid, value in status.items() if value == "suppressed")
    assert suppressed, status
    comparison = compare(_labels(Label("one", (502,), 5, 5, None), Label("two", (502,), 9, 9, None)),
                         report.reconciliation)
    assert _hits(comparison)["one"] == ((), ())
    assert _hits(comparison)["two"][1]
    assert not set(suppressed) & set(comparison.analyzers.unmatched)
    assert comparison.analyzers.false_positives == len(status) - len(suppressed) - len(_hits(comparison)["two"][1])
    assert (comparison.analyzers.true_positives, comparison.analyzers.false_negatives) == (1, 1)


def test_a_directory_target_matches_labels_by_path_suffix(tmp_path):
    (tmp_path / "pkg").mkdir()
    shutil.copy(ARCHIVE / "restore.py", tmp_path / "pkg" / "restore.py")
    report = _report(str(tmp_path), str(ARCHIVE / "review.md"))
    assert {f.finding.path for f in report.reconciliation.findings} == {"pkg/restore.py"}
    labels = _labels(Label("full", (22,), 20, 21, "pkg/restore.py"), Label("name", (22,), 20, 21, "restore.py"),
                     Label("other", (22,), 20, 21, "lib/restore.py"), Label("longer", (22,), 20, 21, "x/pkg/restore.py"))
    comparison = compare(labels, report.reconciliation, code=report.code)
    hits = _hits(comparison)
    assert hits["full"][1] == hits["name"][1] == ("F2", "F3")
    assert hits["other"] == hits["longer"] == ((), ())
    assert [n.split(":")[0] for n in comparison.notes] == ["label other", "label longer"]


def test_no_labels_and_no_defect_claims_give_undefined_ratios():
    comparison = compare(_labels(), _archive().reconciliation)
    assert comparison.labels == ()
    assert (comparison.review.precision, comparison.review.recall, comparison.review.f1) == (0.0, None, 0.0)
    assert comparison.analyzers.recall is None
    webhook = _report(str(REPO / "samples" / "webhook" / "webhook.py"), str(REPO / "samples" / "webhook" / "review.md"))
    empty = compare(_labels(), webhook.reconciliation)
    assert (empty.review.true_positives, empty.review.false_positives, empty.review.false_negatives) == (0, 0, 0)
    assert (empty.review.precision, empty.review.recall, empty.review.f1) == (None, None, None)


# -- properties -------------------------------------------------------------------------------------

_random_label = st.tuples(
    st.lists(st.sampled_from([22, 78, 89, 94, 327, 362, 377, 379, 502, 639, 668, 732, 999]),
             min_size=1, max_size=3, unique=True).map(lambda c: tuple(sorted(c))),
    st.integers(1, 50),
    st.integers(0, 6),
    st.sampled_from([None, "restore.py", "other.py", "samples/archive/restore.py"]),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_random_label, max_size=8), st.booleans())
def test_scores_are_consistent_for_any_label_set(drawn, with_code):
    labels = _labels(*(Label(f"L{n}", cwe, first, first + extra, path)
                       for n, (cwe, first, extra, path) in enumerate(drawn, 1)))
    report = _archive()
    comparison = compare(labels, report.reconciliation, code=report.code if with_code else None)
    _consistent(comparison)
    assert [r.label for r in comparison.labels] == list(labels.labels)
    defects = {c.grounded.claim.id for c in report.reconciliation.claims if c.grounded.claim.kind.value == "defect"}
    hitting = {cid for r in comparison.labels for cid in r.claims}
    assert hitting | set(comparison.review.unmatched) == defects and not hitting & set(comparison.review.unmatched)
    found = {fid for r in comparison.labels for fid in r.findings}
    assert found | set(comparison.analyzers.unmatched) == {f.id for f in report.reconciliation.findings}
    assert comparison == compare(labels, report.reconciliation, code=report.code if with_code else None)


def test_labels_with_the_same_id_are_still_told_apart():
    twins = _labels(Label("x", (22,), 20, 21, None), Label("x", (502,), 26, 27, None))
    comparison = compare(twins, _archive().reconciliation)
    assert [(r.claims, r.findings) for r in comparison.labels] == [(("C2",), ("F2", "F3")), (("C3",), ("F4", "F5"))]
