"""Faults survived, through the real engine: lost answers, bursts past the retry budget, the
engine killed while it waits, Ctrl-C, the kube-apiserver restarted, the stack's lock, and a
destroy cut half-way. Every scenario ends with a run that converges, then
`pulumi up --expect-no-changes`, and checks that nothing was created twice, orphaned or lost.

The control plane and the platform API are the local fakes (HTTPS, every request and response
checked against the published documents, faults injected per request); the cluster is a real
kube-apiserver of this module's own. The steps build on each other and run in file order.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable

import psutil
import pytest

from tests.artifacts import listener_chart, platform_openapi
from tests.fake_platform import Platform
from tests.helpers import REPO, edit
from tests.integration.conftest import (
    api_clients,
    running_control_plane,
    serving_fake_control_plane,
)
from tests.integration.engine import keep_log, plain, ready_project

pytestmark = pytest.mark.integration

ORG = "0b9b7c1e-3a5d-4f6e-8a7b-9c0d1e2f3a4c"
ADMIN = "lsv2_sk_" + "fa" * 16 + "_0123456789"
STACK = "faults"
KEYS = "/api/v1/orgs/current/service-keys"

TOPOLOGY = """\
version: 1
controlPlane:
  hostBackendUrl: {url}
  smithBackendUrl: {url}
  egressCidrs: [127.0.0.1/32]
  organizationId: {org}
  adminKey: langsmith.adminKey
workspaces:
  team-f: {{displayName: Team F, handle: team-f, owner: {stack}}}
clusters:
  local:
    existing: {{context: integration}}
    ingress: gateway
    gateway: {{name: agents, namespace: gateway-system}}
    addons: {{keda: false, metricsServer: false, gatewayController: false}}
listeners:
  f-dev:
    workspace: team-f
    cluster: local
    namespaces: [f-agents]
    deployments:
      bot: {{redisDb: 1, image: "registry.example.com/bot:1.0.0"}}
stacks:
  {stack}: {{clusters: [local]}}
"""

SECOND_LISTENER = """\
  g-dev:
    workspace: team-f
    cluster: local
    computeId: local-g
    namespaces: [g-agents]
    deployments:
      helper: {redisDb: 1, image: "registry.example.com/helper:1.0.0"}
stacks:"""


@pytest.fixture(scope="module")
def control_plane(tmp_path_factory):
    yield from running_control_plane(tmp_path_factory.mktemp("faults-cluster"))


@pytest.fixture(scope="module")
def api(control_plane):
    return api_clients(control_plane)


@pytest.fixture(scope="module")
def organisation() -> Platform:
    return Platform(ORG, {ADMIN}, openapi=platform_openapi())


@pytest.fixture(scope="module")
def fake_cp(control_plane, organisation):
    yield from serving_fake_control_plane(control_plane, {}, platform=organisation)


@pytest.fixture(scope="module")
def texts(fake_cp) -> dict[str, str]:
    base = TOPOLOGY.format(url=fake_cp.url, org=ORG, stack=STACK)
    return {"base": base, "two": edit(base, "stacks:", SECOND_LISTENER)}


@pytest.fixture(scope="module")
def project(control_plane, tmp_path_factory, texts):
    project = ready_project(
        tmp_path_factory.mktemp("faults-project"),
        stack=STACK,
        kubeconfig=control_plane.kubeconfig,
        ca_file=control_plane.pki.ca_cert,
        topology=texts["base"],
        settings={
            "langsmith-dataplane:chartPath": str(listener_chart()),
            "langsmith-dataplane:skipAwait": "true",
        },
        secrets={"langsmith.adminKey": ADMIN},
    )
    yield project
    keep_log(project)


# -- what exists -------------------------------------------------------------------------------


def counts(fake_cp, organisation) -> dict[str, int]:
    return {
        "workspaces": sum(not w["is_deleted"] for w in organisation.workspaces.values()),
        "keys": len(organisation.service_keys),
        "listeners": len(fake_cp.state.listeners),
        "deployments": len(fake_cp.state.deployments.items),
    }


def deployment_names(fake_cp) -> list[str]:
    return sorted(d["name"] for d in fake_cp.state.deployments.items.values())


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.5)


def revision_reads(fake_cp) -> int:
    return sum(1 for m, path, _ in fake_cp.state.requests if m == "GET" and "/revisions/" in path)


def unstick(fake_cp, image: str) -> None:
    """The revisions of `image` stop hanging and go on to DEPLOYED."""
    fake_cp.state.revision_outcomes.pop(image, None)
    for revision in fake_cp.state.deployments.revisions.values():
        if revision["source_revision_config"].get("image_uri") == image:
            revision["_outcome"] = None


def signal_group(process: subprocess.Popen, signum: int) -> None:
    """`signum` to the engine's process group. The engine starts its plugins (language host,
    dynamic provider) in groups of their own and stops them itself, except when SIGKILL gives it
    no chance: then they are killed here too, or they would outlive the test (as nothing
    outlives a CI runner's container)."""
    plugins: list[psutil.Process] = []
    if signum == signal.SIGKILL:
        with contextlib.suppress(psutil.NoSuchProcess):
            plugins = psutil.Process(process.pid).children(recursive=True)
    os.killpg(process.pid, signum)
    for plugin in plugins:
        with contextlib.suppress(psutil.NoSuchProcess):
            plugin.kill()


def converges(project) -> None:
    project.up()
    project.up("--expect-no-changes")


# -- 1. lost answers ---------------------------------------------------------------------------


def test_every_create_whose_answer_is_lost_is_recovered_in_the_run(project, fake_cp, organisation):
    """The server acts, the answer never arrives: workspace, key, listener and deployment are
    each found again (or, for the key whose value is lost, revoked and made again)."""
    for path in ("/api/v1/workspaces", KEYS, "/v2/listeners", "/v2/deployments"):
        fake_cp.state.fault("POST", path, "act-then-drop")
    result = project.up()
    assert "error" not in plain(result.out).lower().split("outputs:")[0]
    assert counts(fake_cp, organisation) == {
        "workspaces": 1,
        "keys": 1,
        "listeners": 1,
        "deployments": 1,
    }
    project.up("--expect-no-changes")


# -- 2. bursts past the retry budget: the run fails, the next converges -----------------------


def test_a_key_burst_past_the_budget_fails_and_the_rerun_leaves_no_orphan(
    project, fake_cp, organisation, texts
):
    project.write_topology(texts["two"])
    for nth, fault in enumerate(["act-then-drop", 503, 503, 503, 503], start=1):
        fake_cp.state.fault("POST", KEYS, fault, nth=nth)
    failed = project.up(check=False)
    assert failed.code != 0
    assert "creating the service key" in plain(failed.text)
    assert "no success after 5 attempts" in plain(failed.text)
    converges(project)
    assert counts(fake_cp, organisation) == {
        "workspaces": 1,
        "keys": 2,  # one per listener: the lost attempt's key was revoked, not left behind
        "listeners": 2,
        "deployments": 2,
    }


def test_a_deployment_burst_past_the_budget_fails_and_the_rerun_makes_one(
    project, fake_cp, organisation, texts
):
    """Every attempt of the create is refused (503) past the budget: the run fails naming the
    deployment, and the next run makes exactly one (a lost answer is test 1's)."""
    project.write_topology(
        edit(
            texts["two"],
            'helper:1.0.0"}',
            'helper:1.0.0"}\n      extra: {redisDb: 2, image: "registry.example.com/extra:1.0.0"}',
        )
    )
    for nth in range(1, 6):
        fake_cp.state.fault("POST", "/v2/deployments", 503, nth=nth)
    failed = project.up(check=False)
    assert failed.code != 0
    assert "creating deployment 'extra': no success after 5 attempts" in plain(failed.text)
    converges(project)
    assert deployment_names(fake_cp) == ["bot", "extra", "helper"]  # recognised, not doubled


# -- 3. 429 and 5xx bursts while waiting for a revision ---------------------------------------


def test_rate_limits_and_server_errors_while_waiting_are_retried(project, fake_cp, texts):
    text = (project.root / "topology.yaml").read_text()
    project.write_topology(edit(text, "bot:1.0.0", "bot:1.0.1"))
    revisions_before = len(fake_cp.state.deployments.revisions)
    fake_cp.state.fault("GET", "/v2/deployments/", (429, 1), nth=1)
    fake_cp.state.fault("GET", "/v2/deployments/", 503, nth=2)
    fake_cp.state.fault("GET", "/v2/deployments/", 502, nth=3)
    converges(project)
    assert len(fake_cp.state.deployments.revisions) == revisions_before + 1  # exactly one


# -- 4. the engine killed while it waits --------------------------------------------------------


def test_the_engine_killed_mid_wait_then_the_next_run_finishes_the_work(
    project, fake_cp, organisation
):
    text = (project.root / "topology.yaml").read_text()
    slow = '      slow: {redisDb: 3, image: "registry.example.com/slow:1.0.0"}\n'
    project.write_topology(edit(text, "      extra:", slow + "      extra:"))
    fake_cp.state.revision_outcomes["registry.example.com/slow:1.0.0"] = "stuck"
    reads = revision_reads(fake_cp)
    process = project.start("up", "--yes", "--skip-preview")
    wait_for(lambda: "slow" in deployment_names(fake_cp), "the slow deployment is created")
    wait_for(lambda: revision_reads(fake_cp) > reads + 1, "the up waits on its revision")
    signal_group(process, signal.SIGKILL)  # a CI runner killed: no cleanup of any kind
    process.wait(timeout=30)
    unstick(fake_cp, "registry.example.com/slow:1.0.0")
    recover_after_a_kill(project)
    converges(project)
    assert deployment_names(fake_cp) == ["bot", "extra", "helper", "slow"]  # adopted, one
    before = counts(fake_cp, organisation)
    # Refresh, then up: nothing healthy is deleted or recreated.
    project.run("refresh", "--yes", "--skip-preview")
    project.up("--expect-no-changes")
    assert counts(fake_cp, organisation) == before


def recover_after_a_kill(project) -> None:
    """What the README says to run after the engine was killed: the stack is still locked,
    so `pulumi cancel`; then `pulumi refresh --clear-pending-creates`, which drops creates the
    engine never saw finish (safe here: every create finds its record by its natural key)."""
    refused = project.up(check=False)
    assert refused.code != 0
    assert "currently locked" in plain(refused.text)
    assert "pulumi cancel" in plain(refused.text)
    project.run("cancel", "--yes")
    project.run("refresh", "--clear-pending-creates", "--yes", "--skip-preview")


# -- 5. Ctrl-C ----------------------------------------------------------------------------------


def test_ctrl_c_cancels_and_the_next_run_converges(project, fake_cp, organisation):
    """The revision is never released while the engine runs: the cancel itself must end the
    wait (the engine's `Cancel` reaches the dynamic provider host, `api/cancellation.py`),
    well before `revisionTimeout`; the next `up` waits for the same revision and converges."""
    text = (project.root / "topology.yaml").read_text()
    project.write_topology(edit(text, "slow:1.0.0", "slow:1.0.1"))
    fake_cp.state.revision_outcomes["registry.example.com/slow:1.0.1"] = "stuck"
    reads = revision_reads(fake_cp)
    process = project.start("up", "--yes", "--skip-preview")
    wait_for(lambda: revision_reads(fake_cp) > reads + 1, "the up waits on the new revision")
    revisions_before = len(fake_cp.state.deployments.revisions)
    signal_group(process, signal.SIGINT)  # Ctrl-C in the terminal: the whole foreground group
    assert process.wait(timeout=120) != 0  # the stuck revision was NOT released
    said = plain(process.log_path.read_text())  # type: ignore[attr-defined]
    assert "stopped waiting for revision" in said
    assert "the update was cancelled" in said
    unstick(fake_cp, "registry.example.com/slow:1.0.1")  # LangSmith goes on with it
    converges(project)
    assert len(fake_cp.state.deployments.revisions) == revisions_before  # none made anew
    assert deployment_names(fake_cp) == ["bot", "extra", "helper", "slow"]
    assert counts(fake_cp, organisation)["keys"] == 2


def test_ctrl_c_twice_ends_the_engine_and_the_kill_recovery_converges(
    project, fake_cp, organisation
):
    """The second interrupt ends the engine without waiting for what is in flight: the
    README's row for it is the kill's recovery, run here as written."""
    text = (project.root / "topology.yaml").read_text()
    project.write_topology(edit(text, "extra:1.0.0", "extra:1.0.1"))
    fake_cp.state.revision_outcomes["registry.example.com/extra:1.0.1"] = "stuck"
    reads = revision_reads(fake_cp)
    process = project.start("up", "--yes", "--skip-preview")
    wait_for(lambda: revision_reads(fake_cp) > reads + 1, "the up waits on the new revision")
    plugins = psutil.Process(process.pid).children(recursive=True)
    signal_group(process, signal.SIGINT)
    time.sleep(0.5)
    signal_group(process, signal.SIGINT)
    assert process.wait(timeout=60) != 0
    try:
        assert leftover_plugins("--stop").returncode == 0
    finally:
        for plugin in plugins:
            with contextlib.suppress(psutil.NoSuchProcess):
                plugin.kill()
    unstick(fake_cp, "registry.example.com/extra:1.0.1")
    project.run("cancel", "--yes", check=False)  # "if the stack is still locked"
    project.run("refresh", "--clear-pending-creates", "--yes", "--skip-preview")
    converges(project)
    assert deployment_names(fake_cp) == ["bot", "extra", "helper", "slow"]
    assert counts(fake_cp, organisation)["keys"] == 2


# -- 6. the kube-apiserver restarted during up ---------------------------------------------------


def test_an_apiserver_restart_during_up_then_the_next_run_converges(
    project, control_plane, fake_cp, organisation
):
    text = (project.root / "topology.yaml").read_text()
    third = "  h-dev:\n    workspace: team-f\n    cluster: local\n    computeId: local-h\n"
    project.write_topology(edit(text, "stacks:", third + "    namespaces: [h-agents]\nstacks:"))
    process = project.start("up", "--yes", "--skip-preview")
    time.sleep(4)  # the engine is registering Kubernetes objects
    control_plane.restart_apiserver(down_for=3)
    process.wait(timeout=600)
    converges(project)
    computes = sorted(item["compute_id"] for item in fake_cp.state.listeners.values())
    assert computes == ["local", "local-g", "local-h"]  # one each, none doubled
    assert counts(fake_cp, organisation)["keys"] == 3


# -- 7. one stack, two runs: the engine's lock ---------------------------------------------------


def test_the_same_stack_twice_at_once_is_refused_by_the_lock(project, fake_cp):
    text = (project.root / "topology.yaml").read_text()
    project.write_topology(edit(text, "slow:1.0.1", "slow:1.0.2"))
    fake_cp.state.revision_outcomes["registry.example.com/slow:1.0.2"] = "stuck"
    reads = revision_reads(fake_cp)
    first = project.start("up", "--yes", "--skip-preview")
    wait_for(lambda: revision_reads(fake_cp) > reads, "the first up waits on a revision")
    second = project.up(check=False)
    assert second.code != 0
    assert "locked" in plain(second.text).lower()
    unstick(fake_cp, "registry.example.com/slow:1.0.2")
    assert first.wait(timeout=300) == 0
    project.up("--expect-no-changes")


# -- 7b. the CLI killed alone: its plugins go on -------------------------------------------------


def leftover_plugins(*args: str) -> subprocess.CompletedProcess:
    """The README's way to find (and stop) what a killed engine left running."""
    script = REPO / "tools" / "leftover-plugins.sh"
    return subprocess.run(
        ["bash", str(script), *args], capture_output=True, text=True, check=False, timeout=60
    )


def reads_settle(fake_cp, seconds: float = 7.0) -> bool:
    """No revision read for longer than a poll (5 s): nothing is waiting any more."""
    before = revision_reads(fake_cp)
    time.sleep(seconds)
    return revision_reads(fake_cp) == before


def test_plugins_a_killed_cli_left_finish_on_their_own_then_are_stopped(
    project, fake_cp, organisation
):
    """`kill -9` of the CLI alone (a terminal closed, an OOM kill): the dynamic provider host
    is in a group of its own, goes on waiting, finishes its work after the CLI died and never
    exits. The README's recovery finds it and stops it first, then converges."""
    text = (project.root / "topology.yaml").read_text()
    late = '      late: {redisDb: 4, image: "registry.example.com/late:1.0.0"}\n'
    project.write_topology(edit(text, "      extra:", late + "      extra:"))
    fake_cp.state.revision_outcomes["registry.example.com/late:1.0.0"] = "stuck"
    reads = revision_reads(fake_cp)
    process = project.start("up", "--yes", "--skip-preview")
    wait_for(lambda: "late" in deployment_names(fake_cp), "the late deployment is created")
    wait_for(lambda: revision_reads(fake_cp) > reads + 1, "the up waits on its revision")
    plugins = psutil.Process(process.pid).children(recursive=True)
    process.kill()  # the CLI only, as `kill -9 <pid>` would
    process.wait(timeout=30)
    try:
        listed = leftover_plugins()
        assert listed.returncode == 4, listed.stderr
        assert "-m pulumi.dynamic" in listed.stdout  # the host that is still waiting
        # With no engine, it still polls; once the revision goes live it reads that and
        # stops: its work is done, and it is still there.
        after_kill = revision_reads(fake_cp)
        wait_for(lambda: revision_reads(fake_cp) > after_kill, "the orphan goes on polling")
        unstick(fake_cp, "registry.example.com/late:1.0.0")
        wait_for(lambda: reads_settle(fake_cp), "the orphan's wait ends", timeout=60)
        assert any(p.is_running() for p in plugins)
        stopped = leftover_plugins("--stop")
        assert stopped.returncode == 0, stopped.stderr
        assert leftover_plugins().returncode == 0  # none left
    finally:
        for plugin in plugins:
            with contextlib.suppress(psutil.NoSuchProcess):
                plugin.kill()
    recover_after_a_kill(project)
    converges(project)
    assert deployment_names(fake_cp) == ["bot", "extra", "helper", "late", "slow"]  # one each


# -- 8. destroy cut half-way ---------------------------------------------------------------------


def test_an_interrupted_destroy_rerun_leaves_nothing_and_reports_no_error(
    project, fake_cp, organisation
):
    fake_cp.state.delete_polls = 10_000  # each deployment stays AWAITING_DELETE
    process = project.start("destroy", "--yes", "--skip-preview")
    wait_for(
        lambda: any(
            d["status"] == "AWAITING_DELETE" for d in fake_cp.state.deployments.items.values()
        ),
        "a deployment is being deleted",
    )
    signal_group(process, signal.SIGKILL)
    process.wait(timeout=30)
    fake_cp.state.delete_polls = 1
    for item in fake_cp.state.deployments.items.values():
        item["_polls_left"] = 0  # the operator finishes removing what was being deleted
    refused = project.run("destroy", "--yes", "--skip-preview", check=False)
    assert "currently locked" in plain(refused.text)
    project.run("cancel", "--yes")
    project.run("destroy", "--yes", "--skip-preview")
    left = counts(fake_cp, organisation)
    assert left == {"workspaces": 1, "keys": 0, "listeners": 0, "deployments": 0}  # kept
    assert project.export()["deployment"].get("resources") in (None, [])
