"""The Helm release guards, where no cluster decides: what they make of a record, of a preview
that cannot know the cluster yet, and of the stack's program. What Helm decides (a pending
revision refused, a failed one retried) is `tests/integration/test_helm_recovery.py`, and the
kill through the engine `tests/integration/test_helm_kill_engine.py`."""

from __future__ import annotations

import base64
import gzip
import json

from pulumi.output import Unknown

from components.helm_history import decode_release, encode_release, values_digest
from components.release_recovery import ReleaseRecoveryProvider
from tests.helpers import REFERENCE_TEXT
from tests.sim import simulated_text


def test_a_record_reads_as_helm_writes_it_and_back():
    body = {"name": "keda", "info": {"status": "pending-install"}, "config": {"a": 1}}
    helm_encoded = base64.b64encode(gzip.compress(json.dumps(body).encode()))
    as_the_api_returns = base64.b64encode(helm_encoded).decode()
    assert decode_release(as_the_api_returns) == body
    assert decode_release(encode_release(body)) == body


def test_the_digest_reads_values_as_helm_stores_them():
    ours = {"replicas": 2, "env": None, "nested": {"x": 1.0, "list": [1, {"y": None}]}}
    stored = {"nested": {"list": [1, {}], "x": 1}, "replicas": 2}  # Go's JSON, nulls dropped
    assert values_digest(ours) == values_digest(stored)
    assert values_digest(None) == values_digest({})
    assert values_digest({"replicas": 2}) != values_digest({"replicas": 3})


def test_a_preview_that_cannot_know_the_cluster_changes_nothing(tmp_path):
    provider = ReleaseRecoveryProvider()
    unknown = {"namespace": Unknown(), "release": "keda", "kubeconfig": None}
    assert provider.diff("id", {}, unknown).changes is False
    unreachable = {
        "namespace": "keda",
        "release": "keda",
        "kubeconfig_path": str(tmp_path / "no-such-kubeconfig"),
    }
    assert provider.diff("id", {}, unreachable).changes is False  # the release reports it


def test_every_release_of_a_stack_has_its_guard_first():
    sim = simulated_text(REFERENCE_TEXT, "dev")
    releases = [r for r in sim.resources if r.type == "kubernetes:helm.sh/v3:Release"]
    guards = {
        r.urn: r
        for r in sim.resources
        if r.type == "pulumi-python:dynamic:Resource"
        and r.inputs.get("kind") == "helm-release-recovery"
    }
    assert len(releases) == len(guards) == 5
    for release in releases:
        [guard] = [urn for urn in release.dependencies if urn in guards]
        assert guards[guard].inputs["release"] == release.inputs["name"]
        assert guards[guard].inputs["namespace"] == release.inputs["namespace"]
        assert release.inputs["replace"] is True
        assert "replace" in release.ignore_changes  # an install's option: no upgrade for it
