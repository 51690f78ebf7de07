"""The policy pack's checks, called with crafted resources and with the real program's resources."""

from __future__ import annotations

import json

import pulumi.runtime
import pytest
from pulumi_policy import (
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    StackValidationArgs,
)

from langsmith_dataplane.policies import (
    RESOURCE_CHECKS,
    STACK_CHECKS,
    build_policies,
    check_default_deny_egress,
    check_no_api_key_in_helm_values,
    check_no_world_ingress,
    check_stateful_protected,
    check_stores_encrypted_and_private,
    protected_stacks,
)
from langsmith_dataplane.review.masking import reveal
from tests.helpers import REFERENCE_TEXT, REPO, edit
from tests.sim import all_stacks, simulated, topology


def opts(protect: bool = False) -> PolicyResourceOptions:
    return PolicyResourceOptions(protect, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])


def resource_args(
    type_: str, props: dict, *, stack: str = "prod-alpha", protect: bool = False, config=None
) -> ResourceValidationArgs:
    urn = f"urn:pulumi:{stack}::langsmith-dataplane::{type_}::r"
    return ResourceValidationArgs(type_, props, urn, "r", opts(protect), None, config or {})


def violations(check, args) -> list[str]:
    found: list[str] = []
    check(args, lambda message, urn=None: found.append(message))
    return found


def test_pack_has_every_policy_mandatory():
    policies = build_policies()
    assert {p.name for p in policies} == set(RESOURCE_CHECKS) | set(STACK_CHECKS)
    assert all(p.enforcement_level.value == "mandatory" for p in policies)


# -- stateful-resources-protected -----------------------------------------------------------


def test_protected_stacks_come_from_the_topology_or_config():
    assert protected_stacks({}) == {"prod-alpha", "prod-beta"}
    assert protected_stacks({"protectedStacks": ["x"]}) == {"x"}


def stack_config(monkeypatch, values: dict[str, str]) -> None:
    """The stack config as the engine hands it to a plugin process (PULUMI_CONFIG)."""
    pulumi.runtime.set_all_config({}, [])
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps(values))


def test_protected_stacks_follow_the_stacks_topology_setting(monkeypatch, tmp_path):
    other = tmp_path / "other.yaml"
    protect = "single: {clusters: [single], protect: true}"
    other.write_text(edit(REFERENCE_TEXT, "single: {clusters: [single]}", protect))
    stack_config(monkeypatch, {"langsmith-dataplane:topology": str(other)})
    assert "single" in protected_stacks({})
    example = "examples/workspace-per-cluster.yaml"  # relative: from the project directory
    stack_config(monkeypatch, {"langsmith-dataplane:topology": example})
    assert protected_stacks({}) == {
        name for name, stack in topology(REPO / example).stacks.items() if stack.protect
    }


def test_a_topology_that_cannot_be_read_fails_the_policy(monkeypatch, tmp_path):
    stack_config(monkeypatch, {"langsmith-dataplane:topology": str(tmp_path / "gone.yaml")})
    rds = resource_args("aws:rds/instance:Instance", {}, protect=True)
    found = violations(check_stateful_protected, rds)
    assert len(found) == 1
    assert "cannot check whether aws:rds/instance:Instance" in found[0]
    assert "gone.yaml" in found[0]
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: 1\nclusters: [\n")
    stack_config(monkeypatch, {"langsmith-dataplane:topology": str(broken)})
    found = violations(check_stateful_protected, rds)
    assert "has errors" in found[0]


@pytest.mark.parametrize(
    ("type_", "props"),
    [
        ("aws:rds/instance:Instance", {}),
        ("aws:elasticache/replicationGroup:ReplicationGroup", {}),
        ("kubernetes:apps/v1:StatefulSet", {}),
        (
            "kubernetes:core/v1:Namespace",
            {"metadata": {"name": "agents", "labels": {"langsmith.com/role": "agents"}}},
        ),
    ],
)
def test_unprotected_stateful_resource_in_a_protect_stack(type_, props):
    assert violations(check_stateful_protected, resource_args(type_, props)) == [
        f"{type_} r holds data and must be protected in this stack"
    ]
    assert violations(check_stateful_protected, resource_args(type_, props, protect=True)) == []
    assert violations(check_stateful_protected, resource_args(type_, props, stack="dev")) == []


@pytest.mark.parametrize(
    ("props", "stateful"),
    [
        ({"kind": "langsmith-cloud-deployment", "deployment_type": "prod"}, True),
        ({"kind": "langsmith-cloud-deployment", "deployment_type": "dev"}, False),
        ({"kind": "langsmith-workspace"}, True),
        ({"kind": "langsmith-service-key"}, False),  # rotation replaces keys
    ],
)
def test_prod_cloud_deployments_and_created_workspaces_are_protected(props, stateful):
    type_ = "pulumi-python:dynamic:Resource"
    found = violations(check_stateful_protected, resource_args(type_, props))
    assert bool(found) is stateful
    assert violations(check_stateful_protected, resource_args(type_, props, protect=True)) == []


def test_non_listener_namespaces_need_no_protection():
    props = {"metadata": {"name": "langgraph-gateway"}}
    assert (
        violations(check_stateful_protected, resource_args("kubernetes:core/v1:Namespace", props))
        == []
    )


# -- stores-encrypted-and-private -----------------------------------------------------------------


def test_rds_must_be_encrypted_and_private():
    bad = resource_args(
        "aws:rds/instance:Instance", {"storageEncrypted": False, "publiclyAccessible": True}
    )
    assert violations(check_stores_encrypted_and_private, bad) == [
        "RDS instance r must have storageEncrypted: true",
        "RDS instance r must not be publicly accessible",
    ]
    good = resource_args(
        "aws:rds/instance:Instance", {"storageEncrypted": True, "publiclyAccessible": False}
    )
    assert violations(check_stores_encrypted_and_private, good) == []


def test_elasticache_must_be_encrypted():
    bad = resource_args(
        "aws:elasticache/replicationGroup:ReplicationGroup", {"atRestEncryptionEnabled": False}
    )
    assert len(violations(check_stores_encrypted_and_private, bad)) == 2
    good = resource_args(
        "aws:elasticache/replicationGroup:ReplicationGroup",
        {"atRestEncryptionEnabled": True, "transitEncryptionEnabled": True},
    )
    assert violations(check_stores_encrypted_and_private, good) == []


# -- no-api-key-in-helm-values --------------------------------------------------------------------


@pytest.mark.parametrize(
    "values",
    [
        {"config": {"langsmithApiKey": "anything"}},
        {"config": {"apiKey": "anything"}},  # langgraph-cloud (standalone Agent Servers)
        {"config": {"langGraphCloudLicenseKey": "anything"}},
        {
            "commonEnv": [
                {"name": "KEY", "value": "lsv2_pt_0123456789abcdef0123456789abcdef_0123456789"}
            ]
        },
    ],
)
def test_helm_values_never_carry_a_key(values):
    args = resource_args("kubernetes:helm.sh/v3:Release", {"values": values})
    assert violations(check_no_api_key_in_helm_values, args)


def test_helm_values_with_an_existing_secret_pass():
    args = resource_args(
        "kubernetes:helm.sh/v3:Release",
        {"values": {"config": {"existingSecretName": "k", "langsmithApiKey": ""}}},
    )
    assert violations(check_no_api_key_in_helm_values, args) == []


# -- no-security-group-open-to-the-world ----------------------------------------------------------


@pytest.mark.parametrize(
    ("type_", "props"),
    [
        ("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", {"cidrIpv4": "0.0.0.0/0"}),
        ("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", {"cidrIpv6": "::/0"}),
        (
            "aws:ec2/securityGroupRule:SecurityGroupRule",
            {"type": "ingress", "cidrBlocks": ["0.0.0.0/0"]},
        ),
        (
            "aws:ec2/securityGroup:SecurityGroup",
            {"ingress": [{"cidrBlocks": ["10.0.0.0/8", "0.0.0.0/0"]}]},
        ),
    ],
)
def test_world_open_ingress_is_refused(type_, props):
    assert violations(check_no_world_ingress, resource_args(type_, props)) == [
        f"{type_} r admits " + ("::/0" if "cidrIpv6" in props else "0.0.0.0/0")
    ]


def test_egress_to_the_world_and_narrow_ingress_pass():
    assert (
        violations(
            check_no_world_ingress,
            resource_args(
                "aws:ec2/securityGroupRule:SecurityGroupRule",
                {"type": "egress", "cidrBlocks": ["0.0.0.0/0"]},
            ),
        )
        == []
    )
    assert (
        violations(
            check_no_world_ingress,
            resource_args(
                "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
                {"cidrIpv4": "10.0.0.0/16"},
            ),
        )
        == []
    )


# -- listener-namespaces-deny-egress --------------------------------------------------------------


def policy_resource(type_: str, props: dict) -> PolicyResource:
    return PolicyResource(
        type_, props, f"urn:pulumi:dev::p::{type_}::x", "x", opts(), None, None, [], {}
    )


def namespace(name: str, role: str = "agents") -> PolicyResource:
    return policy_resource(
        "kubernetes:core/v1:Namespace",
        {"metadata": {"name": name, "labels": {"langsmith.com/role": role}}},
    )


def deny(ns: str, egress=None) -> PolicyResource:
    spec = {"podSelector": {}, "policyTypes": ["Egress"], "egress": egress or []}
    return policy_resource(
        "kubernetes:networking.k8s.io/v1:NetworkPolicy",
        {"metadata": {"namespace": ns}, "spec": spec},
    )


def test_every_listener_namespace_needs_default_deny():
    resources = [
        namespace("team-a"),
        namespace("langgraph-a", "release"),
        deny("team-a"),
        deny("langgraph-a", egress=[{"to": []}]),
    ]
    found = violations(check_default_deny_egress, StackValidationArgs(resources))
    assert found == ["namespace langgraph-a has no default-deny egress NetworkPolicy"]
    assert (
        violations(
            check_default_deny_egress, StackValidationArgs([*resources, deny("langgraph-a")])
        )
        == []
    )


def test_agent_server_namespaces_need_default_deny_too():
    resources = [namespace("search-agent", "agent-server")]
    found = violations(check_default_deny_egress, StackValidationArgs(resources))
    assert found == ["namespace search-agent has no default-deny egress NetworkPolicy"]
    with_deny = StackValidationArgs([*resources, deny("search-agent")])
    assert violations(check_default_deny_egress, with_deny) == []


# -- the real program passes every policy ---------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "stack"), all_stacks(), ids=[f"{p.stem}:{s}" for p, s in all_stacks()]
)
def test_the_program_passes_every_policy(path, stack):
    sim = simulated(path, stack)
    config = {"protectedStacks": [stack] if topology(path).stacks[stack].protect else []}
    found: list[str] = []
    report = lambda message, urn=None: found.append(message)  # noqa: E731
    policy_resources = []
    for r in sim.resources:
        props = reveal(r.inputs)
        args = ResourceValidationArgs(r.type, props, r.urn, r.name, opts(r.protect), None, config)
        for check in RESOURCE_CHECKS.values():
            check(args, report)
        policy_resources.append(policy_resource(r.type, props))
    for check in STACK_CHECKS.values():
        check(StackValidationArgs(policy_resources), report)
    assert found == []
