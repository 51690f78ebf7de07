"""The project's topology.yaml is the documented seed layout, unchanged (CI has ../shared)."""

from __future__ import annotations

import pytest

from tests.helpers import REFERENCE_TEXT, REPO, valid

pytestmark = pytest.mark.integration
SHARED_REFERENCE = REPO.parent / "shared" / "reference" / "topology.yaml"


def test_default_topology_is_the_reference_unchanged():
    assert SHARED_REFERENCE.is_file(), f"{SHARED_REFERENCE} is missing: CI runs beside ../shared"
    reference = SHARED_REFERENCE.read_text()
    lines = REFERENCE_TEXT.splitlines(keepends=True)
    assert lines[0].startswith("# yaml-language-server: $schema=")
    assert "".join(lines[1:]) == reference
    valid(reference)
