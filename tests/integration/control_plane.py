"""etcd + kube-apiserver + kube-controller-manager on loopback, for the integration tests.

No kubelet and no scheduler: objects are stored, validated and admitted for real (defaulting,
Pod Security admission, immutability, namespace lifecycle), but no pod ever runs, so nothing
may wait for readiness.
"""

from __future__ import annotations

import json
import os
import socket
import ssl
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from tests.integration.pki import Pki, make_pki

CONTEXT = "integration"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


CONTROLLERS = "namespace,garbagecollector,serviceaccount,serviceaccount-token"
WORKLOAD_CONTROLLERS = f"{CONTROLLERS},deployment,replicaset,statefulset,endpoint,endpointslice"


@dataclass
class ControlPlane:
    workdir: Path
    bin_dir: Path
    pki: Pki | None = None
    kubeconfig: Path | None = None
    server: str = ""
    processes: list[subprocess.Popen] = field(default_factory=list)
    # The kube-controller-manager's controllers; the workload ones only where a stand-in
    # kubelet reports pods (`fake_kubelet`), else nothing would ever come of them.
    controllers: str = CONTROLLERS
    _apiserver_args: list[str] = field(default_factory=list)

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen:
        log = open(self.workdir / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            [str(self.bin_dir / name), *args], stdout=log, stderr=subprocess.STDOUT
        )
        self.processes.append(process)
        return process

    def _wait(self, what: str, ready, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for process in self.processes:
                if process.poll() is not None:
                    raise RuntimeError(f"{process.args[0]} exited: see {self.workdir}")
            if ready():
                return
            time.sleep(0.5)
        raise TimeoutError(f"{what} not ready after {timeout}s: see logs in {self.workdir}")

    def start(self) -> ControlPlane:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.pki = make_pki(self.workdir / "pki")
        etcd_client, etcd_peer, api_port = free_port(), free_port(), free_port()
        self._spawn(
            "etcd",
            [
                "--data-dir",
                str(self.workdir / "etcd"),
                "--listen-client-urls",
                f"http://127.0.0.1:{etcd_client}",
                "--advertise-client-urls",
                f"http://127.0.0.1:{etcd_client}",
                "--listen-peer-urls",
                f"http://127.0.0.1:{etcd_peer}",
                "--initial-advertise-peer-urls",
                f"http://127.0.0.1:{etcd_peer}",
                "--initial-cluster",
                f"default=http://127.0.0.1:{etcd_peer}",
                "--log-level",
                "warn",
            ],
        )
        self._wait("etcd", lambda: _http_ok(f"http://127.0.0.1:{etcd_client}/health"))
        pki = self.pki
        self.server = f"https://127.0.0.1:{api_port}"
        self._spawn(
            "kube-apiserver",
            [
                f"--etcd-servers=http://127.0.0.1:{etcd_client}",
                "--bind-address=127.0.0.1",
                "--advertise-address=127.0.0.1",
                f"--secure-port={api_port}",
                f"--tls-cert-file={pki.server_cert}",
                f"--tls-private-key-file={pki.server_key}",
                f"--client-ca-file={pki.ca_cert}",
                f"--service-account-key-file={pki.sa_pub}",
                f"--service-account-signing-key-file={pki.sa_key}",
                "--service-account-issuer=https://kubernetes.default.svc",
                "--service-cluster-ip-range=10.0.0.0/24",
                "--authorization-mode=RBAC",
                # It would publish its advertise address in default/kubernetes, but refuses a
                # loopback one; `publish_api_server_endpoints` writes what a real cluster has.
                "--endpoint-reconciler-type=none",
                "--allow-privileged=false",
                f"--cert-dir={self.workdir / 'apiserver-certs'}",
            ],
        )
        self._apiserver_args = list(self.processes[-1].args[1:])
        self.kubeconfig = self._write_kubeconfig()
        self._wait("kube-apiserver", self._apiserver_ready)
        self.publish_api_server_endpoints()
        self._spawn(
            "kube-controller-manager",
            [
                f"--kubeconfig={self.kubeconfig}",
                f"--authentication-kubeconfig={self.kubeconfig}",
                f"--authorization-kubeconfig={self.kubeconfig}",
                f"--service-account-private-key-file={pki.sa_key}",
                f"--root-ca-file={pki.ca_cert}",
                "--leader-elect=false",
                "--bind-address=127.0.0.1",
                f"--secure-port={free_port()}",
                f"--cert-dir={self.workdir / 'controller-manager-certs'}",
                f"--controllers={self.controllers}",
            ],
        )
        return self

    def publish_api_server_endpoints(self) -> None:
        """Write `default/kubernetes` as a real cluster has it: the API server's address and port.

        A real API server publishes its node address there; this one listens on loopback, which
        the API refuses in endpoints, so it publishes nothing. The program reads this
        EndpointSlice to allow the listener's egress to the API server; 192.0.2.10 (TEST-NET-1)
        stands in for the node address.
        """
        body = {
            "apiVersion": "discovery.k8s.io/v1",
            "kind": "EndpointSlice",
            "metadata": {
                "name": "kubernetes",
                "namespace": "default",
                "labels": {"kubernetes.io/service-name": "kubernetes"},
            },
            "addressType": "IPv4",
            "endpoints": [{"addresses": ["192.0.2.10"], "conditions": {"ready": True}}],
            "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}],
        }
        request = urllib.request.Request(
            f"{self.server}/apis/discovery.k8s.io/v1/namespaces/default/endpointslices",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        urllib.request.urlopen(request, context=self._admin_context(), timeout=10).close()

    def _admin_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.pki.ca_cert))
        context.load_cert_chain(str(self.pki.admin_cert), str(self.pki.admin_key))
        return context

    def _apiserver_ready(self) -> bool:
        return _http_ok(f"{self.server}/readyz", self._admin_context())

    def _write_kubeconfig(self) -> Path:
        pki = self.pki
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {
                    "name": CONTEXT,
                    "cluster": {"server": self.server, "certificate-authority": str(pki.ca_cert)},
                }
            ],
            "users": [
                {
                    "name": "admin",
                    "user": {
                        "client-certificate": str(pki.admin_cert),
                        "client-key": str(pki.admin_key),
                    },
                }
            ],
            "contexts": [{"name": CONTEXT, "context": {"cluster": CONTEXT, "user": "admin"}}],
            "current-context": CONTEXT,
        }
        path = self.workdir / "kubeconfig"
        path.write_text(yaml.safe_dump(config))
        path.chmod(0o600)
        return path

    def restart_apiserver(self, down_for: float = 2.0) -> None:
        """Kill kube-apiserver, keep it down for `down_for` seconds, start it again (same port,
        same etcd: a control-plane node lost and replaced)."""
        [apiserver] = [p for p in self.processes if str(p.args[0]).endswith("kube-apiserver")]
        apiserver.kill()  # as a crashed or evicted control-plane node: no graceful drain
        apiserver.wait(timeout=30)
        self.processes.remove(apiserver)
        time.sleep(down_for)
        self._spawn("kube-apiserver", self._apiserver_args)
        self._wait("kube-apiserver", self._apiserver_ready)

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.terminate()
        for process in reversed(self.processes):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _http_ok(url: str, context: ssl.SSLContext | None = None) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2, context=context) as response:
            return response.status == 200
    except (OSError, ValueError):
        return False


def engine_bin_dir() -> Path:
    """Where tools/engine/build.sh put the binaries (the Makefile exports it)."""
    path = os.environ.get("LANGSMITH_ENGINE_BIN")
    if not path:
        raise RuntimeError("LANGSMITH_ENGINE_BIN is not set: run `make test-integration`")
    return Path(path)
