"""The embedded quickstart sample exercises every outcome the issue defines."""

from __future__ import annotations

from crosscheck import pipeline
from crosscheck.samples import sample_pairs


def test_quickstart_sample_exercises_every_outcome():
    pair = next(p for p in sample_pairs() if p.id == "quickstart")
    report = pipeline.run(str(pair.code), str(pair.review))
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
