"""The policy pack, run by the real engine (`pulumi preview --policy-pack policy`).

The stack's topology is NOT ./topology.yaml (there is none in the scratch project): the pack
must read the file the stack's `langsmith-dataplane:topology` names, as the program does, and run clean.
Pointed (through its policy config) at a topology it cannot read, it must fail the preview with
its own message, never pass unchecked.
"""

from __future__ import annotations

import json
import shutil
import sys

import pytest

from tests.artifacts import listener_chart
from tests.helpers import REPO
from tests.integration.conftest import running_control_plane
from tests.integration.engine import PulumiProject, plain

pytestmark = pytest.mark.integration

STACK = "policy"
TOPOLOGY = """\
version: 1
controlPlane: {region: us}
workspaces:
  A: {id: 6f1e8c52-4b1e-4b7e-9a51-2d1d2f7e0a01, apiKey: workspaceA.apiKey}
clusters:
  local:
    existing: {context: integration}
    ingress: gateway
    addons: {keda: false, metricsServer: false, gatewayController: false}
    gateway: {name: agents, namespace: gateway-system}
listeners:
  alpha:
    workspace: A
    cluster: local
    namespaces: [alpha-agents]
    listenerId: 2b2c3d4e-5f60-4718-9a0b-1c2d3e4f5a6b
stacks:
  policy: {clusters: [local], protect: true}
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    control_plane = running_control_plane(tmp_path_factory.mktemp("policy-cluster"))
    plane = next(control_plane)
    root = tmp_path_factory.mktemp("policy-project")
    project = PulumiProject(
        root, stack=STACK, kubeconfig=plane.kubeconfig, ca_file=plane.pki.ca_cert
    )
    (root / "layouts").mkdir()
    (root / "layouts" / "prod.yaml").write_text(TOPOLOGY)
    policy = root / "policy"
    shutil.copytree(REPO / "policy", policy)
    pack = (policy / "PulumiPolicy.yaml").read_text()
    (policy / "PulumiPolicy.yaml").write_text(pack.replace("../.venv", sys.prefix))
    project.run("stack", "init", STACK)
    project.config("langsmith-dataplane:topology", "layouts/prod.yaml")
    project.config("langsmith-dataplane:chartPath", str(listener_chart()))
    project.config("langsmith-dataplane:skipAwait", "true")
    project.config("workspaceA.apiKey", "lsv2_pt_" + "d4" * 16 + "_0123456789", secret=True)
    yield project
    (root / "engine.log").write_text("\n".join(project.log))
    next(control_plane, None)


def test_the_pack_reads_the_stacks_own_topology(project):
    assert not (project.root / "topology.yaml").exists()
    result = project.run("preview", "--policy-pack", "policy", check=False)
    text = plain(result.text)
    assert "Traceback" not in text
    assert result.code == 0, text[-4000:]


def test_a_topology_the_pack_cannot_read_fails_the_preview(project, tmp_path):
    config = tmp_path / "policy-config.json"
    missing = str(tmp_path / "missing.yaml")
    config.write_text(json.dumps({"stateful-resources-protected": {"topology": missing}}))
    result = project.run(
        "preview", "--policy-pack", "policy", "--policy-pack-config", str(config), check=False
    )
    text = plain(result.text)
    assert result.code != 0
    assert "cannot check whether" in text
    assert "missing.yaml" in text
