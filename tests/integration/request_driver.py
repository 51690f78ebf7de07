"""Real requests through a real proxy, run INSIDE a network namespace the test created.

`python -m tests.integration.request_driver MODE WORKDIR` (MODE: ingress or gateway) starts
the suite's control plane on the namespace's loopback, applies what the program renders for a
two-server topology plus the REAL charts' objects with the program's values, points the
servers' Services at stand-in Agent Servers (EndpointSlices: the API server refuses loopback
endpoint addresses, so the stand-ins listen on 198.18.0.x, which exists only in this
namespace), runs the REAL Traefik with the configuration its chart renders, and sends HTTP(S)
requests with the topology's hostnames. It prints one JSON report on its last line.

Traefik's entry points bind 127.0.0.1 (the stand-ins hold port 8000 on their own addresses in
this one namespace, as pods would in theirs). Gateway mode has one substitution: Envoy's data
plane (C++) cannot be built here, so Traefik's Gateway API provider serves the same Gateway and
HTTPRoutes: the GatewayClass is handed to Traefik's controller name, and Traefik's entry points
listen on the Gateway's own ports (80, 443), which Envoy maps itself.
"""

from __future__ import annotations

import base64
import copy
import http.server
import json
import socket
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import yaml

WORKSPACE = "6f1e8c52-4b1e-4b7e-9a51-2d1d2f7e0a01"
SERVERS = {  # name -> (hostname, TLS, stand-in address)
    "search": ("search.example.test", False, "198.18.0.2"),
    "support": ("support.example.test", True, "198.18.0.3"),
}
TRAEFIK_GATEWAY_CONTROLLER = "traefik.io/gateway-controller"


def topology(mode: str) -> str:
    servers = ""
    for name, (host, tls, _) in SERVERS.items():
        servers += (
            f"  {name}:\n    cluster: c\n    namespace: {name}\n    workspace: ws\n"
            f"    image: registry.example.com/{name}:1.0.0\n    licenseKey: langgraph.licenseKey\n"
            f"    hostname: {host}\n"
        )
        if tls:
            servers += f"    tls: {{secretName: {name}-tls}}\n"
    return (
        "version: 1\ncontrolPlane: {region: us}\n"
        f"workspaces:\n  ws: {{id: {WORKSPACE}, apiKey: ws.apiKey}}\n"
        f"clusters:\n  c:\n    existing: {{context: c}}\n    ingress: {mode}\n"
        f"agentServers:\n{servers}stacks:\n  s: {{clusters: [c]}}\n"
    )


class StandIn(http.server.ThreadingHTTPServer):
    """A stand-in Agent Server: `/ok` as langgraph-api answers it, and `/info` naming itself."""

    def __init__(self, name: str, address: str, port: int) -> None:
        self.name = name

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/ok":
                    body = {"ok": True}
                elif self.path == "/info":
                    body = {"server": name, "host": self.headers.get("Host", "")}
                else:
                    self.send_error(404)
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("X-Stand-In", name)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        super().__init__((address, port), Handler)


def run(*argv: str) -> None:
    subprocess.run(argv, check=True, capture_output=True)


def with_namespace(objects: list[dict], namespace: str) -> list[dict]:
    for obj in objects:
        obj.setdefault("metadata", {}).setdefault("namespace", namespace)
    return objects


def apply(api, docs: list[dict]) -> None:
    dynamic_client, _ = api
    order = {"CustomResourceDefinition": 0, "Namespace": 1}
    for doc in sorted(docs, key=lambda d: order.get(d["kind"], 2)):
        if doc["kind"] == "CustomResourceDefinition":
            _apply_one(dynamic_client, doc, cluster_scoped=True)
            continue
        _apply_one(dynamic_client, doc)


def _apply_one(dynamic_client, doc: dict, cluster_scoped: bool = False) -> None:
    for _ in range(60):  # a CRD's kinds are served a moment after it is stored
        try:
            dynamic_client.resources.invalidate_cache()
            resource = dynamic_client.resources.get(api_version=doc["apiVersion"], kind=doc["kind"])
            namespace = None if cluster_scoped else doc["metadata"].get("namespace")
            if not resource.namespaced:
                namespace = None
                doc["metadata"].pop("namespace", None)
            resource.server_side_apply(
                body=copy.deepcopy(doc),
                name=doc["metadata"]["name"],
                namespace=namespace,
                field_manager="langsmith-dataplane",
                force_conflicts=True,
            )
            return
        except Exception as error:
            if "the server could not find the requested resource" not in str(error) and (
                "ResourceNotFound" not in type(error).__name__
            ):
                raise
            time.sleep(0.5)
    raise TimeoutError(f"{doc['kind']} is not served")


def crds(chart: Path, gateway: bool) -> list[dict]:
    """The Traefik chart's CRDs: its own, and the Gateway API's (v1.4, what Traefik 3.6 reads)
    for gateway mode."""
    files = sorted((chart / "crds").glob("traefik.io_*.yaml"))
    if gateway:
        files.append(chart / "crds" / "gateway-standard-install.yaml")
    return [
        d
        for f in files
        for d in yaml.safe_load_all(f.read_text())
        if d and d.get("kind") == "CustomResourceDefinition"
    ]


def routed_backends(objects: list[dict]) -> list[tuple[str, str, Any]]:
    """(namespace, Service, port) every Ingress rule and HTTPRoute routes to."""
    out = []
    for obj in objects:
        namespace = obj["metadata"].get("namespace", "")
        if obj["kind"] == "Ingress":
            for rule in obj["spec"].get("rules") or []:
                for path in (rule.get("http") or {}).get("paths") or []:
                    service = path["backend"]["service"]
                    port = service["port"].get("number") or service["port"].get("name")
                    out.append((namespace, service["name"], port))
        elif obj["kind"] == "HTTPRoute":
            for rule in obj["spec"].get("rules") or []:
                for ref in rule.get("backendRefs") or []:
                    out.append((ref.get("namespace", namespace), ref["name"], ref.get("port")))
    return out


def target_port(service: dict, wanted: Any, objects: list[dict]) -> tuple[str, int]:
    """(the name of the Service port a route names, the container port it reaches)."""
    [port] = [p for p in service["spec"]["ports"] if wanted in (p["port"], p.get("name"))]
    target = port.get("targetPort", port["port"])
    if isinstance(target, int):
        return port.get("name", ""), target
    selector = service["spec"].get("selector") or {}
    for obj in objects:
        if obj["kind"] != "Deployment" or obj["metadata"].get("namespace") != service[
            "metadata"
        ].get("namespace"):
            continue
        labels = obj["spec"]["template"]["metadata"].get("labels") or {}
        if not all(labels.get(k) == v for k, v in selector.items()):
            continue
        for container in obj["spec"]["template"]["spec"]["containers"]:
            for cport in container.get("ports") or []:
                if cport.get("name") == target:
                    return port.get("name", ""), cport["containerPort"]
    raise AssertionError(f"Service {service['metadata']['name']}: no container port {target}")


def endpoint_slice(service: dict, address: str, port_name: str, port: int) -> dict:
    meta = service["metadata"]
    return {
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": {
            "name": f"{meta['name']}-stand-in",
            "namespace": meta["namespace"],
            "labels": {
                "kubernetes.io/service-name": meta["name"],
                "endpointslice.kubernetes.io/managed-by": "langsmith-dataplane-tests",
            },
        },
        "addressType": "IPv4",
        "endpoints": [{"addresses": [address], "conditions": {"ready": True}}],
        "ports": [{"name": port_name, "port": port, "protocol": "TCP"}],
    }


def traefik_token(api, namespace: str, account: str) -> str:
    _, core = api
    from kubernetes import client

    request = client.AuthenticationV1TokenRequest(
        spec=client.V1TokenRequestSpec(audiences=["https://kubernetes.default.svc"])
    )
    answer = core.create_namespaced_service_account_token(account, namespace, request)
    return answer.status.token


def request(port: int, host: str, path: str, tls: bool, ca: Path | None) -> dict[str, Any]:
    """One request to the proxy at 127.0.0.1:port for `host` (Host header, and SNI with TLS,
    verified against the certificate the topology names)."""
    try:
        raw = socket.create_connection(("127.0.0.1", port), timeout=5)
    except OSError as error:
        return {"status": 0, "standIn": None, "error": f"{type(error).__name__}: {error}"}
    try:
        sock: socket.socket = raw
        if tls:
            context = ssl.create_default_context(cafile=str(ca) if ca else None)
            sock = context.wrap_socket(raw, server_hostname=host)
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    except (OSError, ssl.SSLError) as error:
        return {"status": 0, "standIn": None, "error": f"{type(error).__name__}: {error}"}
    finally:
        raw.close()
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1]) if lines and len(lines[0].split()) > 1 else 0
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return {"status": status, "standIn": headers.get("X-Stand-In"), "body": body.decode()}


def main(mode: str, workdir: Path) -> dict[str, Any]:
    from langsmith_dataplane.review.masking import reveal
    from langsmith_dataplane.versions import INGRESS_CHART
    from tests.artifacts import chart_dir, helm_template
    from tests.integration.conftest import api_clients
    from tests.integration.control_plane import ControlPlane, engine_bin_dir
    from tests.integration.pki import serving_certificate
    from tests.integration.test_serving import chart_objects, program_objects
    from tests.sim import agent_server_releases, simulated_text

    run("ip", "link", "set", "lo", "up")
    for _, _, address in SERVERS.values():
        run("ip", "addr", "add", f"{address}/32", "dev", "lo")
    plane = ControlPlane(workdir / "control-plane", engine_bin_dir()).start()
    processes: list[subprocess.Popen] = []
    stand_ins: list[StandIn] = []
    try:
        api = api_clients(plane)
        text = topology(mode)
        objects = program_objects(text, "s", workdir / "render")
        sim = simulated_text(text, "s")
        for release in agent_server_releases(sim):
            objects += chart_objects(release)
        traefik_chart = chart_dir(INGRESS_CHART)
        if mode == "ingress":
            [release] = [
                r
                for r in sim.by_type("kubernetes:helm.sh/v3:Release")
                if r.name.endswith("-traefik")
            ]
            inputs = reveal(release.inputs)
            traefik = with_namespace(
                helm_template(traefik_chart, inputs["name"], inputs["namespace"], inputs["values"]),
                inputs["namespace"],
            )
        else:  # the substitution (module docstring)
            values = {
                "providers": {"kubernetesGateway": {"enabled": True}},
                "gateway": {"enabled": False},
                "gatewayClass": {"enabled": False},
                "ingressClass": {"enabled": False},
            }
            traefik = with_namespace(
                helm_template(traefik_chart, "traefik", "traefik", values), "traefik"
            )
            for obj in objects:
                if obj["kind"] == "GatewayClass":
                    obj["spec"]["controllerName"] = TRAEFIK_GATEWAY_CONTROLLER
        traefik_ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "traefik"}}
        certificates = {}
        for name, (host, tls, _) in SERVERS.items():
            if tls:
                cert, key = serving_certificate([host])
                (workdir / f"{name}.crt").write_bytes(cert)
                certificates[name] = workdir / f"{name}.crt"
                objects.append(
                    {
                        "apiVersion": "v1",
                        "kind": "Secret",
                        "type": "kubernetes.io/tls",
                        "metadata": {"name": f"{name}-tls", "namespace": name},
                        "data": {
                            "tls.crt": base64.b64encode(cert).decode(),
                            "tls.key": base64.b64encode(key).decode(),
                        },
                    }
                )
        kept = [o for o in objects + traefik if o["kind"] not in ("Pod",)]
        apply(api, [*crds(traefik_chart, mode == "gateway"), traefik_ns, *kept])
        # Stand-ins behind each server's Service, through EndpointSlices.
        backends = routed_backends(objects)
        for name, (_, _, address) in SERVERS.items():
            routed = [b for b in backends if b[0] == name]
            assert routed, f"nothing routes to server {name}"
            for namespace, service_name, wanted in routed:
                [service] = [
                    o
                    for o in objects
                    if o["kind"] == "Service"
                    and o["metadata"]["namespace"] == namespace
                    and o["metadata"]["name"] == service_name
                ]
                port_name, port = target_port(service, wanted, objects)
                apply(api, [endpoint_slice(service, address, port_name, port)])
                server = StandIn(name, address, port)
                stand_ins.append(server)
                threading.Thread(target=server.serve_forever, daemon=True).start()
        # Traefik with the arguments its chart renders, as the chart's ServiceAccount.
        [deployment] = [o for o in traefik if o["kind"] == "Deployment"]
        pod = deployment["spec"]["template"]["spec"]
        [container] = pod["containers"]
        token = traefik_token(api, "traefik", pod["serviceAccountName"])
        args = list(container["args"])
        providers = [
            a.split("=")[0].removeprefix("--providers.")
            for a in args
            if a.startswith("--providers.kubernetes") and "." not in a.removeprefix("--providers.")
        ]
        for provider in providers:
            args += [
                f"--providers.{provider}.endpoint={plane.server}",
                f"--providers.{provider}.token={token}",
                f"--providers.{provider}.certauthfilepath={plane.pki.ca_cert}",
            ]
        ports = {"web": 8000, "websecure": 8443}
        if mode == "gateway":
            ports = {"web": 80, "websecure": 443}
        # The stand-ins listen on port 8000 as the real pods do; Traefik's entry points bind
        # 127.0.0.1 and the stand-ins their own 198.18.0.x addresses, in this one namespace.
        entry_points = ("--entryPoints.web.address", "--entryPoints.websecure.address")
        args = [a for a in args if not a.startswith(entry_points)]
        args += [
            f"--entryPoints.{name}.address=127.0.0.1:{port}/tcp" for name, port in ports.items()
        ]
        env = {"POD_NAME": "traefik-test", "POD_NAMESPACE": "traefik", "PATH": "/usr/bin:/bin"}
        log = (workdir / "traefik.log").open("wb")
        processes.append(
            subprocess.Popen(
                [str(engine_bin_dir() / "traefik"), *args, "--log.level=DEBUG"],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=workdir,
            )
        )
        report: dict[str, Any] = {"mode": mode, "providers": providers, "requests": {}}
        wanted = {}
        for name, (host, tls, _) in SERVERS.items():
            port = ports["websecure" if tls else "web"]
            for path in ("/ok", "/info"):
                wanted[f"{name}{path}"] = (port, host, path, tls, certificates.get(name))
        deadline = time.monotonic() + 90
        results: dict[str, dict] = {}
        while time.monotonic() < deadline:
            assert processes[0].poll() is None, (workdir / "traefik.log").read_text()[-3000:]
            results = {key: request(*spec) for key, spec in wanted.items()}
            if all(r["status"] == 200 for r in results.values()):
                break
            time.sleep(1)
        report["requests"] = results
        # Another host reaches no server; neither does a server's host on the other scheme.
        report["otherHost"] = request(ports["web"], "other.example.test", "/ok", False, None)
        report["searchOverHttps"] = request(
            ports["websecure"], "search.example.test", "/ok", True, None
        )
        return report
    finally:
        for process in processes:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        for server in stand_ins:
            server.shutdown()
        plane.stop()


if __name__ == "__main__":
    result = main(sys.argv[1], Path(sys.argv[2]))
    print(json.dumps(result))
