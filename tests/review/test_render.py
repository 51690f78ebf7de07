"""Rendered manifests: valid against the Kubernetes OpenAPI schemas (strict), secrets masked."""

from __future__ import annotations

import re

import jsonschema
import kubernetes_validate
import pytest
import yaml

from langsmith_dataplane.cli import main
from langsmith_dataplane.review.render import CHART_RENDERED, render_stack
from langsmith_dataplane.simulation import simulate
from tests.artifacts import gateway_api_crds
from tests.helpers import REPO
from tests.sim import PLANTED_KEY, all_stacks, topology

STACKS = all_stacks()


def validate(doc: dict, version: str) -> None:
    """Kubernetes' own OpenAPI schemas; Gateway API objects against the CRDs the stack installs
    (the real Envoy Gateway chart's, so a field its API server refuses fails here)."""
    if doc["apiVersion"].startswith("gateway.networking.k8s.io/"):
        schema = gateway_api_crds()[(doc["kind"], doc["apiVersion"])]
        jsonschema.validate(doc, schema)
    else:
        kubernetes_validate.validate(doc, version, strict=True)


@pytest.mark.parametrize(("path", "stack"), STACKS, ids=[f"{p.stem}:{s}" for p, s in STACKS])
def test_every_rendered_manifest_is_valid(path, stack, tmp_path):
    rendered = render_stack(topology(path), stack, tmp_path)
    if not topology(path).stacks[stack].clusters:  # Cloud SaaS only: LangChain runs it all
        assert rendered.manifests == []
        assert rendered.deployments
        return
    assert rendered.manifests
    kinds = set()
    for manifest in rendered.manifests:
        doc = yaml.safe_load(manifest.read_text())
        validate(doc, rendered.kubernetes_version)
        kinds.add(doc["kind"])
    assert {"Namespace", "NetworkPolicy", "Secret"} <= kinds


def test_render_covers_every_kubernetes_object_once(tmp_path):
    model = topology(STACKS[0][0])
    rendered = render_stack(model, "dev", tmp_path)
    declared = [
        r
        for r in simulate(model, "dev").resources
        if r.type.startswith("kubernetes:")
        and r.custom
        and not r.read
        and r.type != "kubernetes:helm.sh/v3:Release"
        and r.type not in CHART_RENDERED  # the operator CRD: rendered from the chart at `up`
    ]
    assert len(rendered.manifests) == len(declared) == len(set(rendered.manifests))
    assert len(rendered.helm_releases) == 5


def test_the_validator_rejects_a_bad_manifest():
    with pytest.raises(kubernetes_validate.ValidationError):
        validate(
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x", "labelz": {}}},
            "1.33",
        )
    with pytest.raises(jsonschema.ValidationError):
        validate(
            {
                "apiVersion": "gateway.networking.k8s.io/v1",
                "kind": "Gateway",
                "metadata": {"name": "x"},
                "spec": {},
            },
            "1.33",
        )


@pytest.mark.parametrize(("path", "stack"), STACKS, ids=[f"{p.stem}:{s}" for p, s in STACKS])
def test_rendered_files_hold_no_secret_values(path, stack, tmp_path, monkeypatch):
    import langsmith_dataplane.simulation as simulation

    monkeypatch.setattr(simulation, "PLACEHOLDER_API_KEY", PLANTED_KEY)
    rendered = render_stack(topology(path), stack, tmp_path)
    for file in [*rendered.manifests, *rendered.helm_releases]:
        text = file.read_text()
        assert PLANTED_KEY not in text, file
        assert not re.search(r"mock[0-9a-f]{12}", text), file  # generated passwords stay masked
    for file in rendered.manifests:
        doc = yaml.safe_load(file.read_text())
        if doc["kind"] == "Secret":
            assert set(doc["stringData"].values()) == {"[secret]"}, file


def test_helm_listing_carries_values_not_keys(tmp_path):
    rendered = render_stack(topology(STACKS[0][0]), "dev", tmp_path)
    listing = yaml.safe_load((tmp_path / "helm" / "langgraph-a-dev_a-dev.yaml").read_text())
    assert listing["chart"] == "langgraph-dataplane"
    assert listing["version"] == "0.2.22"
    assert listing["repository"] == "https://langchain-ai.github.io/helm/"
    assert listing["values"]["config"]["existingSecretName"] == "a-dev-langsmith-api-key"
    assert "langsmithApiKey" not in listing["values"]["config"]
    assert rendered.kubernetes_version == "1.33"


def test_render_command(capsys, tmp_path):
    code = main(["render", str(STACKS[0][0]), "--stack", "dev", "--out", str(tmp_path / "out")])
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith(f"{tmp_path / 'out'}: 53 Kubernetes manifests, 5 Helm releases")
    assert (tmp_path / "out" / "namespace_team-a.yaml").exists()


def test_integers_render_as_integers(tmp_path):
    """Pulumi's wire format carries only doubles; manifests must still say 999, not 999.0."""
    rendered = render_stack(topology(STACKS[0][0]), "dev", tmp_path)
    statefulset = next(p for p in rendered.manifests if p.name.startswith("statefulset_"))
    text = statefulset.read_text()
    assert "runAsUser: 999\n" in text
    assert "999.0" not in text
    assert "containerPort: 5432\n" in text or "containerPort: 6379\n" in text


def test_a_cloud_deployment_renders_its_exact_create_request_masked(tmp_path):
    from tests.artifacts import control_plane_openapi
    from tests.fake_deployments import schema_check

    rendered = render_stack(topology(REPO / "examples/promotion.yaml"), "dev", tmp_path)
    [path] = rendered.deployments
    request = yaml.safe_load(path.read_text())
    assert request["source"] == "github"
    assert request["source_config"]["integration_id"] == (
        "<id of GitHub integration 'example-org'>"
    )
    assert {"name": "OPENAI_API_KEY", "value": "[secret]"} in request["secrets"]
    # With the id `up` resolves in place, it is a request the published API accepts.
    request["source_config"]["integration_id"] = "3b0f8f4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b"
    assert schema_check(control_plane_openapi(), "DeploymentCreateRequest", request) is None


def test_hybrid_and_cloud_requests_never_share_a_file(tmp_path):
    """Listener `cloud-x`'s deployment `y-deployment` and Cloud deployment `x-agent-y` both have
    the resource name `cloud-x-agent-y-deployment`: a Cloud request's file is named
    `cloud.<name>.yaml`, with a '.' that no topology name (an RFC 1123 label) and so no hybrid
    request's file can hold."""
    from langsmith_dataplane.topology.rules.registry import RFC1123_PATTERN

    [path] = render_stack(topology(REPO / "examples/promotion.yaml"), "dev", tmp_path).deployments
    assert path.name == "cloud.support-bot-dev.yaml"
    assert not RFC1123_PATTERN.fullmatch("cloud.x")
