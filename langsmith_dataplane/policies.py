"""The mandatory policies (`pulumi preview --policy-pack policy`), as plain functions.

Each check takes what pulumi-policy passes (`ResourceValidationArgs` / `StackValidationArgs`) and
a `report_violation` callback, so unit tests call them with crafted resources. `policy/` wraps
them in a PolicyPack.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from langsmith_dataplane.diagnostics import SECRET_PATTERN
from langsmith_dataplane.dynamic_kinds import CLOUD_DEPLOYMENT_KIND, WORKSPACE_KIND

Report = Callable[..., None]

STATEFUL_TYPES = frozenset(
    {
        "aws:rds/instance:Instance",
        "aws:elasticache/replicationGroup:ReplicationGroup",
        "kubernetes:apps/v1:StatefulSet",
    }
)
LISTENER_ROLES = frozenset({"release", "agents", "agent-server"})
OPEN = frozenset({"0.0.0.0/0", "::/0"})
# The Pulumi project the pack checks: the directory above `policy/` (policy_pack() sets it
# from the pack's own location); relative `langsmith-dataplane:topology` paths start there, as the
# program's do.
PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_TOPOLOGY = "topology.yaml"
_project_dir: list[Path] = [PROJECT_DIR]


def stack_of(urn: str) -> str:
    """`urn:pulumi:<stack>::<project>::...` -> `<stack>`."""
    return urn.split("::", 1)[0].removeprefix("urn:pulumi:")


class CannotEvaluateError(Exception):
    """The policy cannot tell which stacks are protected: it fails rather than passes."""


def stack_topology_setting() -> str | None:
    """The stack's own `langsmith-dataplane:topology`, the setting the program reads (Pulumi
    passes the stack's config to policy packs); None where the engine does not."""
    try:
        import pulumi

        from langsmith_dataplane import settings

        return pulumi.Config(settings.NAMESPACE).get(settings.TOPOLOGY)
    except Exception:
        return None


def topology_path(config: Mapping[str, Any] | None) -> Path:
    """Policy config `topology`, else the stack's `langsmith-dataplane:topology`, else
    topology.yaml; relative to the project directory, as the program resolves it."""
    raw = (config or {}).get("topology") or stack_topology_setting() or DEFAULT_TOPOLOGY
    path = Path(str(raw)).expanduser()
    return path if path.is_absolute() else _project_dir[0] / path


@lru_cache(maxsize=8)
def _protected_in(path: Path) -> frozenset[str]:
    from langsmith_dataplane.diagnostics import TopologyError
    from langsmith_dataplane.topology import load_topology

    try:
        model = load_topology(path).model
    except TopologyError as exc:
        first = exc.render().splitlines()[0]
        raise CannotEvaluateError(f"the topology {path} has errors ({first})") from None
    except OSError as exc:
        raise CannotEvaluateError(
            f"cannot read the topology {path}: {exc.strerror or exc}"
        ) from None
    return frozenset(name for name, stack in model.stacks.items() if stack.protect)


def protected_stacks(config: Mapping[str, Any] | None) -> set[str]:
    """From policy config `protectedStacks`, else from the topology's `protect: true` stacks
    (raises CannotEvaluateError when the topology cannot be read)."""
    if config and config.get("protectedStacks") is not None:
        return set(config["protectedStacks"])
    return set(_protected_in(topology_path(config)))


def _role(props: Mapping[str, Any]) -> str | None:
    labels = (props.get("metadata") or {}).get("labels") or {}
    return labels.get("langsmith.com/role")


def is_stateful(resource_type: str, props: Mapping[str, Any]) -> bool:
    """Stores, volumes, a listener's namespaces, a created workspace (its traces and datasets)
    and a `prod` Cloud SaaS deployment (its threads and store)."""
    if resource_type in STATEFUL_TYPES:
        return True
    if resource_type == "pulumi-python:dynamic:Resource":
        kind = props.get("kind")
        if kind == WORKSPACE_KIND:
            return True
        return kind == CLOUD_DEPLOYMENT_KIND and props.get("deployment_type") == "prod"
    return resource_type == "kubernetes:core/v1:Namespace" and _role(props) in LISTENER_ROLES


def check_stateful_protected(args: Any, report: Report) -> None:
    """Stateful resources are `protect`ed in stacks marked `protect: true`."""
    if not is_stateful(args.resource_type, args.props):
        return
    try:
        protected = protected_stacks(args.get_config())
    except CannotEvaluateError as exc:
        report(f"cannot check whether {args.resource_type} {args.name} must be protected: {exc}")
        return
    if stack_of(args.urn) in protected and not args.opts.protect:
        report(f"{args.resource_type} {args.name} holds data and must be protected in this stack")


def check_stores_encrypted_and_private(args: Any, report: Report) -> None:
    """RDS: encrypted, not public. ElastiCache: encrypted at rest and in transit."""
    props = args.props
    if args.resource_type == "aws:rds/instance:Instance":
        if props.get("storageEncrypted") is not True:
            report(f"RDS instance {args.name} must have storageEncrypted: true")
        if props.get("publiclyAccessible") is True:
            report(f"RDS instance {args.name} must not be publicly accessible")
    elif args.resource_type == "aws:elasticache/replicationGroup:ReplicationGroup":
        if props.get("atRestEncryptionEnabled") not in (True, "true"):
            report(f"ElastiCache group {args.name} must be encrypted at rest")
        if props.get("transitEncryptionEnabled") is not True:
            report(f"ElastiCache group {args.name} must use TLS (transitEncryptionEnabled)")


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def check_no_api_key_in_helm_values(args: Any, report: Report) -> None:
    """The API key reaches the chart through `config.existingSecretName`, never Helm values."""
    if args.resource_type != "kubernetes:helm.sh/v3:Release":
        return
    values = args.props.get("values") or {}
    config = values.get("config") or {}
    # langsmithApiKey: the listener chart; apiKey and langGraphCloudLicenseKey: langgraph-cloud.
    for key in ("langsmithApiKey", "apiKey", "langGraphCloudLicenseKey"):
        if config.get(key):
            report(f"Helm release {args.name} sets config.{key}; use config.existingSecretName")
    if any(SECRET_PATTERN.search(text) for text in _strings(values)):
        report(f"Helm release {args.name} has a LangSmith API key in its values")


def _denies_all_egress(props: Mapping[str, Any]) -> bool:
    spec = props.get("spec") or {}
    return (
        spec.get("podSelector") in ({}, None)
        and "Egress" in (spec.get("policyTypes") or [])
        and not spec.get("egress")
    )


def check_default_deny_egress(args: Any, report: Report) -> None:
    """Every listener, release and Agent Server namespace has a default-deny egress policy."""
    namespaces = {
        (r.props.get("metadata") or {}).get("name")
        for r in args.resources
        if r.resource_type == "kubernetes:core/v1:Namespace" and _role(r.props) in LISTENER_ROLES
    }
    denied = {
        (r.props.get("metadata") or {}).get("namespace")
        for r in args.resources
        if r.resource_type == "kubernetes:networking.k8s.io/v1:NetworkPolicy"
        and _denies_all_egress(r.props)
    }
    for namespace in sorted(n for n in namespaces - denied if n):
        report(f"namespace {namespace} has no default-deny egress NetworkPolicy")


def check_no_world_ingress(args: Any, report: Report) -> None:
    """No security group admits traffic from 0.0.0.0/0 or ::/0."""
    props, kind = args.props, args.resource_type
    open_cidrs: set[str] = set()
    if kind == "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
        open_cidrs = {props.get("cidrIpv4"), props.get("cidrIpv6")} & OPEN
    elif kind == "aws:ec2/securityGroupRule:SecurityGroupRule" and props.get("type") == "ingress":
        open_cidrs = set(props.get("cidrBlocks") or []) | set(props.get("ipv6CidrBlocks") or [])
        open_cidrs &= OPEN
    elif kind == "aws:ec2/securityGroup:SecurityGroup":
        for rule in props.get("ingress") or []:
            open_cidrs |= (
                set(rule.get("cidrBlocks") or []) | set(rule.get("ipv6CidrBlocks") or [])
            ) & OPEN
    if open_cidrs:
        report(f"{kind} {args.name} admits {', '.join(sorted(open_cidrs))}")


RESOURCE_CHECKS: dict[str, Callable[[Any, Report], None]] = {
    "stateful-resources-protected": check_stateful_protected,
    "stores-encrypted-and-private": check_stores_encrypted_and_private,
    "no-api-key-in-helm-values": check_no_api_key_in_helm_values,
    "no-security-group-open-to-the-world": check_no_world_ingress,
}
STACK_CHECKS: dict[str, Callable[[Any, Report], None]] = {
    "listener-namespaces-deny-egress": check_default_deny_egress,
}


def build_policies() -> list[Any]:
    """The pulumi-policy objects (imported lazily: only the policy runtime needs them)."""
    from pulumi_policy import (
        EnforcementLevel,
        PolicyConfigSchema,
        ResourceValidationPolicy,
        StackValidationPolicy,
    )

    schemas = {
        "stateful-resources-protected": PolicyConfigSchema(
            properties={
                "protectedStacks": {"type": "array", "items": {"type": "string"}},
                "topology": {"type": "string"},
            }
        )
    }

    policies: list[Any] = [
        ResourceValidationPolicy(
            name=name,
            description=(check.__doc__ or name).strip(),
            validate=check,
            enforcement_level=EnforcementLevel.MANDATORY,
            config_schema=schemas.get(name),
        )
        for name, check in RESOURCE_CHECKS.items()
    ]
    policies += [
        StackValidationPolicy(
            name=name,
            description=(check.__doc__ or name).strip(),
            validate=check,
            enforcement_level=EnforcementLevel.MANDATORY,
        )
        for name, check in STACK_CHECKS.items()
    ]
    return policies


def policy_pack(project_dir: Path | None = None) -> Any:
    """Serve the pack to the Pulumi engine (blocks: only `policy/__main__.py` calls it, with
    the project directory the pack lives in)."""
    from pulumi_policy import PolicyPack

    if project_dir is not None:
        _project_dir[0] = project_dir

    return PolicyPack(name="langsmith-dataplane", policies=build_policies())
