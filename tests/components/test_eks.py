"""Per-cluster AWS credentials: the AWS provider and the exported kubeconfig use the same ones."""

from __future__ import annotations

import json

import pytest

from components.eks import kubeconfig_json
from langsmith_dataplane.diagnostics import TopologyError
from langsmith_dataplane.topology import parse_topology
from tests.helpers import REPO
from tests.sim import simulated_text

EXAMPLE = (REPO / "examples/workspace-per-cluster.yaml").read_text()
ROLE = "arn:aws:iam::123456789012:role/data-plane-deployer"


def with_credentials(role: str | None = ROLE, profile: str | None = "payments") -> str:
    lines = "".join(
        f"      {key}: {value}\n"
        for key, value in (("roleArn", role), ("profile", profile))
        if value
    )
    return EXAMPLE.replace("      region: eu-west-1\n", f"      region: eu-west-1\n{lines}", 1)


def providers(text: str):
    sim = simulated_text(text, "prod-payments")
    aws = {r.name: r.inputs for r in sim.by_type("pulumi:providers:aws")}
    k8s = {r.name: r.inputs for r in sim.by_type("pulumi:providers:kubernetes")}
    return aws["payments-prod-aws"], json.loads(k8s["payments-prod-k8s"]["kubeconfig"].value)


def test_the_aws_provider_assumes_the_clusters_role_with_its_profile():
    aws, _ = providers(with_credentials())
    assert json.loads(aws["assumeRoles"]) == [{"roleArn": ROLE}]
    assert aws["profile"] == "payments"


def test_the_exported_kubeconfig_gets_tokens_as_the_same_role_and_profile():
    _, kubeconfig = providers(with_credentials())
    exec_ = kubeconfig["users"][0]["user"]["exec"]
    assert exec_["args"][-2:] == ["--role-arn", ROLE]
    assert exec_["env"] == [{"name": "AWS_PROFILE", "value": "payments"}]


def test_without_credentials_nothing_changes():
    aws, kubeconfig = providers(EXAMPLE)
    assert "assumeRoles" not in aws
    assert "profile" not in aws
    exec_ = kubeconfig["users"][0]["user"]["exec"]
    assert "--role-arn" not in exec_["args"]
    assert "env" not in exec_


def test_kubeconfig_never_holds_a_static_credential():
    text = kubeconfig_json("c", "us-east-1", "https://x", "Y2E=", role_arn=ROLE, profile="p")
    assert "token" not in json.loads(text)["users"][0]["user"]


@pytest.mark.parametrize(
    ("role", "profile", "message"),
    [
        ("arn:aws:iam::12345:role/x", None, "roleArn is not an IAM role ARN"),
        ("arn:aws:iam::123456789012:user/x", None, "roleArn is not an IAM role ARN"),
        ("'arn:aws:iam::123456789012:role/x --profile evil'", None, "roleArn is not an IAM"),
        (None, "'-p evil'", "profile must be 1-64 letters"),
        (None, "'a;rm -rf /'", "profile must be 1-64 letters"),
    ],
)
def test_malformed_credentials_are_refused_at_their_line(role, profile, message):
    text = with_credentials(role, profile)
    with pytest.raises(TopologyError) as info:
        parse_topology(text, "t.yaml")
    rendered = info.value.render()
    assert message in rendered
    assert "[eks-credentials]" in rendered
    field = "roleArn" if role else "profile"
    lines = enumerate(text.splitlines(), 1)
    line = next(i for i, text_line in lines if text_line.strip().startswith(field))
    assert f"t.yaml:{line}:" in rendered
