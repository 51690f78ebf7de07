"""The engine SIGKILLed while Helm installs, and while it upgrades: the README's recovery
(`pulumi cancel`, `refresh --clear-pending-creates`, `up`) converges, through the real engine,
the real Helm (in the kubernetes provider), the real charts and the real API server.

Readiness is waited for as on a real cluster (no `skipAwait`): a stand-in kubelet
(`fake_kubelet`) reports pods ready, except those of KEDA, metrics-server and the listener,
whose installs are still waiting when the engine is killed. Those three are left
`pending-install`, which Helm refuses to retry ("cannot re-use a name that is still in use");
the next `up` finds each one the stack's own (`ReleaseRecovery`), marks it failed and installs
it again, adopting what the killed run made. The recovery runs with `skipAwait` on: pods the
stand-in holds back never become ready. Then the same for upgrades (`pending-upgrade`).
"""

from __future__ import annotations

import time

import pytest

from components.helm_history import ClusterAccess, latest_revision
from tests.artifacts import charts_root
from tests.fake_control_plane import ApiKey
from tests.integration.conftest import (
    api_clients,
    running_control_plane,
    serving_fake_control_plane,
)
from tests.integration.control_plane import WORKLOAD_CONTROLLERS
from tests.integration.engine import PulumiProject, keep_log
from tests.integration.fake_kubelet import FakeKubelet
from tests.integration.test_faults_engine import recover_after_a_kill, signal_group

pytestmark = pytest.mark.integration

WS = "6f1e8c52-4b1e-4b7e-9a51-2d1d2f7e0a0b"
KEY = "lsv2_pt_" + "d4" * 16 + "_0123456789"
STACK = "helmkill"
LISTENER = "h-dev"
# (namespace, release) of the releases held back by the stand-in kubelet.
HELD = {("keda", "keda"), ("kube-system", "metrics-server"), (f"langgraph-{LISTENER}", LISTENER)}

TOPOLOGY = """\
version: 1
controlPlane:
  hostBackendUrl: {url}
  smithBackendUrl: {url}
  egressCidrs: [127.0.0.1/32]
workspaces:
  A: {{id: {ws}, apiKey: workspaceA.apiKey}}
clusters:
  local:
    existing: {{context: integration}}
    ingress: gateway
    gateway: {{name: agents, namespace: gateway-system}}
    addons: {{keda: true, metricsServer: true, gatewayController: false}}
listeners:
  {listener}:
    workspace: A
    cluster: local
    computeId: local-h
    namespaces: [{namespaces}]
stacks:
  {stack}: {{clusters: [local]}}
"""


def topology(url: str, namespaces: str = "h-agents") -> str:
    return TOPOLOGY.format(url=url, ws=WS, listener=LISTENER, namespaces=namespaces, stack=STACK)


@pytest.fixture(scope="module")
def control_plane(tmp_path_factory):
    yield from running_control_plane(
        tmp_path_factory.mktemp("helmkill-cluster"), controllers=WORKLOAD_CONTROLLERS
    )


@pytest.fixture(scope="module")
def api(control_plane):
    return api_clients(control_plane)


@pytest.fixture(scope="module")
def fake_cp(control_plane):
    yield from serving_fake_control_plane(control_plane, {KEY: ApiKey({WS})})


@pytest.fixture(scope="module")
def kubelet(api):
    with FakeKubelet(api[1]) as kubelet:
        kubelet.held = {release for _, release in HELD}
        yield kubelet


@pytest.fixture(scope="module")
def project(control_plane, fake_cp, tmp_path_factory):
    root = tmp_path_factory.mktemp("helmkill-project")
    project = PulumiProject(
        root,
        stack=STACK,
        kubeconfig=control_plane.kubeconfig,
        ca_file=control_plane.pki.ca_cert,
    )
    project.env.pop("LANGSMITH_CHARTS_DIR", None)
    project.write_topology(topology(fake_cp.url))
    project.run("stack", "init", STACK)
    project.config("langsmith-dataplane:chartsDir", str(charts_root()))
    project.config("workspaceA.apiKey", KEY, secret=True)
    yield project
    keep_log(project)


def statuses(control_plane) -> dict[tuple[str, str], tuple[int, str]]:
    access = ClusterAccess(kubeconfig_path=str(control_plane.kubeconfig))
    out = {}
    for namespace, release in HELD:
        revision = latest_revision(access, namespace, release)
        if revision is not None:
            out[(namespace, release)] = (revision.version, revision.status)
    return out


def killed_once_all_wait(project, control_plane, status: str) -> None:
    """`pulumi up` in the background, SIGKILLed (with its plugins) once every held release's
    newest revision is `status`: Helm is mid-operation for all three."""
    process = project.start("up", "--yes", "--skip-preview")
    deadline = time.monotonic() + 420
    while True:
        now = statuses(control_plane)
        if len(now) == len(HELD) and all(s == status for _, s in now.values()):
            break
        assert process.poll() is None, process.log_path.read_text()  # type: ignore[attr-defined]
        assert time.monotonic() < deadline, f"never all {status}: {now}"
        time.sleep(1)
    time.sleep(2)
    signal_group(process, 9)
    process.wait(timeout=60)


def retried(project, control_plane, kubelet, status_before: str) -> None:
    """The README's recovery, with readiness no longer waited for (the held pods never get
    ready); the stack converges and each held release is deployed on top of the failed one."""
    before = statuses(control_plane)
    assert {s for _, s in before.values()} == {status_before}
    recover_after_a_kill(project)
    project.config("langsmith-dataplane:skipAwait", "true")
    result = project.up()
    assert "marked failed so that this run retries it" in result.text
    project.up("--expect-no-changes")
    after = statuses(control_plane)
    for key, (version, _) in before.items():
        assert after[key] == (version + 1, "deployed"), (key, after[key])


def test_a_kill_while_helm_installs_add_ons_and_the_listener_is_retried(
    project, control_plane, kubelet
):
    killed_once_all_wait(project, control_plane, "pending-install")
    retried(project, control_plane, kubelet, "pending-install")


def test_a_kill_while_helm_upgrades_them_is_retried(project, control_plane, kubelet, fake_cp):
    project.config("langsmith-dataplane:skipAwait", "false")  # every release is upgraded
    project.write_topology(topology(fake_cp.url, "h-agents, h-more"))
    killed_once_all_wait(project, control_plane, "pending-upgrade")
    retried(project, control_plane, kubelet, "pending-upgrade")


def test_a_release_helm_finished_but_the_engine_never_recorded_is_imported(project):
    """The kill in the instant after Helm finished an install, before the engine recorded it:
    the release is `deployed` and not in the state. Reproduced by dropping it from the state;
    the README's troubleshooting row takes it back with `pulumi import`."""
    resources = project.export()["deployment"]["resources"]
    [keda] = [
        r for r in resources if r["urn"].endswith("kubernetes:helm.sh/v3:Release::local-keda")
    ]
    project.run("state", "delete", keda["urn"], "--yes")
    refused = project.up(check=False)
    assert refused.code != 0
    assert "cannot re-use a name that is still in use" in refused.text
    provider = keda["provider"].rsplit("::", 1)[0]  # `urn::id` in the state
    project.run(
        "import",
        "kubernetes:helm.sh/v3:Release",
        "local-keda",
        "keda/keda",
        "--parent",
        f"cluster={keda['parent']}",
        "--provider",
        f"k8s={provider}",
        "--protect=false",
        "--generate-code=false",
        "--yes",
    )
    project.up()
    project.up("--expect-no-changes")
