"""The Gateway API controller's own verdict on the stack's Gateways and routes.

Envoy Gateway is what the stack installs for `ingress: gateway`; its `egctl x translate` runs
the controller's Gateway API translator offline and returns the status the controller would
write. For every serving variant and example whose servers route through the stack's Gateway,
the program's GatewayClass, Gateway, namespaces and ReferenceGrants and the REAL chart's
HTTPRoute and Service (with real certificates for TLS) go in; every route must be Accepted with
its references resolved on the intended listener, and every listener Accepted with its
certificate resolved. A control case rebuilds the layout the stack used before (one listener
for the cluster's hostname): the controller refuses the route with `NoMatchingListenerHostname`.
"""

from __future__ import annotations

import base64
import copy
import subprocess

import pytest
import yaml

from langsmith_dataplane.versions import GATEWAY_PROXY_NAMESPACE
from tests.integration.control_plane import engine_bin_dir
from tests.integration.pki import serving_certificate
from tests.integration.test_serving import chart_objects, program_objects
from tests.server_variants import variant_sim, variant_text
from tests.sim import agent_server_releases, simulated

pytestmark = pytest.mark.integration
GATEWAY_KINDS = {"GatewayClass", "Gateway", "HTTPRoute", "ReferenceGrant", "Service", "Namespace"}
STACK_GATEWAY_VARIANTS = ["gateway-http", "gateway-https", "long-name", "secret-env-autoscaled"]


def egctl() -> str:
    path = engine_bin_dir() / "egctl"
    if not path.is_file():
        pytest.fail(
            f"no egctl in {engine_bin_dir()}: run tools/engine/build.sh egctl (Envoy Gateway's "
            "controller translator, built from Go modules)",
            pytrace=False,
        )
    return str(path)


def tls_secrets(objects: list[dict]) -> list[dict]:
    """A real certificate for every Secret a Gateway listener names (the user's to provide)."""
    secrets = []
    for gateway in (o for o in objects if o["kind"] == "Gateway"):
        for listener in gateway["spec"]["listeners"]:
            for ref in (listener.get("tls") or {}).get("certificateRefs") or []:
                host = listener.get("hostname") or "example.com"
                cert, key = serving_certificate([host])
                secrets.append(
                    {
                        "apiVersion": "v1",
                        "kind": "Secret",
                        "type": "kubernetes.io/tls",
                        "metadata": {
                            "name": ref["name"],
                            "namespace": ref.get("namespace", gateway["metadata"]["namespace"]),
                        },
                        "data": {
                            "tls.crt": base64.b64encode(cert).decode(),
                            "tls.key": base64.b64encode(key).decode(),
                        },
                    }
                )
    return secrets


def as_the_api_server_stores(objects: list[dict]) -> list[dict]:
    """What the controller reads: Gateway API objects, Services, and namespaces carrying the
    `kubernetes.io/metadata.name` label the API server adds (listener selectors use it)."""
    out = []
    for obj in objects:
        if obj["kind"] not in GATEWAY_KINDS:
            continue
        obj = copy.deepcopy(obj)
        if obj["kind"] == "Namespace":
            labels = obj["metadata"].setdefault("labels", {})
            labels["kubernetes.io/metadata.name"] = obj["metadata"]["name"]
        out.append(obj)
    return out + tls_secrets(out)


def selectors_checked(objects: list[dict]) -> list[dict]:
    """egctl's offline loader keeps a Namespace's name but drops its labels, so a listener that
    admits routes by a namespace selector would admit none offline. The controller (reading
    the API server) matches the selector against the namespace's labels: that match is checked
    here, against the labels the namespaces carry, for every route and the listener it names;
    then the translator gets `from: All` for those listeners and judges the rest (hostnames,
    sections, references, certificates)."""
    namespaces = {
        o["metadata"]["name"]: o["metadata"].get("labels") or {}
        for o in objects
        if o["kind"] == "Namespace"
    }
    gateways = {o["metadata"]["name"]: o for o in objects if o["kind"] == "Gateway"}
    for route in (o for o in objects if o["kind"] == "HTTPRoute"):
        for parent in route["spec"]["parentRefs"]:
            gateway = gateways.get(parent["name"])
            if gateway is None or "sectionName" not in parent:
                continue
            [listener] = [
                item
                for item in gateway["spec"]["listeners"]
                if item["name"] == parent["sectionName"]
            ]
            allowed = listener["allowedRoutes"]["namespaces"]
            if allowed.get("from") == "Selector":
                wanted = allowed["selector"]["matchLabels"]
                labels = namespaces[route["metadata"]["namespace"]]
                assert wanted.items() <= labels.items(), (listener["name"], wanted, labels)
                others = [n for n, lbl in namespaces.items() if wanted.items() <= lbl.items()]
                assert others == [route["metadata"]["namespace"]], "admits other namespaces"
    out = copy.deepcopy(objects)
    for gateway in (o for o in out if o["kind"] == "Gateway"):
        for listener in gateway["spec"]["listeners"]:
            namespaces_rule = listener.get("allowedRoutes", {}).get("namespaces", {})
            if namespaces_rule.get("from") == "Selector":
                listener["allowedRoutes"]["namespaces"] = {"from": "All"}
    return out


def translate(objects: list[dict], tmp_path) -> dict:
    source = tmp_path / "resources.yaml"
    source.write_text(yaml.safe_dump_all(selectors_checked(objects)))
    done = subprocess.run(
        [
            egctl(),
            "x",
            "translate",
            "--from",
            "gateway-api",
            "--to",
            "gateway-api",
            "-n",
            GATEWAY_PROXY_NAMESPACE,
            "-o",
            "yaml",
            "-f",
            str(source),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return yaml.safe_load(done.stdout)


def conditions(status: dict) -> dict[str, tuple[str, str]]:
    return {c["type"]: (c["status"], c.get("reason", "")) for c in status.get("conditions") or []}


def assert_served(result: dict, routes: int) -> None:
    for gateway in result.get("gateways") or []:
        for listener in gateway["status"]["listeners"]:
            verdict = conditions(listener)
            assert verdict["Accepted"][0] == "True", (listener["name"], verdict)
            assert verdict["ResolvedRefs"][0] == "True", (listener["name"], verdict)
    served = result.get("httpRoutes") or []
    assert len(served) == routes
    for route in served:
        [parent] = route["status"]["parents"]
        verdict = conditions(parent)
        assert verdict["Accepted"] == ("True", "Accepted"), verdict
        assert verdict["ResolvedRefs"] == ("True", "ResolvedRefs"), verdict
        assert parent["parentRef"].get("sectionName") == route["spec"]["parentRefs"][0].get(
            "sectionName"
        )


@pytest.mark.parametrize("variant", STACK_GATEWAY_VARIANTS)
def test_the_controller_accepts_every_server_route_of_the_stacks_gateway(variant, tmp_path):
    [release] = agent_server_releases(variant_sim(variant))
    objects = program_objects(variant_text(variant), "s", tmp_path / "render")
    objects += chart_objects(release)
    routes = sum(1 for o in objects if o["kind"] == "HTTPRoute")
    assert routes == (0 if variant == "secret-env-autoscaled" else 1)
    assert_served(translate(as_the_api_server_stores(objects), tmp_path), routes)


def test_the_controller_accepts_the_standalone_example(tmp_path):
    from tests.helpers import REPO

    path = REPO / "examples" / "standalone-agent-servers.yaml"
    objects = program_objects(path.read_text(), "agents-prod", tmp_path / "render")
    for release in agent_server_releases(simulated(path, "agents-prod")):
        objects += chart_objects(release)
    assert_served(translate(as_the_api_server_stores(objects), tmp_path), 1)


def test_the_old_layout_is_refused_by_the_controller_for_its_hostname(tmp_path):
    """One Gateway listener for the cluster's hostname, a route for a server's own hostname:
    what the stack declared before. The controller refuses it, and says why."""
    variant = "gateway-https"
    [release] = agent_server_releases(variant_sim(variant))
    objects = program_objects(variant_text(variant), "s", tmp_path / "render")
    objects += chart_objects(release)
    for obj in objects:
        if obj["kind"] == "Gateway":
            obj["spec"]["listeners"] = [
                listener for listener in obj["spec"]["listeners"] if listener["name"] == "https"
            ]
        if obj["kind"] == "HTTPRoute":
            obj["spec"]["parentRefs"][0].pop("sectionName")
    result = translate(as_the_api_server_stores(objects), tmp_path)
    [route] = result["httpRoutes"]
    [parent] = route["status"]["parents"]
    assert conditions(parent)["Accepted"] == ("False", "NoMatchingListenerHostname")


def _stack_gateway_stacks() -> list[tuple]:
    """Every shipped topology's stacks whose clusters run the stack's own Gateway."""
    from langsmith_dataplane.stack_slice import slice_for_stack
    from tests.helpers import EXAMPLES, REFERENCE
    from tests.sim import topology

    found = []
    for path in [REFERENCE, *EXAMPLES]:
        model = topology(path)
        for stack in sorted(model.stacks):
            clusters = slice_for_stack(model, stack).clusters
            if any(c.spec.ingress == "gateway" and c.spec.gateway is None for c in clusters):
                found.append((path, stack))
    return found


STACK_GATEWAY_STACKS = _stack_gateway_stacks()


@pytest.mark.parametrize(
    ("path", "stack"),
    STACK_GATEWAY_STACKS,
    ids=[f"{p.stem}:{s}" for p, s in STACK_GATEWAY_STACKS],
)
def test_the_controller_accepts_every_listener_of_every_shipped_gateway(path, stack, tmp_path):
    """Every shipped stack with the stack's own Gateway (listener stacks included): every
    Gateway listener Accepted with its references resolved, every route Accepted."""
    objects = program_objects(path.read_text(), stack, tmp_path / "render")
    for release in agent_server_releases(simulated(path, stack)):
        objects += chart_objects(release)
    assert any(o["kind"] == "Gateway" for o in objects)
    routes = sum(1 for o in objects if o["kind"] == "HTTPRoute")
    result = translate(as_the_api_server_stores(objects), tmp_path)
    assert result.get("gateways"), "the controller reported no Gateway"
    assert_served(result, routes)
