"""Reading whole reviews: claim kinds, hedging, CWE categories."""

from crosscheck.review import ClaimKind, Hedge, StatedVerdict, read_review


def _kinds(text):
    return [(c.kind, c.cwe) for c in read_review(text).claims]


def test_located_vulnerability_class_is_a_defect_even_when_hedged():
    review = read_review("1. Potential SQL injection:\nIn line 12, `cur.execute(q % name)` might be injectable.")
    (claim,) = review.claims
    assert claim.kind is ClaimKind.DEFECT
    assert 89 in claim.cwe
    assert claim.hedge is not Hedge.NONE


def test_missing_authorization_at_a_line_is_a_defect():
    text = "1. Insecure Use of Admin API:\nIn line 42, `self.api.post(x)`, the admin API is accessed without proper authorization."
    (claim,) = read_review(text).claims
    assert claim.kind is ClaimKind.DEFECT


def test_generic_recommendation_is_advice():
    text = "- It's recommended to validate inputs and handle exceptions securely to prevent SQL injection."
    (claim,) = read_review(text).claims
    assert claim.kind is ClaimKind.ADVICE


def test_assurances():
    for text in ("- The code doesn't explicitly show any hard-coded secrets.",
                 "- It seems that the code handles errors appropriately without revealing sensitive information.",
                 "- The code does not use `eval()` anywhere, so there is no risk of code injection."):
        (claim,) = read_review(text).claims
        assert claim.kind is ClaimKind.ASSURANCE, text
        assert claim.cwe, text


def test_description_is_context():
    (claim,) = read_review("The module defines a test case for resizing servers between cells.").claims
    assert claim.kind is ClaimKind.CONTEXT
    assert claim.hedge is Hedge.NONE


def test_verdict_only_paragraph_is_not_a_claim():
    review = read_review("Some intro about the code here.\n\n**No security defects are detected in the code**.")
    assert review.verdict is StatedVerdict.NO_DEFECTS
    assert len(review.claims) == 1


def test_claims_keep_title_and_span():
    review = read_review("Intro.\n\n1. **Error Handling:** errors are caught.\n2. **Logging:** logs exist.")
    assert [(c.id, c.title, c.start_line, c.end_line) for c in review.claims] == [
        ("C1", "", 1, 1), ("C2", "Error Handling", 3, 3), ("C3", "Logging", 4, 4)]
