"""Two stacks deploying into one workspace at the same moment, through the real engine: each
registers only its own listener and makes only its own service key; neither disturbs the other.

Each stack's cluster is a kube-apiserver of its own (two clusters, as two regions would be);
the control plane and the platform API are one shared fake.
"""

from __future__ import annotations

import pytest

from tests.artifacts import listener_chart, platform_openapi
from tests.fake_platform import Platform
from tests.integration.conftest import running_control_plane, serving_fake_control_plane
from tests.integration.engine import ready_project

pytestmark = pytest.mark.integration

ORG = "0b9b7c1e-3a5d-4f6e-8a7b-9c0d1e2f3a4d"
ADMIN = "lsv2_sk_" + "cc" * 16 + "_0123456789"
WORKSPACE = "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"

TOPOLOGY = """\
version: 1
controlPlane:
  hostBackendUrl: {url}
  smithBackendUrl: {url}
  egressCidrs: [127.0.0.1/32]
  organizationId: {org}
  adminKey: langsmith.adminKey
workspaces:
  shared: {{id: {workspace}}}
clusters:
  east:
    existing: {{context: integration}}
    ingress: gateway
    gateway: {{name: agents, namespace: gateway-system}}
    addons: {{keda: false, metricsServer: false, gatewayController: false}}
  west:
    existing: {{context: integration}}
    ingress: gateway
    gateway: {{name: agents, namespace: gateway-system}}
    addons: {{keda: false, metricsServer: false, gatewayController: false}}
listeners:
  east-agents: {{workspace: shared, cluster: east, namespaces: [agents]}}
  west-agents: {{workspace: shared, cluster: west, namespaces: [agents]}}
stacks:
  east: {{clusters: [east]}}
  west: {{clusters: [west]}}
"""


@pytest.fixture(scope="module")
def clusters(tmp_path_factory):
    east = running_control_plane(tmp_path_factory.mktemp("east-cluster"))
    west = running_control_plane(tmp_path_factory.mktemp("west-cluster"))
    planes = {"east": next(east), "west": next(west)}
    yield planes
    for generator in (east, west):
        generator.close()


@pytest.fixture(scope="module")
def organisation() -> Platform:
    platform = Platform(ORG, {ADMIN}, openapi=platform_openapi())
    platform.workspaces[WORKSPACE] = {
        "id": WORKSPACE,
        "organization_id": ORG,
        "created_at": "2026-12-01T00:00:00+00:00",
        "display_name": "Shared",
        "is_personal": False,
        "is_deleted": False,
        "tenant_handle": "shared",
        "data_plane_url": None,
    }
    return platform


@pytest.fixture(scope="module")
def fake_cp(clusters, organisation):
    yield from serving_fake_control_plane(clusters["east"], {}, platform=organisation)


@pytest.fixture(scope="module")
def projects(clusters, fake_cp, tmp_path_factory):
    """One project directory, one state backend, two stacks: as one repository's CI would run
    `pulumi up -s east` and `pulumi up -s west` in two jobs at once."""
    text = TOPOLOGY.format(url=fake_cp.url, org=ORG, workspace=WORKSPACE)
    root = tmp_path_factory.mktemp("concurrent-project")
    settings = {
        "langsmith-dataplane:chartPath": str(listener_chart()),
        "langsmith-dataplane:skipAwait": "true",
    }
    out = {
        stack: ready_project(
            root,
            stack=stack,
            kubeconfig=plane.kubeconfig,
            ca_file=clusters["east"].pki.ca_cert,
            topology=text,
            settings=settings,
            secrets={"langsmith.adminKey": ADMIN},
        )
        for stack, plane in clusters.items()
    }
    yield out
    (root / "engine.log").write_text("\n".join(p for project in out.values() for p in project.log))


def test_two_stacks_up_at_once_into_one_workspace(projects, fake_cp, organisation):
    running = {
        stack: project.start("up", "--yes", "--skip-preview") for stack, project in projects.items()
    }
    for process in running.values():
        assert process.wait(timeout=900) == 0, process.log_path.read_text()  # type: ignore[attr-defined]
    listeners = sorted(
        (item["_tenant"], item["compute_id"]) for item in fake_cp.state.listeners.values()
    )
    assert listeners == [(WORKSPACE, "east"), (WORKSPACE, "west")]
    owners = sorted(
        key["description"].split(" on ")[0] for key in organisation.service_keys.values()
    )
    assert owners == [
        "langsmith-dataplane: listener east-agents",
        "langsmith-dataplane: listener west-agents",
    ]
    for project in projects.values():
        project.up("--expect-no-changes")


def test_two_stacks_destroy_at_once(projects, fake_cp, organisation):
    running = {
        stack: project.start("destroy", "--yes", "--skip-preview")
        for stack, project in projects.items()
    }
    for process in running.values():
        assert process.wait(timeout=900) == 0, process.log_path.read_text()  # type: ignore[attr-defined]
    assert fake_cp.state.listeners == {}
    assert organisation.service_keys == {}
    assert not organisation.workspaces[WORKSPACE]["is_deleted"]  # referenced: never touched
