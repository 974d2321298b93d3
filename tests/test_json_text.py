"""Tests for the JSON text of the reports: orjson's, byte-identical to the standard library's."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from crosscheck.formats.json_text import dumps

GOLDEN = Path(__file__).parent / "golden"


def _stdlib(value: object) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


_LEAVES = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
                    st.text())
_VALUES = st.recursive(_LEAVES, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)), max_leaves=30)


@settings(max_examples=1500, deadline=None)
@given(_VALUES)
def test_dumps_is_the_standard_librarys_text(value: object) -> None:
    assert dumps(value) == _stdlib(value)


def test_the_corners_orjson_writes_otherwise_are_written_by_the_standard_library() -> None:
    for value in (1e-05, 2.5e-07, -3e-300, 2**70, {1: "int key"}, {"s": "lone \ud800 surrogate"},
                  {"text": "0.00001 in a string"}):
        assert dumps(value) == _stdlib(value)


def test_dumps_keeps_the_golden_sarif_logs() -> None:
    logs = sorted(GOLDEN.glob("*.sarif"))
    assert logs
    for path in logs:
        text = path.read_text(encoding="utf-8")
        assert dumps(json.loads(text)) == text
