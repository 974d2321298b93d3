"""The layout of grounding/, reconcile/ and load/labels: what importing each module pulls in, and no cycles."""

from __future__ import annotations

import pytest

from conftest import REPO, loaded_after

PACKAGE = REPO / "crosscheck"

def _loaded_after(code: str) -> set[str]:
    return set(loaded_after(code))


@pytest.mark.parametrize("module", ["crosscheck.grounding.model", "crosscheck.grounding.file_index",
                                    "crosscheck.grounding.ast_index", "crosscheck.grounding.index"])
def test_grounding_modules_do_not_load_libcst_or_the_grounder(module):
    loaded = _loaded_after(f"import {module}")
    assert module in loaded
    assert "libcst" not in loaded
    assert "crosscheck.grounding.ground" not in loaded and "rapidfuzz" not in loaded


def test_reconcile_model_does_not_load_the_reconciler():
    loaded = _loaded_after("import crosscheck.reconcile.model")
    assert "crosscheck.grounding.model" in loaded
    assert not loaded & {"crosscheck.reconcile.claims", "crosscheck.reconcile.labels", "crosscheck.grounding.ground"}


def test_loading_labels_does_not_load_the_comparison():
    loaded = _loaded_after("import crosscheck.load.labels")
    assert not {m for m in loaded if m.startswith(("crosscheck.reconcile", "crosscheck.grounding"))}


def test_the_whole_pipeline_does_not_load_libcst():
    # the pipeline imports its later stages where they are used: import them as a check does
    loaded = _loaded_after("import crosscheck.cli, crosscheck.run.batch, crosscheck.api, crosscheck.grounding.ground, "
                           "crosscheck.review, crosscheck.reconcile.claims, crosscheck.results.report")
    assert "crosscheck.grounding.ground" in loaded and "libcst" not in loaded


def test_build_index_loads_libcst_only_for_a_file_ast_cannot_read():
    code = """
from crosscheck.grounding.index import build_index
from crosscheck.models import SourceFile
def index(text):
    return build_index(SourceFile(path="a.py", abspath="/a.py", sha256="0", text=text))
assert index("import os\\nos.system('ls')\\n").parser == "ast"
assert "libcst" not in sys.modules
assert index('import os\\nprint "x"\\n').parser == "text"
"""
    assert "libcst" in _loaded_after(code)


def test_the_review_model_does_not_load_the_reader():
    """A report, and a batch served from the cache, need the review's types, not its reader's patterns."""
    loaded = _loaded_after("import crosscheck.results.report, crosscheck.run.batch, crosscheck.cli")
    assert "crosscheck.review.model" in loaded
    assert not loaded & {"crosscheck.review.reader", "crosscheck.review.classify", "crosscheck.review.blocks"}
    assert "crosscheck.review.reader" in _loaded_after("from crosscheck.review import read_review")
