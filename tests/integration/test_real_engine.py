"""The real Pulumi engine runs this project: `pulumi up`, preview, refresh and destroy.

The CLI, Python language host and the kubernetes/random providers are built from
`../shared/engine-src` (`tools/engine/build.sh pulumi`). The cluster is the integration suite's
kube-apiserver; the listener chart is the REAL `langgraph-dataplane` chart (`langsmith-dataplane:chartPath`);
the control plane is the local fake of the LangSmith API, served over HTTPS and reached by the
registration's dynamic provider from the engine's plugin process. No kubelet runs, so
`langsmith-dataplane:skipAwait` is on. The steps build on each other and run in file order.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import time

import pytest

from tests.artifacts import listener_chart
from tests.fake_control_plane import ApiKey
from tests.helpers import edit
from tests.integration.conftest import (
    api_clients,
    running_control_plane,
    serving_fake_control_plane,
)
from tests.integration.engine import PulumiProject, plain, step_ops

pytestmark = pytest.mark.integration

WS_A = "6f1e8c52-4b1e-4b7e-9a51-2d1d2f7e0a01"
WS_B = "0c3b6a3e-8f7d-4f0e-b3a5-9b1f2e4d5c02"
KEY_A = "lsv2_pt_" + "a1" * 16 + "_0123456789"
KEY_B = "lsv2_pt_" + "b2" * 16 + "_9876543210"
OPENAI_KEY = "sk-integration-openai-secret-0123456789"
STACK = "local"
NAMESPACES = ["langgraph-alpha", "langgraph-beta", "alpha-agents", "alpha-batch", "beta-agents"]

TOPOLOGY = """\
version: 1
controlPlane:
  hostBackendUrl: {url}
  smithBackendUrl: {url}
  egressCidrs: [127.0.0.1/32]
workspaces:
  A: {{id: {ws_a}, apiKey: workspaceA.apiKey}}
  B: {{id: {ws_b}, apiKey: workspaceB.apiKey}}
clusters:
  local:
    existing: {{context: integration}}
    ingress: gateway
    hostname: agents.example.test
    gateway: {{name: agents, namespace: gateway-system}}
    addons: {{keda: false, metricsServer: false, gatewayController: false}}
listeners:
  alpha:
    workspace: A
    cluster: local
    namespaces: [alpha-agents, alpha-batch]
    deployments:
      support-bot:
        redisDb: 1
        image: registry.example.com/support-bot:1.4.2
        namespace: alpha-agents
        env: {{LOG_LEVEL: info}}
        secretEnv: {{OPENAI_API_KEY: openai.apiKey}}
  beta:
    workspace: B
    cluster: local
    namespaces: [beta-agents]
egress:
  allow:
    - {{name: llm, cidrs: [203.0.113.0/24], ports: [443]}}
stacks:
  local: {{clusters: [local]}}
"""

REORDERED_LISTENERS = """\
listeners:
  beta:
    workspace: B
    cluster: local
    namespaces: [beta-agents]
  alpha:
    workspace: A
    cluster: local
    namespaces: [alpha-batch, alpha-agents]
    deployments:
      support-bot:
        redisDb: 1
        image: registry.example.com/support-bot:1.4.2
        namespace: alpha-agents
        env: {LOG_LEVEL: info}
        secretEnv: {OPENAI_API_KEY: openai.apiKey}
"""

GAMMA = """\
  gamma:
    workspace: A
    cluster: local
    computeId: local-gamma
    namespaces: [gamma-agents]
egress:"""


@pytest.fixture(scope="module")
def control_plane(tmp_path_factory):
    """An API server of its own: the other modules' objects (and CRD) must not leak in."""
    yield from running_control_plane(tmp_path_factory.mktemp("engine-cluster"))


@pytest.fixture(scope="module")
def api(control_plane):
    return api_clients(control_plane)


@pytest.fixture(scope="module")
def fake_cp(control_plane):
    keys = {KEY_A: ApiKey({WS_A}), KEY_B: ApiKey({WS_B})}
    yield from serving_fake_control_plane(control_plane, keys)


@pytest.fixture(scope="module")
def base_topology(fake_cp) -> str:
    return TOPOLOGY.format(url=fake_cp.url, ws_a=WS_A, ws_b=WS_B)


@pytest.fixture(scope="module")
def project(control_plane, tmp_path_factory, base_topology):
    project = PulumiProject(
        tmp_path_factory.mktemp("engine-project"),
        stack=STACK,
        kubeconfig=control_plane.kubeconfig,
        ca_file=control_plane.pki.ca_cert,
    )
    project.write_topology(base_topology)
    project.run("stack", "init", STACK)
    project.config("langsmith-dataplane:chartPath", str(listener_chart()))
    project.config("langsmith-dataplane:skipAwait", "true")
    project.config("workspaceA.apiKey", KEY_A, secret=True)
    project.config("workspaceB.apiKey", KEY_B, secret=True)
    project.config("openai.apiKey", OPENAI_KEY, secret=True)
    yield project
    (project.root / "engine.log").write_text("\n".join(project.log))


def listeners_of(fake_cp) -> dict[tuple[str, str], dict]:
    return {
        (listener["_tenant"], listener["compute_id"]): listener
        for listener in fake_cp.state.listeners.values()
    }


def namespaces(api) -> set[str]:
    _, core = api
    return {ns.metadata.name for ns in core.list_namespace().items}


def listener_env(api, namespace: str) -> dict[str, str]:
    """The env of the chart's listener Deployment (found by its HOST_WORKER_LISTENER_ID)."""
    dynamic_client, _ = api
    deployments = dynamic_client.resources.get(api_version="apps/v1", kind="Deployment")
    for item in deployments.get(namespace=namespace).items:
        for container in item.spec.template.spec.containers:
            env = {e.name: e.get("value") for e in container.env or []}
            if "HOST_WORKER_LISTENER_ID" in env:
                return env
    raise AssertionError(f"no listener Deployment in {namespace}")


def test_plan_lists_the_urns_the_engine_previews(project, base_topology):
    """The credential-free plan (mocks) and the engine agree on every resource's URN."""
    preview = project.preview_json()
    engine = {
        step["urn"]
        for step in preview["steps"]
        if not step["urn"].split("::")[2].startswith(("pulumi:pulumi:Stack", "pulumi:providers:"))
    }
    cli = [sys.executable, "-m", "langsmith_dataplane.cli"]
    planned = subprocess.run(
        [*cli, "plan", "topology.yaml", "--stack", STACK, "--format", "json"],
        cwd=project.root,
        capture_output=True,
        text=True,
        check=True,
    )
    plan = {r["urn"] for r in json.loads(planned.stdout)["stacks"][STACK]["resources"]}
    plan = {urn for urn in plan if "::pulumi:providers:" not in urn}
    assert engine, "the preview listed no steps"
    assert sorted(engine - plan) == [], "the engine has URNs the plan lacks"
    assert sorted(plan - engine) == [], "the plan has URNs the engine lacks"


def test_up_creates_the_stack(project, api, fake_cp):
    result = project.up()
    assert "error" not in plain(result.out).lower().split("outputs:")[0]
    assert set(NAMESPACES) <= namespaces(api)
    registered = listeners_of(fake_cp)
    assert set(registered) == {(WS_A, "local"), (WS_B, "local")}
    assert registered[(WS_A, "local")]["compute_config"]["k8s_namespaces"] == [
        "alpha-agents",
        "alpha-batch",
    ]
    # The real chart's listener runs with the id the engine's dynamic provider registered.
    env = listener_env(api, "langgraph-alpha")
    assert env["HOST_WORKER_LISTENER_ID"] == registered[(WS_A, "local")]["id"]
    assert env["HOST_WORKER_TENANT_ID"] == WS_A
    assert env["HOST_BACKEND_ENDPOINT"] == fake_cp.url
    _, core = api
    assert core.read_namespaced_secret("alpha-langsmith-api-key", "langgraph-alpha")
    stores = core.read_namespaced_secret("support-bot-backing-stores", "alpha-agents")
    assert set(stores.data) == {"POSTGRES_URI_CUSTOM", "REDIS_URI_CUSTOM"}
    releases = {
        s.metadata.name
        for s in core.list_secret_for_all_namespaces(label_selector="owner=helm").items
    }
    assert {"sh.helm.release.v1.alpha.v1", "sh.helm.release.v1.beta.v1"} <= releases
    dynamic_client, _ = api
    crds = dynamic_client.resources.get(
        api_version="apiextensions.k8s.io/v1", kind="CustomResourceDefinition"
    )
    assert crds.get(name="lgps.apps.langchain.ai").metadata.name == "lgps.apps.langchain.ai"
    outputs = project.outputs()
    assert outputs["listeners"]["alpha"]["listenerId"] == registered[(WS_A, "local")]["id"]
    # The deployment, created through the API by the engine's dynamic provider, no UI step.
    [deployment] = fake_cp.state.deployments.items.values()
    assert deployment["name"] == "support-bot"
    assert deployment["status"] == "READY"  # the up waited for the revision to be DEPLOYED
    assert deployment["source_config"]["listener_id"] == registered[(WS_A, "local")]["id"]
    assert deployment["source_config"]["listener_config"] == {"k8s_namespace": "alpha-agents"}
    assert deployment["secret_references"] == [
        {
            "name": "OPENAI_API_KEY",
            "secret_name": "support-bot-env",
            "secret_key": "OPENAI_API_KEY",
        },
        *(
            {"name": k, "secret_name": "support-bot-backing-stores", "secret_key": k}
            for k in ("POSTGRES_URI_CUSTOM", "REDIS_URI_CUSTOM")
        ),
    ]
    # Only plain env reaches LangSmith; the secret value stays in the cluster's Secret.
    sent = {s["name"]: s["value"] for s in deployment["secrets"]}
    assert sent.pop("LOG_LEVEL") == "info"
    assert set(sent) == {"DATAPLANE_SECRETS_CHECKSUM", "DATAPLANE_MANAGED_BY"}
    assert sent["DATAPLANE_MANAGED_BY"] == "langsmith-dataplane stack local: deployment support-bot"
    assert OPENAI_KEY not in str(fake_cp.state.deployments.items)
    env_secret = core.read_namespaced_secret("support-bot-env", "alpha-agents")
    assert base64.b64decode(env_secret.data["OPENAI_API_KEY"]).decode() == OPENAI_KEY
    assert core.read_namespaced_secret("alpha-postgres-roles", "langgraph-alpha")


def test_second_up_changes_nothing(project):
    project.up("--expect-no-changes")


UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # the engine's unknown-value sentinel


def test_a_namespace_addition_previews_only_what_changes(project, base_topology, tmp_path):
    """The release keeps its listenerId known and its chart version unchanged (a reviewer must
    not read a re-registration), and `dataplane diff` names the engine's creates and updates."""
    head = edit(base_topology, "[beta-agents]", "[beta-agents, beta-more]")
    project.write_topology(head)
    preview = project.preview_json()
    project.write_topology(base_topology)
    steps = {s["urn"]: s for s in preview["steps"] if s.get("op") != "same"}
    release = next(s for u, s in steps.items() if u.endswith("::beta-chart"))
    assert release["op"] == "update"
    assert "version" not in (release.get("diffReasons") or [])
    config = release["newState"]["inputs"]["values"]["config"]
    assert config["langgraphListenerId"] != UNKNOWN
    assert config["langgraphListenerId"] == listeners_of_project(project)["beta"]["listenerId"]
    registration = next(s for u, s in steps.items() if u.endswith("::beta-registration"))
    assert registration["op"] == "update"
    ops: dict[str, set[str]] = {}
    for urn, step in steps.items():
        if "::pulumi:pulumi:Stack::" not in urn and step["op"] != "read":
            ops.setdefault(step["op"], set()).add(urn)
    assert set(ops) <= {"create", "update"}, ops
    (tmp_path / "base.yaml").write_text(base_topology)
    (tmp_path / "head.yaml").write_text(head)
    cli = [sys.executable, "-m", "langsmith_dataplane.cli", "diff", "--format", "json"]
    done = subprocess.run(
        [*cli, str(tmp_path / "base.yaml"), str(tmp_path / "head.yaml")],
        capture_output=True,
        text=True,
        check=True,
    )
    diff = json.loads(done.stdout)["stacks"][STACK]
    assert {c["urn"] for c in diff["added"]} == ops.get("create", set())
    assert {c["urn"] for c in diff["changed"]} == ops.get("update", set())


def listeners_of_project(project) -> dict:
    return project.outputs()["listeners"]


def test_reordered_topology_previews_no_changes(project, base_topology):
    listeners = base_topology[base_topology.index("listeners:") : base_topology.index("egress:")]
    project.write_topology(base_topology.replace(listeners, REORDERED_LISTENERS))
    project.run("preview", "--expect-no-changes")
    project.write_topology(base_topology)


def test_adding_a_listener_only_creates(project, base_topology):
    project.write_topology(edit(base_topology, "egress:", GAMMA))
    ops = step_ops(project.preview_json())
    assert ops.get("create"), "adding a listener creates its resources"
    assert set(ops) <= {"create", "read"}, ops
    project.write_topology(base_topology)


def test_renamed_listener_is_neither_replaced_nor_deleted(project, base_topology):
    renamed = edit(base_topology, "  beta:\n", "  bravo:\n    renamedFrom: beta\n")
    project.write_topology(renamed)
    ops = step_ops(project.preview_json())
    forbidden = {"delete", "replace", "create-replacement", "delete-replaced", "create"}
    assert not (set(ops) & forbidden), ops
    project.write_topology(base_topology)


def test_protect_refuses_to_delete(project, api, fake_cp, base_topology):
    protected = edit(
        base_topology, "local: {clusters: [local]}", "local: {clusters: [local], protect: true}"
    )
    project.write_topology(protected)
    project.up()
    start = base_topology.index("  beta:\n")
    without_beta = protected[:start] + protected[protected.index("egress:") :]
    project.write_topology(without_beta)
    failed = project.up(check=False)
    assert failed.code != 0
    assert "protect" in plain(failed.text).lower()
    # One line leads the engine's per-resource errors: what happened and what to run.
    text = plain(failed.text)
    lead = "stack local has protect: true and the topology no longer has beta"
    assert lead in text
    assert "pulumi state unprotect --all -s local" in text
    assert "beta-agents" in namespaces(api)
    assert (WS_B, "local") in listeners_of(fake_cp)
    project.write_topology(base_topology)
    project.up()  # unprotects again


def test_refresh_then_up_recreates_a_listener_deleted_in_the_control_plane(project, api, fake_cp):
    old = listeners_of(fake_cp)[(WS_A, "local")]["id"]
    with fake_cp.state.lock:
        del fake_cp.state.listeners[old]
    project.run("refresh", "--yes", "--skip-preview")
    project.up()
    new = listeners_of(fake_cp)[(WS_A, "local")]["id"]
    assert new != old
    assert listener_env(api, "langgraph-alpha")["HOST_WORKER_LISTENER_ID"] == new


def test_removing_a_listener_leaves_the_others_working(project, api, fake_cp, base_topology):
    """No release owns the operator CRD: removing any listener keeps it, the rest upgrade."""
    start = base_topology.index("  alpha:\n")
    without_alpha = base_topology[:start] + base_topology[base_topology.index("  beta:\n") :]
    project.write_topology(without_alpha)
    project.up()
    assert "langgraph-alpha" not in namespaces(api) or _terminating(api, "langgraph-alpha")
    assert (WS_A, "local") not in listeners_of(fake_cp)
    dynamic_client, core = api
    crds = dynamic_client.resources.get(
        api_version="apiextensions.k8s.io/v1", kind="CustomResourceDefinition"
    )
    assert crds.get(name="lgps.apps.langchain.ai")
    # beta's release still upgrades: a new watched namespace is a new Helm revision.
    project.write_topology(edit(without_alpha, "[beta-agents]", "[beta-agents, beta-extra]"))
    project.up()
    releases = core.list_namespaced_secret("langgraph-beta", label_selector="owner=helm").items
    assert {"sh.helm.release.v1.beta.v2"} <= {s.metadata.name for s in releases}
    assert (
        listener_env(api, "langgraph-beta")["HOST_WORKER_LISTENER_ID"]
        == (listeners_of(fake_cp)[(WS_B, "local")]["id"])
    )
    project.write_topology(base_topology)
    project.up()


def _terminating(api, namespace: str) -> bool:
    _, core = api
    return core.read_namespace(namespace).status.phase == "Terminating"


def test_no_secret_in_state_or_engine_output(project, api):
    _, core = api
    passwords = set()
    for ns in ("langgraph-beta", "alpha-agents"):
        for secret in core.list_namespaced_secret(ns).items:
            if secret.metadata.name.startswith("sh.helm."):
                continue
            for value in (secret.data or {}).values():
                text = base64.b64decode(value).decode()
                passwords.add(text)
    passwords = {p for p in passwords if len(p) >= 16}
    assert passwords, "expected the generated store passwords"
    state = json.dumps(project.export())
    output = "\n".join(project.log)
    for secret in [KEY_A, KEY_B, OPENAI_KEY, *passwords]:
        assert secret not in state
        assert secret not in output


def test_destroy_leaves_nothing(project, api, fake_cp):
    project.run("destroy", "--yes", "--skip-preview")
    deadline = time.monotonic() + 120
    while set(NAMESPACES) & namespaces(api) and time.monotonic() < deadline:
        time.sleep(1)
    assert not set(NAMESPACES) & namespaces(api)
    _, core = api
    left = core.list_secret_for_all_namespaces(label_selector="owner=helm").items
    assert [s.metadata.name for s in left] == []
    assert listeners_of(fake_cp) == {}
    assert fake_cp.state.deployments.items == {}
