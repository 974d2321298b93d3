"""A corpus of small, realistic LLM security reviews, read and grounded against small code files.

Each variant is ``tests/review_corpus/NN_name.md`` plus an entry in
``tests/review_corpus/expected.toml`` that pins what a careful human reader says about the
review: its stated verdict, how many claims it makes, the kind of the claims a reader is sure
about, and the grounding status (and role) of the citations a reader expects. The
expectations were written by reading the reviews and the code, not by running the tool.

A variant the tool currently gets wrong carries ``xfail = "<what goes wrong>"``; it is run
with a strict xfail, so it starts failing loudly once the tool is fixed.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from crosscheck.grounding.ground import ground
from crosscheck.load.code import load_code, load_review
from crosscheck.review import read_review

CORPUS = Path(__file__).resolve().parent / "review_corpus"
EXPECTED = tomllib.loads((CORPUS / "expected.toml").read_text(encoding="utf-8"))
VARIANTS: list[dict] = EXPECTED["variant"]

VERDICTS = {"no-defects", "defects", "unclear"}
KINDS = {"defect", "advice", "assurance", "context"}
STATUSES = {"exact", "near", "moved", "absent", "comment", "unchecked"}
ROLES = {"anchor", "suggestion", "negated"}

# How each citation style looks in a review; a variant's declared styles must all be present.
STYLES = {
    "line": re.compile(r"\b[Ll]ine \d+\b"),
    "lines-range": re.compile(r"\blines \d+\s*[-\u2013]\s*\d+"),
    "paren-line": re.compile(r"\([^()\n]*\blines? \d+"),
    "L-prefix": re.compile(r"\bL\d+\b"),
    "line-and": re.compile(r"\blines? \d+ and \d+"),
    "at-lines-range": re.compile(r"\bat lines \d+-\d+"),
    "in-line": re.compile(r"\b[Ii]n line \d+"),
    "backtick": re.compile(r"`[^`\n]+`"),
    "fence": re.compile(r"^[ \t]*```", re.MULTILINE),
    "indented-block": re.compile(r"\n[ \t]*\r?\n {4}\S"),
    "table": re.compile(r"^\|.*\|[ \t]*\r?$", re.MULTILINE),
    "file": re.compile(r"\b\w+\.py\b"),
    "camelcase-exception": re.compile(r"(?<![`\w])[A-Z][A-Za-z0-9]*(?:Error|Exception|Unavailable|NotFound)\b(?!`)"),
    "dotted": re.compile(r"(?<![`\w./])[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+(?![`\w])"),
    "call": re.compile(r"(?<![`\w.])[A-Za-z_][\w.]*\(\)(?![`\w])"),
}


def _param(variant: dict) -> pytest.ParameterSet:
    marks = [pytest.mark.xfail(strict=True, reason=variant["xfail"])] if "xfail" in variant else []
    return pytest.param(variant, id=variant["review"], marks=marks)


def _check(variant: dict) -> list[str]:
    """Every way the tool's reading of the variant differs from the expectations."""
    review = read_review(load_review(str(CORPUS / variant["review"])).text)
    grounded = ground(review, load_code(CORPUS / variant["code"]))
    problems: list[str] = []
    if review.verdict.value != variant["verdict"]:
        problems.append(f"verdict: expected {variant['verdict']}, got {review.verdict.value}")
    claims = grounded.claims
    if len(claims) != variant["claims"]:
        problems.append(f"claims: expected {variant['claims']}, got {len(claims)}: "
                        + " | ".join(c.claim.text[:50].replace("\n", " ") for c in claims))
    for number, kind in enumerate(variant.get("kinds", []), start=1):
        if kind == "?":
            continue
        if number > len(claims):
            problems.append(f"claim {number}: expected kind {kind}, but there is no such claim")
        elif claims[number - 1].claim.kind.value != kind:
            problems.append(f"claim {number}: expected kind {kind}, got {claims[number - 1].claim.kind.value}")
    for cited in variant.get("citations", []):
        label = f"claim {cited['claim']} citation line={cited.get('line')} code={cited.get('code')!r}"
        if cited["claim"] > len(claims):
            problems.append(f"{label}: there is no such claim")
            continue
        candidates = [
            g for g in claims[cited["claim"] - 1].groundings
            if ("line" not in cited or g.citation.line == cited["line"])
            and ("code" not in cited or g.citation.code == cited["code"])
        ]
        if not candidates:
            found = [(g.citation.line, g.citation.code) for g in claims[cited["claim"] - 1].groundings]
            problems.append(f"{label}: not found among {found}")
            continue
        if not any(g.status.value == cited["status"] and g.citation.role.value == cited.get("role", g.citation.role.value)
                   for g in candidates):
            got = [(g.citation.line, g.citation.code, g.status.value, g.citation.role.value) for g in candidates]
            problems.append(f"{label}: expected {cited['status']} {cited.get('role', '')}, got {got}")
    return problems


@pytest.mark.parametrize("variant", [_param(v) for v in VARIANTS])
def test_variant(variant):
    problems = _check(variant)
    assert not problems, "\n".join(problems)


def test_corpus_is_large_and_well_formed():
    assert len(VARIANTS) >= 45
    names = [v["review"] for v in VARIANTS]
    assert len(set(names)) == len(names)
    assert sorted(names) == sorted(p.name for p in CORPUS.glob("*.md"))
    for variant in VARIANTS:
        assert (CORPUS / variant["code"]).is_file(), variant["code"]
        assert variant["verdict"] in VERDICTS, variant["review"]
        assert set(variant.get("kinds", [])) <= KINDS | {"?"}, variant["review"]
        assert len(variant.get("kinds", [])) <= variant["claims"], variant["review"]
        for cited in variant.get("citations", []):
            assert 1 <= cited["claim"] <= variant["claims"], (variant["review"], cited)
            assert cited["status"] in STATUSES and cited.get("role", "anchor") in ROLES, (variant["review"], cited)
            assert "line" in cited or "code" in cited, (variant["review"], cited)
    assert {v["verdict"] for v in VARIANTS} == VERDICTS


def test_corpus_covers_the_review_shapes():
    texts = {v["review"]: (CORPUS / v["review"]).read_bytes() for v in VARIANTS}
    assert any(b"\r\n" in t for t in texts.values()), "no review with CRLF line endings"
    assert any(STYLES["table"].search(t.decode("utf-8")) for t in texts.values()), "no review with a table"
    statuses = {c["status"] for v in VARIANTS for c in v.get("citations", [])}
    assert statuses == STATUSES
    roles = {c.get("role") for v in VARIANTS for c in v.get("citations", [])}
    assert {"suggestion", "negated"} <= roles


def test_corpus_uses_at_least_ten_citation_styles():
    used: set[str] = set()
    for variant in VARIANTS:
        text = (CORPUS / variant["review"]).read_text(encoding="utf-8")
        for style in variant["styles"]:
            assert style in STYLES, f"{variant['review']}: unknown style {style!r}"
            assert STYLES[style].search(text), f"{variant['review']} declares style {style!r} but does not use it"
            used.add(style)
    assert len(used) >= 10, sorted(used)
