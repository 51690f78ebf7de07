"""Air-gapped: `pulumi up` installs EVERY chart of the stack from local copies, through one setting.

The stack has two `existing` clusters on the suite's API server (two kubeconfig contexts): one
with `ingress: gateway` and a listener (Envoy Gateway, KEDA, metrics-server, the operator's CRD
and the listener chart), one with `ingress: ingress` and a standalone Agent Server (Traefik and
the `langgraph-cloud` chart). `langsmith-dataplane:chartsDir` points at the real charts (`../shared/charts`
in CI, through the tests' charts setting); nothing else names a chart, so a release that tried a
repository would fail here (no internet). No kubelet runs, so a stand-in marks Helm's hook Jobs
(Envoy Gateway's certgen) complete, as a kubelet running them would.
"""

from __future__ import annotations

import shutil
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from langsmith_dataplane.chart_staging import STAGING_DIR
from langsmith_dataplane.charts import chart_sources
from tests.artifacts import charts_root
from tests.fake_control_plane import ApiKey
from tests.integration.conftest import (
    api_clients,
    running_control_plane,
    serving_fake_control_plane,
)
from tests.integration.engine import PulumiProject, plain

pytestmark = pytest.mark.integration

WS = "6f1e8c52-4b1e-4b7e-9a51-2d1d2f7e0a0a"
KEY = "lsv2_pt_" + "c3" * 16 + "_0123456789"
LICENSE = "integration-license-not-a-secret-0123"
STACK = "airgapped"

TOPOLOGY = """\
version: 1
controlPlane:
  hostBackendUrl: {url}
  smithBackendUrl: {url}
  egressCidrs: [127.0.0.1/32]
  airGapped: true
workspaces:
  A: {{id: {ws}, apiKey: workspaceA.apiKey}}
clusters:
  gw:
    existing: {{context: integration}}
    ingress: gateway
  edge:
    existing: {{context: integration-edge}}
    ingress: ingress
listeners:
  alpha:
    workspace: A
    cluster: gw
    namespaces: [alpha-agents]
agentServers:
  search:
    workspace: A
    cluster: edge
    namespace: search
    image: registry.example.com/search:1.0.0
    licenseKey: langgraph.licenseKey
    hostname: search.example.test
stacks:
  {stack}: {{clusters: [gw, edge]}}
"""


@pytest.fixture(scope="module")
def control_plane(tmp_path_factory):
    yield from running_control_plane(tmp_path_factory.mktemp("airgapped-cluster"))


@pytest.fixture(scope="module")
def api(control_plane):
    return api_clients(control_plane)


@pytest.fixture(scope="module")
def fake_cp(control_plane):
    yield from serving_fake_control_plane(control_plane, {KEY: ApiKey({WS})})


def two_contexts(kubeconfig: Path, into: Path) -> Path:
    """The suite's kubeconfig with a second context on the same API server."""
    config = yaml.safe_load(kubeconfig.read_text())
    [context] = config["contexts"]
    config["contexts"].append({"name": "integration-edge", "context": dict(context["context"])})
    into.write_text(yaml.safe_dump(config))
    return into


class HookJobs:
    """Marks Helm hook Jobs complete, as a kubelet running their pods would (none runs here)."""

    def __init__(self, api) -> None:
        self.jobs = api[0].resources.get(api_version="batch/v1", kind="Job")
        self.done: set[str] = set()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> HookJobs:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=10)

    def _run(self) -> None:
        while not self.stop.wait(1):
            try:
                items = self.jobs.get().items
            except Exception:
                continue
            for job in (item.to_dict() for item in items):
                meta = job["metadata"]
                key = f"{meta['namespace']}/{meta['name']}"
                if "helm.sh/hook" in (meta.get("annotations") or {}) and key not in self.done:
                    try:
                        self._complete(job)
                        self.done.add(key)
                    except Exception:
                        pass  # the API server refused this round: the next one tries again

    def _complete(self, job: dict) -> None:
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        condition = {"status": "True", "lastProbeTime": now, "lastTransitionTime": now}
        status = {
            "startTime": (job.get("status") or {}).get("startTime") or now,
            "completionTime": now,
            "succeeded": 1,
            "active": 0,
            "ready": 0,
            "terminating": 0,
            "conditions": [
                {"type": "SuccessCriteriaMet", **condition},
                {"type": "Complete", **condition},
            ],
        }
        self.jobs.status.patch(
            name=job["metadata"]["name"],
            namespace=job["metadata"]["namespace"],
            body={"status": status},
            content_type="application/merge-patch+json",
        )


@pytest.fixture(scope="module")
def project(control_plane, fake_cp, tmp_path_factory):
    root = tmp_path_factory.mktemp("airgapped-project")
    kubeconfig = two_contexts(control_plane.kubeconfig, root / "kubeconfig")
    project = PulumiProject(
        root, stack=STACK, kubeconfig=kubeconfig, ca_file=control_plane.pki.ca_cert
    )
    project.env.pop("LANGSMITH_CHARTS_DIR", None)  # the stack's own setting, nothing else
    project.write_topology(TOPOLOGY.format(url=fake_cp.url, ws=WS, stack=STACK))
    project.run("stack", "init", STACK)
    project.config("langsmith-dataplane:chartsDir", str(charts_root()))
    project.config("langsmith-dataplane:skipAwait", "true")
    project.config("workspaceA.apiKey", KEY, secret=True)
    project.config("langgraph.licenseKey", LICENSE, secret=True)
    yield project
    (project.root / "engine.log").write_text("\n".join(project.log))


def test_the_charts_dir_holds_every_chart_the_stack_pins():
    sources = chart_sources(str(charts_root()))
    refs = [sources.listener, sources.agent_server, *vars(sources.addons).values()]
    assert all(not ref.unavailable for ref in refs), [r.unavailable for r in refs]


def test_up_installs_every_chart_from_local_copies(project, api):
    with HookJobs(api) as hooks:
        result = project.up()
    assert "error" not in plain(result.out).lower().split("outputs:")[0]
    state = project.export()["deployment"]["resources"]
    releases = {
        r["urn"].rsplit("::", 1)[1]: r["inputs"]
        for r in state
        if r["type"] == "kubernetes:helm.sh/v3:Release"
    }
    assert set(releases) == {
        "gw-envoy-gateway",
        "gw-keda",
        "gw-metrics-server",
        "alpha-chart",
        "edge-traefik",
        "search-chart",
    }
    for name, inputs in releases.items():
        # By what the chart is: its copy in the project, named by its digest.
        assert Path(inputs["chart"]).parts[0] == STAGING_DIR, name
        assert (project.root / inputs["chart"] / "Chart.yaml").is_file(), name
        assert "repositoryOpts" not in inputs, name
    _, core = api
    installed = {
        s.metadata.name.removeprefix("sh.helm.release.v1.")
        for s in core.list_secret_for_all_namespaces(label_selector="owner=helm").items
    }
    for release in ("envoy-gateway", "keda", "metrics-server", "alpha", "traefik"):
        assert f"{release}.v1" in installed, installed
    assert any(name.endswith(".v1") and "search" in name for name in installed), installed
    assert hooks.done, "Envoy Gateway's certgen hook Job was never created"


def test_a_second_up_changes_nothing(project, api):
    """A local chart keeps its Chart.yaml version: nothing shows as changing."""
    with HookJobs(api):
        project.up("--expect-no-changes")


def test_the_same_charts_under_another_directory_upgrade_nothing(project, api, tmp_path):
    """A laptop and a CI runner keep the charts in different places: no release upgrades."""
    elsewhere = tmp_path / "charts-on-another-machine"
    shutil.copytree(charts_root(), elsewhere)
    shutil.rmtree(project.root / STAGING_DIR)  # a fresh checkout has no copies either
    project.config("langsmith-dataplane:chartsDir", str(elsewhere))
    try:
        with HookJobs(api):
            project.up("--expect-no-changes")
    finally:
        project.config("langsmith-dataplane:chartsDir", str(charts_root()))


def test_destroy(project, api):
    with HookJobs(api):
        project.run("destroy", "--yes", "--skip-preview")
    time.sleep(1)
