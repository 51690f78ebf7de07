"""The standalone-server variants (plain Ingress, Gateway, HTTPS, ...) the chart, serving and
Gateway API tests share: their topology text, their simulation, the chart templated with them."""

from __future__ import annotations

import re
import subprocess
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from langsmith_dataplane.review.masking import reveal
from tests.artifacts import agent_server_chart, helm
from tests.sim import simulated_text

LABEL_VALUE = re.compile(r"([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?")


LONG_NAME = "a" + "b" * 50 + "c"  # 52 characters: the longest a server may have


BASE = """\
version: 1
controlPlane: {region: us}
workspaces:
  ws: {id: 6f1e8c52-4b1e-4b7e-9a51-2d1d2f7e0a01, apiKey: ws.apiKey}
clusters:
  c:
    existing: {context: c}
CLUSTER
agentServers:
  NAME:
    cluster: c
    namespace: bots
    workspace: ws
    image: registry.example.com/bot:1.2.3
    licenseKey: langgraph.licenseKey
SERVER
stacks:
  s: {clusters: [c]}
"""


VARIANTS: dict[str, tuple[str, str, str]] = {
    # name: (cluster lines, server lines, server name)
    "gateway-no-hostname": ("    ingress: gateway", "", "bot"),
    "gateway-http": ("    ingress: gateway", "    hostname: bot.example.com", "bot"),
    "gateway-https": (
        "    ingress: gateway\n    hostname: agents.example.com\n    tls: {secretName: agents-tls}",
        "    hostname: bot.example.com\n    tls: {secretName: bot-tls}",
        "bot",
    ),
    "own-gateway-https": (
        "    ingress: gateway\n    gateway: {name: edge, namespace: edge-system}",
        "    hostname: bot.example.com\n    tls: {}",
        "bot",
    ),
    "istio": (
        "    ingress: istio\n    gateway: {name: edge, namespace: istio-system}",
        "    hostname: bot.example.com\n    tls: {}",
        "bot",
    ),
    "ingress-no-hostname": ("    ingress: ingress", "", "bot"),
    "ingress-http": ("    ingress: ingress", "    hostname: bot.example.com", "bot"),
    "ingress-https": (
        "    ingress: ingress",
        "    hostname: bot.example.com\n    tls: {secretName: bot-tls}",
        "bot",
    ),
    "cpu-4": ("    ingress: gateway", "    resources: {cpu: '4', memory: 8Gi}", "bot"),
    "long-name": (
        "    ingress: gateway",
        "    hostname: bot.example.com\n    replicas: 3\n    queue: {enabled: true, replicas: 2}",
        LONG_NAME,
    ),
    "secret-env-autoscaled": (
        "    ingress: gateway",
        "    secretEnv: {OPENAI_API_KEY: openai.key}\n    env: {LOG_LEVEL: debug}\n"
        "    autoscaling: {maxReplicas: 6}\n    imagePullSecrets: [registry-creds]\n"
        "    nodeSelector: {pool: agents}\n"
        "    tolerations: [{key: dedicated, value: agents, effect: NoSchedule}]",
        "bot",
    ),
    "custom-auth": ("    ingress: gateway", "    auth: custom", "bot"),
}


def variant_text(variant: str) -> str:
    cluster, server, name = VARIANTS[variant]
    return (
        BASE.replace("CLUSTER", cluster)
        .replace("SERVER\n", server + "\n" if server else "")
        .replace("NAME", name)
    )


@cache
def variant_sim(variant: str):
    return simulated_text(variant_text(variant), "s")


def template(release) -> list[dict[str, Any]]:
    values = reveal(release.inputs["values"])
    with tempfile.TemporaryDirectory() as tmp:
        values_file = Path(tmp) / "values.yaml"
        values_file.write_text(yaml.safe_dump(values))
        done = subprocess.run(
            [
                str(helm()),
                "template",
                release.inputs["name"],
                str(agent_server_chart()),
                "--namespace",
                release.inputs["namespace"],
                "--values",
                str(values_file),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    assert done.returncode == 0, done.stderr
    return [d for d in yaml.safe_load_all(done.stdout) if d]
