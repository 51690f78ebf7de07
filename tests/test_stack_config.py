"""stacks/Pulumi.<stack>.yaml: one per stack of topology.yaml, per-stack settings only."""

from __future__ import annotations

import yaml

from langsmith_dataplane.topology import load_topology
from tests.helpers import REPO

TOPOLOGY = load_topology(REPO / "topology.yaml").model
ALLOWED_PREFIXES = ("aws:", "langsmith:", "kubernetes:")


def stack_files() -> dict[str, dict]:
    return {
        path.name.removeprefix("Pulumi.").removesuffix(".yaml"): yaml.safe_load(path.read_text())
        for path in (REPO / "stacks").glob("Pulumi.*.yaml")
    }


def test_one_config_file_per_stack():
    assert set(stack_files()) == set(TOPOLOGY.stacks)


def test_config_holds_settings_and_encrypted_secrets_only():
    api_key_names = {w.api_key for w in TOPOLOGY.workspaces.values()}
    for stack, document in stack_files().items():
        for key, value in (document.get("config") or {}).items():
            name = key.split(":", 1)[1] if key.startswith("langsmith-dataplane:") else key
            if name in api_key_names:
                assert isinstance(value, dict), f"{stack}: {key} must be set with --secret"
                assert set(value) == {"secure"}, f"{stack}: {key} must be encrypted"
            else:
                assert key.startswith(ALLOWED_PREFIXES), f"{stack}: unexpected config {key}"


def test_aws_region_matches_the_eks_clusters():
    for stack, document in stack_files().items():
        regions = {
            TOPOLOGY.clusters[c].eks.region
            for c in TOPOLOGY.stacks[stack].clusters
            if TOPOLOGY.clusters[c].eks
        }
        config = document.get("config") or {}
        if regions:
            assert config.get("aws:region") in regions, stack
        else:
            assert "aws:region" not in config, stack
