"""What the program renders, applied to a real kube-apiserver (etcd, admission, controllers).

These tests apply `dataplane render`'s manifests with server-side apply, the way the Kubernetes
provider does, and install the listener releases with Helm and the REAL chart, then check what
the API server stores and admits. `test_real_engine.py` runs the same through `pulumi up`.
"""

from __future__ import annotations

import copy
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from langsmith_dataplane.naming import MANAGED_BY
from langsmith_dataplane.review.render import render_stack
from langsmith_dataplane.topology import parse_topology
from tests.artifacts import agent_server_chart, listener_chart
from tests.edits import reverse_everything
from tests.helpers import edit

pytestmark = pytest.mark.integration
TOPOLOGY = (Path(__file__).parent / "topology.yaml").read_text()
FIELD_MANAGER = "langsmith-dataplane"


def rendered(text: str, out: Path) -> list[dict]:
    result = render_stack(parse_topology(text).model, "local", out)
    docs = [yaml.safe_load(p.read_text()) for p in result.manifests]
    return sorted(docs, key=lambda d: (d["kind"] != "Namespace", d["kind"], d["metadata"]["name"]))


def key(doc: dict) -> tuple[str, str, str]:
    return doc["kind"], doc["metadata"].get("namespace", ""), doc["metadata"]["name"]


def apply_all(api, docs: list[dict]) -> dict[tuple[str, str, str], str]:
    """Server-side apply every object; returns the resourceVersion of each."""
    dynamic_client, _ = api
    versions = {}
    for doc in docs:
        resource = dynamic_client.resources.get(api_version=doc["apiVersion"], kind=doc["kind"])
        live = resource.server_side_apply(
            body=copy.deepcopy(doc),
            name=doc["metadata"]["name"],
            namespace=doc["metadata"].get("namespace"),
            field_manager=FIELD_MANAGER,
            force_conflicts=True,
        )
        versions[key(doc)] = live.metadata.resourceVersion
    return versions


def live(api, doc: dict) -> dict:
    dynamic_client, _ = api
    resource = dynamic_client.resources.get(api_version=doc["apiVersion"], kind=doc["kind"])
    return resource.get(
        name=doc["metadata"]["name"], namespace=doc["metadata"].get("namespace")
    ).to_dict()


def contains(actual, expected) -> bool:
    """Every field we set is stored as set (the server may add defaults)."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            k in actual and contains(actual[k], v) for k, v in expected.items()
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(expected)
            and all(map(contains, actual, expected))
        )
    return actual == expected


@pytest.fixture(scope="module")
def applied(api, tmp_path_factory):
    docs = rendered(TOPOLOGY, tmp_path_factory.mktemp("render"))
    return docs, apply_all(api, docs)


def test_the_api_server_stores_every_object_as_rendered(api, applied):
    docs, versions = applied
    assert len(versions) == len(docs) > 40
    for doc in docs:
        stored = live(api, doc)
        for field in ("spec", "stringData" if doc["kind"] != "Secret" else "type"):
            if field in doc:
                assert contains(stored[field], doc[field]), key(doc)
        assert contains(
            stored["metadata"].get("labels") or {}, doc["metadata"].get("labels") or {}
        ), key(doc)


def test_namespaces_carry_listener_and_pod_security_labels(api, applied):
    _, core = api
    labels = core.read_namespace("alpha-agents").metadata.labels
    assert labels["app.kubernetes.io/managed-by"] == MANAGED_BY
    assert labels["langsmith.com/listener"] == "alpha"
    assert labels["langsmith.com/workspace"] == "A"
    assert labels["pod-security.kubernetes.io/enforce"] == "baseline"
    assert labels["pod-security.kubernetes.io/warn"] == "restricted"
    quota = core.read_namespaced_resource_quota("langsmith-quota", "alpha-agents")
    assert quota.spec.hard == {"requests.cpu": "8", "requests.memory": "16Gi", "pods": "40"}


def test_every_namespace_has_default_deny_egress(api, applied):
    dynamic_client, _ = api
    policies = dynamic_client.resources.get(
        api_version="networking.k8s.io/v1", kind="NetworkPolicy"
    )
    for namespace in (
        "alpha-agents",
        "alpha-batch",
        "beta-agents",
        "langgraph-alpha",
        "langgraph-beta",
        "search-agent",
    ):
        deny = policies.get(name="langsmith-default-deny-egress", namespace=namespace).to_dict()
        assert deny["spec"]["podSelector"] == {}
        assert deny["spec"]["policyTypes"] == ["Egress"]
        assert not deny["spec"].get("egress")


def test_secrets_hold_the_expected_keys(api, applied):
    _, core = api
    assert set(core.read_namespaced_secret("alpha-langsmith-api-key", "langgraph-alpha").data) == {
        "langsmith_api_key"
    }
    stores = core.read_namespaced_secret("support-bot-backing-stores", "alpha-agents")
    assert set(stores.data) == {"POSTGRES_URI_CUSTOM", "REDIS_URI_CUSTOM"}


def test_workload_pods_pass_the_restricted_pod_security_profile(api, applied):
    """Dry-run each workload's pod in a namespace that enforces `restricted`."""
    _, core = api
    docs, _ = applied
    core.create_namespace(
        {
            "metadata": {
                "name": "psa-restricted",
                "labels": {"pod-security.kubernetes.io/enforce": "restricted"},
            }
        }
    )
    deadline = time.monotonic() + 60
    while not core.list_namespaced_service_account("psa-restricted").items:  # the SA controller
        assert time.monotonic() < deadline, "default ServiceAccount never appeared"
        time.sleep(0.5)
    workloads = [d for d in docs if d["kind"] in ("StatefulSet", "Job")]
    # Redis per listener; Postgres and its database Job only for alpha (it has deployments);
    # the Agent Server's own Postgres, database Job and Redis
    assert len(workloads) == 7
    for doc in workloads:
        template = copy.deepcopy(doc["spec"]["template"])
        template["spec"]["volumes"] = [
            v for v in template["spec"].get("volumes", []) if "secret" not in v
        ]
        for container in template["spec"]["containers"]:
            container["volumeMounts"] = [
                m
                for m in container.get("volumeMounts", [])
                if m["name"] in {v["name"] for v in template["spec"]["volumes"]}
            ]
        pod = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": f"dry-{doc['metadata']['name']}"[:63]},
            "spec": template["spec"],
        }
        core.create_namespaced_pod(
            "psa-restricted", pod, dry_run="All"
        )  # raises 403 on a violation
    core.delete_namespace("psa-restricted")


def test_second_apply_changes_nothing(api, applied):
    docs, versions = applied
    assert apply_all(api, docs) == versions


def test_reordered_topology_changes_nothing(api, applied, tmp_path):
    _, versions = applied
    reordered = yaml.safe_dump(reverse_everything(yaml.safe_load(TOPOLOGY)), sort_keys=False)
    assert apply_all(api, rendered(reordered, tmp_path)) == versions


def test_rename_with_renamed_from_changes_nothing(api, applied, tmp_path):
    _, versions = applied
    text = edit(
        TOPOLOGY,
        "  beta:\n    workspace: B",
        "  team-beta:\n    renamedFrom: beta\n    workspace: B",
    )
    assert apply_all(api, rendered(text, tmp_path)) == versions


def test_adding_a_listener_only_adds(api, applied, tmp_path):
    _, versions = applied
    text = edit(
        TOPOLOGY,
        "agentServers:",
        "  gamma:\n    workspace: B\n    cluster: local\n    namespaces: [gamma-agents]\n    computeId: local-gamma\n    listenerId: 2b2c3d4e-5f60-4718-9a0b-1c2d3e4f5a6b\nagentServers:",
    )
    after = apply_all(api, rendered(text, tmp_path))
    assert {k: after[k] for k in versions} == versions
    added = set(after) - set(versions)
    assert ("Namespace", "", "gamma-agents") in added
    assert all(k[1] in ("", "gamma-agents", "langgraph-gamma") for k in added)


def _helm(control_plane, *args: str) -> str:
    result = subprocess.run(
        [str(control_plane.bin_dir / "helm"), "--kubeconfig", str(control_plane.kubeconfig), *args],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def _apply_operator_crd(api, control_plane, tmp_path) -> None:
    """What the Cluster component does: the chart's CRD, rendered client-side and applied."""
    from components.operator_crd import chart_crd

    rendered = _helm(
        control_plane,
        "template",
        "crds",
        str(listener_chart()),
        "--set",
        "operator.createCRDs=true",
    )
    crd = chart_crd([d for d in yaml.safe_load_all(rendered) if d])
    apply_all(api, [{**crd, "metadata": {"name": crd["metadata"]["name"]}}])


def _without_rollme(manifest: str) -> str:
    """The chart annotates its pods with `rollme: {{ randAlphaNum 5 }}` (a restart on every
    upgrade, by design); everything else must render identically."""
    return "\n".join(line for line in manifest.splitlines() if "rollme:" not in line)


def _deployment_env(api, namespace: str, suffix: str) -> dict[str, dict]:
    dynamic_client, _ = api
    deployments = dynamic_client.resources.get(api_version="apps/v1", kind="Deployment")
    [deployment] = [
        d for d in deployments.get(namespace=namespace).items if d.metadata.name.endswith(suffix)
    ]
    container = deployment.to_dict()["spec"]["template"]["spec"]["containers"][0]
    return {e["name"]: e for e in container["env"]}


def test_listener_releases_install_the_real_chart_with_the_rendered_values(
    api, applied, control_plane, tmp_path
):
    """Each listener release, REAL chart, exactly the program's values; removing one listener
    leaves the operator CRD and the other release upgradable."""
    _apply_operator_crd(api, control_plane, tmp_path)
    result = render_stack(parse_topology(TOPOLOGY).model, "local", tmp_path / "render")
    listings = [yaml.safe_load(p.read_text()) for p in result.helm_releases]
    releases = {r["release"]: r for r in listings if r["chart"] == "langgraph-dataplane"}
    assert set(releases) == {"alpha", "beta"}

    def install(release: dict, values: dict) -> list[str]:
        path = tmp_path / f"{release['release']}.values.yaml"
        path.write_text(yaml.safe_dump(values))
        args = ["upgrade", "--install", release["release"], str(listener_chart())]
        return [*args, "-n", release["namespace"], "-f", str(path)]

    for release in releases.values():
        args = install(release, release["values"])
        _helm(control_plane, *args)
        manifest = ["get", "manifest", release["release"], "-n", release["namespace"]]
        first = _without_rollme(_helm(control_plane, *manifest))
        _helm(control_plane, *args)  # the same values render the same objects
        assert _without_rollme(_helm(control_plane, *manifest)) == first
    alpha = _deployment_env(api, "langgraph-alpha", "-listener")
    assert alpha["HOST_WORKER_LISTENER_ID"]["value"] == "9e2f1a3b-0c4d-4e5f-8a6b-7c8d9e0f1a2b"
    assert alpha["HOST_BACKEND_ENDPOINT"]["value"] == "https://eu.api.host.langchain.com"
    assert alpha["HOST_WORKER_LANGSMITH_API_KEY"]["valueFrom"]["secretKeyRef"] == {
        "name": "alpha-langsmith-api-key",
        "key": "langsmith_api_key",
    }
    beta = _deployment_env(api, "langgraph-beta", "-listener")
    assert beta["REDIS_DATABASE_URI"]["valueFrom"]["secretKeyRef"] == {
        "name": "beta-redis-connection",
        "key": "connection_url",
    }
    assert alpha["HOST_QUEUE"]["value"] != beta["HOST_QUEUE"]["value"]
    operator = _deployment_env(api, "langgraph-alpha", "-operator")
    assert operator["WATCH_NAMESPACE"]["value"] == "alpha-agents,alpha-batch"
    assert operator["GATEWAY_NAME"]["value"] == "agents"
    assert operator["GATEWAY_NAMESPACE"]["value"] == "gateway-system"
    dynamic_client, _ = api
    crds = dynamic_client.resources.get(
        api_version="apiextensions.k8s.io/v1", kind="CustomResourceDefinition"
    )
    crd = crds.get(name="lgps.apps.langchain.ai").to_dict()
    assert "meta.helm.sh/release-name" not in (crd["metadata"].get("annotations") or {})

    # Remove the alphabetically first listener: the CRD stays, the other release upgrades.
    _helm(control_plane, "uninstall", "alpha", "-n", "langgraph-alpha")
    assert crds.get(name="lgps.apps.langchain.ai")
    beta_release = releases["beta"]
    changed = {**beta_release["values"], "commonLabels": {"langsmith.com/upgraded": "yes"}}
    _helm(control_plane, *install(beta_release, changed))
    history = _helm(control_plane, "history", "beta", "-n", "langgraph-beta", "-o", "yaml")
    # install, the same-values upgrade above, and this one
    assert [h["status"] for h in yaml.safe_load(history)] == ["superseded"] * 2 + ["deployed"]
    _helm(control_plane, "uninstall", "beta", "-n", "langgraph-beta")


def test_the_agent_server_installs_the_real_langgraph_cloud_chart(
    api, applied, control_plane, gateway_api, tmp_path
):
    """The standalone server's release, REAL chart, the program's values: it reads the keys and
    store URIs from the program's Secrets and runs none of the chart's own stores."""
    result = render_stack(parse_topology(TOPOLOGY).model, "local", tmp_path / "render")
    listings = [yaml.safe_load(p.read_text()) for p in result.helm_releases]
    [release] = [r for r in listings if r["chart"] == "langgraph-cloud"]
    values = tmp_path / "search.values.yaml"
    values.write_text(yaml.safe_dump(release["values"]))
    _helm(
        control_plane,
        *["upgrade", "--install", "search", str(agent_server_chart())],
        *["-n", "search-agent", "-f", str(values)],
    )
    api_server = _deployment_env(api, "search-agent", "-api-server")
    assert api_server["POSTGRES_URI"]["valueFrom"]["secretKeyRef"] == {
        "name": "search-stores",
        "key": "postgres_connection_url",
    }
    assert api_server["LANGSMITH_API_KEY"]["valueFrom"]["secretKeyRef"]["name"] == (
        "search-langgraph-keys"
    )
    assert api_server["LANGSMITH_ENDPOINT"]["value"] == "https://eu.api.smith.langchain.com"
    assert api_server["OPENAI_API_KEY"]["valueFrom"]["secretKeyRef"]["name"] == "search-env"
    queue = _deployment_env(api, "search-agent", "-queue")
    assert queue["REDIS_URI"]["valueFrom"]["secretKeyRef"]["key"] == "redis_connection_url"
    _, core = api
    stores = core.read_namespaced_secret("search-stores", "search-agent")
    assert set(stores.data) == {"postgres_connection_url", "redis_connection_url"}
    dynamic_client, _ = api
    statefulsets = dynamic_client.resources.get(api_version="apps/v1", kind="StatefulSet")
    owned = {s.metadata.name for s in statefulsets.get(namespace="search-agent").items}
    assert owned == {"search-postgres", "search-redis"}  # ours; the chart's own stores are off
    routes = dynamic_client.resources.get(
        api_version="gateway.networking.k8s.io/v1", kind="HTTPRoute"
    )
    [route] = routes.get(namespace="search-agent").items
    assert route.spec.hostnames == ["search.agents.example.com"]
    assert route.spec.parentRefs[0].name == "agents"
    _helm(control_plane, "uninstall", "search", "-n", "search-agent")


def test_deleting_everything_leaves_nothing(api, applied):
    """Runs last: delete what the stack owns; the namespace controller finalizes namespaces."""
    _, core = api
    selector = f"app.kubernetes.io/managed-by={MANAGED_BY}"
    for namespace in core.list_namespace(label_selector=selector).items:
        core.delete_namespace(namespace.metadata.name)
    deadline = time.monotonic() + 120
    while core.list_namespace(label_selector=selector).items:
        assert time.monotonic() < deadline, "namespaces still terminating"
        time.sleep(1)
    from kubernetes.dynamic.exceptions import NotFoundError

    docs, _ = applied
    for doc in docs:
        with pytest.raises(NotFoundError):
            live(api, doc)
