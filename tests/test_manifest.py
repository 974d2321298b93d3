"""Pair manifests: what they accept, what they refuse, and the review-next-to-code convention."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crosscheck.errors import InputError
from crosscheck.load.manifest import load_manifest, review_pairs
from crosscheck.load.samples import sample_manifest


def _write(folder: Path, text: str) -> Path:
    (folder / "a.py").write_text("x = 1\n")
    (folder / "a.md").write_text("No security defects are detected in the code.\n")
    path = folder / "pairs.toml"
    path.write_text(text)
    return path


def test_a_manifest_with_metadata(tmp_path):
    manifest = load_manifest(_write(tmp_path, '[[pair]]\nid = "a"\ncode = "a.py"\nreview = "a.md"\n'
                                              '[pair.metadata]\nmodel = "gpt-4"\nrun = 2\n'))
    (pair,) = manifest.pairs
    assert (pair.id, pair.code, pair.review) == ("a", tmp_path / "a.py", tmp_path / "a.md")
    assert pair.metadata == (("model", "gpt-4"), ("run", "2"))
    assert pair.display_paths(manifest.root) == ("a.py", "a.md")
    assert manifest.warnings == ()


@pytest.mark.parametrize(("body", "message"), [
    ('[[pair]]\ncode = "a.py"\nreview = "a.md"\n', "id must be"),
    ('[[pair]]\nid = "a b"\ncode = "a.py"\nreview = "a.md"\n', "id must be"),
    ('[[pair]]\nid = "a"\ncode = "a.py"\n', "missing 'review'"),
    ('[[pair]]\nid = "a"\nreview = "a.md"\n', "exactly one of 'code'"),
    ('[[pair]]\nid = "a"\ncod = "a.py"\nreview = "a.md"\n',
     "give exactly one of 'code' and [pair.upstream]; unknown key 'cod' (did you mean 'code'?)"),
    ('[[pair]]\nid = "a"\ncode = "a.py"\nreveiw = "a.md"\nx = 1\n',
     "missing 'review'; unknown keys 'reveiw' (did you mean 'review'?), 'x'"),
    ('[[pair]]\nid = "a"\ncode = "a.py"\nreview = "a.md"\n[[pair]]\nid = "a"\ncode = "a.py"\nreview = "a.md"\n',
     "duplicate id 'a'"),
    ('[[pair]]\nid = "a"\ncode = "../a.py"\nreview = "a.md"\n', "leaves the manifest's folder"),
    ('[[pair]]\nid = "a"\ncode = "/etc/passwd"\nreview = "a.md"\n', "leaves the manifest's folder"),
    ('title = "x"\n', "lists no pairs: no [[pair]] entries"),
    ('[[pair]\n', "cannot be read"),
])
def test_bad_manifests_are_refused_with_the_reason(tmp_path, body, message):
    with pytest.raises(InputError, match=re.escape(message)):
        load_manifest(_write(tmp_path, body))


def test_unknown_keys_are_warned_not_fatal(tmp_path):
    manifest = load_manifest(_write(tmp_path, 'colour = 1\n[[pair]]\nid = "a"\ncode = "a.py"\nreview = "a.md"\n'
                                              'model = "x"\n'))
    assert len(manifest.pairs) == 1
    assert manifest.warnings == ("pairs.toml: unknown top-level key 'colour' ignored",
                                 "pairs.toml: pair 'a': unknown key 'model' ignored")


def test_a_missing_manifest(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        load_manifest(tmp_path / "nope.toml")


def test_the_sample_manifest_names_seven_plus_pairs_and_no_nova_code():
    manifest = sample_manifest()
    assert len(manifest.pairs) >= 7
    nova = [p for p in manifest.pairs if p.upstream]
    assert [p.id for p in nova] == [f"nova-00{i}" for i in range(5)]
    assert all(p.code is None and p.review.is_file() for p in nova)
    assert {u.project for u in manifest.upstreams} == {"nova"}
    # no Nova code is kept with the samples: only reviews and our own small examples
    files = {p.relative_to(manifest.root).as_posix() for p in manifest.root.rglob("*.py")}
    assert files == {"quickstart/invoices.py", "webhook/webhook.py", "archive/restore.py"}


def test_reviews_kept_next_to_code(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("app.py", "app.review.md", "pay/api.py", "pay.review.txt", "lonely.py", "orphan.review.md"):
        Path(name).parent.mkdir(exist_ok=True)
        Path(name).write_text("x = 1\n")
    changed = [Path(p) for p in ("app.py", "pay/api.py", "lonely.py", "app.review.md", "orphan.review.md")]
    assert review_pairs(changed) == [(Path("app.py"), Path("app.review.md")), (Path("pay"), Path("pay.review.txt"))]
