"""A request reaches the Agent Server: real HTTP(S) through the REAL Traefik, for each exposure.

Each mode runs `request_driver` inside a network namespace this test creates (`ip netns`), so
every address the proxy and the stand-in servers use exists only there and nothing leaves the
machine. See request_driver.py for what runs and the one substitution in gateway mode.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import pytest

from tests.helpers import REPO
from tests.integration.control_plane import engine_bin_dir

pytestmark = pytest.mark.integration


def in_network_namespace(mode: str, workdir) -> dict:
    traefik = engine_bin_dir() / "traefik"
    assert traefik.is_file(), (
        f"no Traefik at {traefik}: run `make test-integration` (tools/engine/build.sh traefik)"
    )
    namespace = f"lsdp-{uuid.uuid4().hex[:8]}"
    subprocess.run(["ip", "netns", "add", namespace], check=True)
    try:
        done = subprocess.run(
            [
                "ip",
                "netns",
                "exec",
                namespace,
                sys.executable,
                "-m",
                "tests.integration.request_driver",
                mode,
                str(workdir),
            ],
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        subprocess.run(["ip", "netns", "delete", namespace], check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-5000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module", params=["ingress", "gateway"])
def report(request, tmp_path_factory):
    return in_network_namespace(request.param, tmp_path_factory.mktemp(request.param))


def test_each_hostname_reaches_its_own_agent_server(report):
    requests = report["requests"]
    for server in ("search", "support"):
        ok = requests[f"{server}/ok"]
        assert ok["status"] == 200, (report["mode"], server, ok)
        assert ok["standIn"] == server
        info = json.loads(requests[f"{server}/info"]["body"])
        assert info["server"] == server


def test_tls_is_served_with_the_certificate_the_topology_names(report):
    # the request verified the chain and the name against support-tls (SNI support.example.test)
    assert report["requests"]["support/ok"]["status"] == 200
    assert "error" not in report["requests"]["support/ok"]


def test_another_host_reaches_no_server(report):
    other = report["otherHost"]
    assert other["standIn"] is None
    assert other["status"] == 404, other


def test_a_plain_http_server_is_not_served_over_tls(report):
    assert report["searchOverHttps"]["standIn"] is None
