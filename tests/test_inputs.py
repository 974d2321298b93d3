"""Reading code and reviews from disk."""

from __future__ import annotations

import codecs

import pytest

from crosscheck.errors import InputError
from crosscheck.load.code import decode_review, load_code


def test_directory_walk_is_sorted_and_skips_caches(tmp_path):
    (tmp_path / "b.py").write_text("x = 1\n")
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "z.py").write_text("y = 2\n")
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "c.py").write_text("")
    (tmp_path / "notes.txt").write_text("not python")
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    target = load_code(tmp_path)
    assert [f.path for f in target.files] == ["a/z.py", "b.py"]
    assert target.is_dir


def test_no_python_files_is_an_error(tmp_path):
    (tmp_path / "README").write_text("x")
    with pytest.raises(InputError, match="no Python files"):
        load_code(tmp_path)


@pytest.mark.parametrize("data, text, encoding", [
    (b"plain", "plain", "utf-8"),
    (codecs.BOM_UTF8 + b"bom", "bom", "utf-8-sig"),
    ("utf16".encode("utf-16"), "utf16", "utf-16"),
    ("caf\xe9".encode("latin-1"), "caf\xe9", "cp1252"),
])
def test_review_decoding(data, text, encoding):
    assert decode_review(data) == (text, encoding)
