"""The kubeconfig an EKS cluster exports: `aws eks get-token`, never a static credential.

With per-cluster credentials the token is fetched as the same role (`--role-arn`) and profile
(`AWS_PROFILE`) the AWS provider uses, so `kubectl` with the exported kubeconfig works on a
machine whose default credentials belong to another account.
"""

from __future__ import annotations

import json
from typing import Any


def kubeconfig_json(
    name: str,
    region: str,
    endpoint: str,
    ca_data: str,
    *,
    role_arn: str | None = None,
    profile: str | None = None,
) -> str:
    """A kubeconfig that authenticates with `aws eks get-token` (no static credentials)."""
    exec_config: dict[str, Any] = {
        "apiVersion": "client.authentication.k8s.io/v1beta1",
        "command": "aws",
        "args": ["eks", "get-token", "--cluster-name", name, "--region", region],
    }
    if role_arn:
        exec_config["args"] += ["--role-arn", role_arn]
    if profile:
        exec_config["env"] = [{"name": "AWS_PROFILE", "value": profile}]
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {
                    "name": name,
                    "cluster": {"server": endpoint, "certificate-authority-data": ca_data},
                }
            ],
            "contexts": [{"name": name, "context": {"cluster": name, "user": name}}],
            "current-context": name,
            "users": [
                {
                    "name": name,
                    "user": {"exec": exec_config},
                }
            ],
        }
    )
