"""Restructuring leaves every simulated resource of every shipped stack identical.

The digests in tests/golden/plan-digests.json were taken before the restructuring of issue 22;
`tools/plan_snapshot.py` says how to see what changed when one differs.
"""

from __future__ import annotations

import json

from tests.helpers import REPO
from tools.plan_snapshot import digests, snapshot

GOLDEN = REPO / "tests/golden/plan-digests.json"


def test_every_simulated_resource_is_unchanged():
    expected = json.loads(GOLDEN.read_text())
    actual = digests(snapshot())
    assert sorted(actual) == sorted(expected), "the shipped stacks changed"
    changed = [key for key in expected if actual[key] != expected[key]]
    assert not changed, (
        f"simulated resources changed in {changed}; see tools/plan_snapshot.py to diff them"
    )
