"""The five seed reviews (LLM reviews of OpenStack Nova tests) read as a person reads them.

Reading only: the Nova code itself is fetched at run time by the demo, never
committed, so grounding of the seeds is exercised in the demo and the closing
notes, while these tests pin the reader: every numbered point is a claim, the
verdict and its self-contradiction are right, and every line and code citation
is extracted.
"""

from __future__ import annotations

import hashlib
import re

import pytest

from conftest import REPO
from crosscheck.grounding.ground import ground
from crosscheck.models import CodeTarget, Severity, SourceFile
from crosscheck.reconcile.claims import reconcile
from crosscheck.review import read_review

SEEDS = REPO / "samples" / "nova"

# (line, end_line, code, role) of every citation, in review order.
EXPECTED = {
    "000_1165a42b336be8f2.txt": {
        "consistency": "consistent",
        "citations": [
            (None, None, "nova.db.api", "anchor"), (None, None, "self.api", "anchor"),
            (None, None, "self.cinder", "anchor"), (None, None, "mock.patch.object", "anchor"),
            (None, None, "flavor['id']", "anchor"), (None, None, "uuids.fake_volume_id", "anchor"),
            (None, None, "exception.HypervisorUnavailable", "anchor"),
            (None, None, "self._get_allocations_by_provider_uuid", "anchor"),
            (None, None, "self.policy.set_rules", "anchor"),
        ],
    },
    "001_f3a6c61aca9e3d56.txt": {"consistency": "consistent", "citations": []},
    "002_88d4846749767cc0.txt": {
        "consistency": "self-contradictory",
        "citations": [
            (40, 40, "self.assertEqual(dest_host, server['OS-EXT-SRV-ATTR:host'])", "anchor"),
            (None, None, "OS-EXT-SRV-ATTR:host", "anchor"),
            (None, None, "api.get_server_ext_attr()", "suggestion"),
            (None, None, "host", "anchor"),
            (42, 42, "self.api.post_server_action(server['id'], req)", "anchor"),
            (None, None, "api.post_server_action()", "suggestion"),
            (30, 30, "flavors = self.api.get_flavors()", "anchor"),
            (None, None, "flavors", "anchor"),
            (None, None, "api.get_flavors()", "suggestion"),
            (59, 59, "server = self._boot_and_check_allocations(self.flavor1, 'host1')", "anchor"),
            (None, None, "server", "anchor"),
            (None, None, "api.get_server()", "suggestion"),
            (None, None, "server", "anchor"),  # again in the remedy: "instead of hardcoding the `server`"
            (69, 69, "dest_rp_uuid = self._get_provider_uuid_by_host('host2')", "anchor"),
            (None, None, "dest_rp_uuid", "anchor"),
            (None, None, "api.get_resource_provider()", "suggestion"),
            (None, None, "dest_rp_uuid", "anchor"),  # again in the remedy: "instead of hardcoding the `dest_rp_uuid`"
            (79, 79, "dest_rp_usages = self._get_provider_usages(dest_rp_uuid)", "anchor"),
            (None, None, "dest_rp_usages", "anchor"),
            (None, None, "api.get_provider_usages()", "suggestion"),
            (None, None, "dest_rp_usages", "anchor"),  # again in the remedy: "instead of hardcoding the `dest_rp_usages`"
        ],
    },
    "003_963d35afc62bc787.txt": {
        "consistency": "consistent",
        "citations": [
            (476, 477, "HypervisorUnavailable", "anchor"), (56, 56, None, "anchor"), (57, 57, None, "anchor"),
            (164, 164, "mock.patch.object", "anchor"), (61, 61, None, "anchor"), (375, 375, None, "anchor"),
            (86, 86, "True", "anchor"), (123, 125, None, "anchor"), (128, 132, None, "anchor"),
        ],
    },
    "004_94b9c5274ba029b0.txt": {
        "consistency": "consistent",
        "citations": [
            (None, None, "nova_fixtures", "anchor"), (None, None, "fake_image", "anchor"),
            (477, 477, "exception.HypervisorUnavailable", "anchor"), (47, 48, None, "anchor"),
            (56, 57, None, "anchor"), (164, 167, "mock.patch", "anchor"), (155, 167, None, "anchor"),
        ],
    },
}


def _read(name):
    text = (SEEDS / name).read_text(encoding="utf-8")
    return text, read_review(text)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_numbered_point_is_a_claim(name):
    text, review = _read(name)
    numbered = [i for i, line in enumerate(text.splitlines(), start=1) if re.match(r"\s*\d+\.\s", line)]
    assert numbered
    starts = {c.start_line for c in review.claims}
    assert set(numbered) <= starts
    titles = [c.title for c in review.claims if c.start_line in numbered]
    if name != "001_f3a6c61aca9e3d56.txt":
        assert all(titles), titles  # every finding-style point keeps its run-in title


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_verdict_and_consistency(name):
    _, review = _read(name)
    assert review.verdict.value == "no-defects"
    source = SourceFile(path="x.py", abspath="/nonexistent/x.py", sha256=hashlib.sha256(b"").hexdigest(), text="")
    grounded = ground(review, CodeTarget(root="/nonexistent/x.py", is_dir=False, files=(source,)))
    assert reconcile(grounded, [], Severity.MEDIUM).verdict.consistency.value == EXPECTED[name]["consistency"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_line_and_code_citation_is_extracted(name):
    _, review = _read(name)
    found = [(c.line, c.end_line, c.code, c.role.value) for claim in review.claims for c in claim.citations]
    assert found == EXPECTED[name]["citations"]


def test_seed_002_lists_its_six_points_as_defects_after_saying_no_defects():
    _, review = _read("002_88d4846749767cc0.txt")
    defects = [c for c in review.claims if c.kind.value == "defect"]
    assert len(defects) == 6
    assert all(639 in c.cwe or 862 in c.cwe for c in defects)


def test_seed_003_considerations_are_advice_not_defects():
    _, review = _read("003_963d35afc62bc787.txt")
    assert not [c for c in review.claims if c.kind.value == "defect"]
    assert review.claims[0].kind.value == "assurance" and {77, 79, 89} <= set(review.claims[0].cwe)
