"""The sample pairs that ship with code: each shows what crosscheck is for."""

from __future__ import annotations

from crosscheck.load.samples import sample_manifest
from crosscheck.run import pipeline


def _run(pair_id: str):
    pair = next(p for p in sample_manifest().pairs if p.id == pair_id)
    return pipeline.run(str(pair.code), str(pair.review))


def test_quickstart_sample_exercises_every_outcome():
    report = _run("quickstart")
    rec = report.reconciliation
    by_title = {c.grounded.claim.title: c for c in rec.claims}
    assert by_title["SQL Injection (CWE-89)"].outcome.value == "confirmed"
    assert by_title["OS Command Injection"].outcome.value == "confirmed"
    assert by_title["Insecure Direct Object Reference (IDOR)"].outcome.value == "unsupported"
    assert by_title["Unsafe YAML Loading"].outcome.value == "ungrounded"  # hallucinated API
    assert by_title["Debug Mode Enabled"].outcome.value == "ungrounded"  # hallucinated line
    assert by_title["Password Hashing"].outcome.value == "contradicted"
    assert by_title["Code Execution"].outcome.value == "upheld"
    assert by_title["Rate Limiting"].outcome.value == "generic"
    missed = {f.finding.rule_id for f in rec.findings if f.status.value == "missed"}
    assert {"B301", "pickle-unsafe-deserialization", "B113"} <= missed
    assert rec.verdict.stated.value == "defects"
    assert rec.metrics.unverified_suggestions == 1  # `cursor.execute(sql, params)` is only recommended
    sql = by_title["SQL Injection (CWE-89)"].grounded.groundings[0]
    assert (sql.status.value, sql.citation.line, sql.actual_line) == ("near", 24, 25)


def test_webhook_sample_is_a_confident_review_that_misses_everything():
    rec = _run("webhook").reconciliation
    assert (rec.verdict.stated.value, rec.verdict.consistency.value) == ("no-defects", "contradicted")
    assert not any(c.grounded.claim.kind.value == "defect" for c in rec.claims)
    assert {f.status.value for f in rec.findings} == {"missed"}
    missed = {f.finding.rule_id for f in rec.findings}
    assert {"B602", "yaml-unsafe-load", "B324", "tls-verify-disabled", "requests-missing-timeout"} <= missed
    # the review's one checkable statement is true: hmac.compare_digest is used, on line 18
    anchors = [g for c in rec.claims for g in c.grounded.groundings if g.citation.code == "hmac.compare_digest"]
    assert [(g.status.value, g.actual_line) for g in anchors] == [("exact", 18)]


def test_archive_sample_is_a_precise_review_with_lines_off_by_one():
    rec = _run("archive").reconciliation
    assert (rec.verdict.stated.value, rec.verdict.consistency.value) == ("defects", "consistent")
    outcomes = [c.outcome.value for c in rec.claims if c.grounded.claim.kind.value == "defect"]
    assert outcomes == ["confirmed"] * 4 + ["unsupported"]  # read_file's traversal needs data flow to see
    near = [(g.citation.line, g.actual_line) for c in rec.claims for g in c.grounded.groundings
            if g.status.value == "near"]
    assert (22, 21) in near and (28, 27) in near and (33, 32) in near
    assert rec.metrics.claim_precision == 0.8
