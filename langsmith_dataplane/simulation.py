"""Run the Pulumi program under Pulumi's mocks: no engine, no credentials, no cloud.

Used by the tests and by `dataplane plan`. `DataplaneMocks` answers resource registrations with
plausible computed outputs (EKS endpoints, RDS addresses, ...) and AWS invokes (availability
zones, VPC lookups); `RecordingMonitor` keeps what the mocks do not see: parents, protect flags,
aliases, providers, and which input values were secret.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks

from langsmith_dataplane.call_sites import call_sites_skipped
from langsmith_dataplane.dynamic_kinds import (
    CLOUD_DEPLOYMENT_KIND,
    DEPLOYMENT_KIND,
    SERVICE_KEY_KIND,
    WORKSPACE_KIND,
    WORKSPACE_LOOKUP_KIND,
)
from langsmith_dataplane.event_loops import simulation_loop
from langsmith_dataplane.gc_pause import cyclic_gc_paused
from langsmith_dataplane.recording_monitor import UNKNOWN as UNKNOWN  # re-exported
from langsmith_dataplane.recording_monitor import RecordedResource, RecordingMonitor
from langsmith_dataplane.recording_monitor import Secret as Secret  # re-exported
from langsmith_dataplane.recording_monitor import Unknown as Unknown  # re-exported
from langsmith_dataplane.stack_slice import slice_for_stack
from langsmith_dataplane.topology.schema import Topology
from langsmith_dataplane.wiring import ProgramOptions, build_stack

PROJECT = "langsmith-dataplane"
PLACEHOLDER_API_KEY = "placeholder-api-key-not-a-real-key"
SIMULATED_SERVICE_KEY = "simulated-service-key-not-a-real-key"  # what a made key "returns"


def placeholder_for(name: str) -> str:
    """The stand-in for the secret config value `name`: one per name, so pointing a reference
    at another value is a change the review sees (and shows by name, never by value)."""
    return f"{PLACEHOLDER_API_KEY}[{name}]"


def _stable_id(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:12]


class DataplaneMocks(pulumi_mocks.Mocks):
    """Plausible computed outputs for the resource types and invokes this program uses."""

    def __init__(self, unknown_outputs: frozenset[str] = frozenset()) -> None:
        self.regions: dict[str, str] = {}
        # LangSmith records (dynamic resources) previewed as updated: the engine knows none of
        # their outputs but the id until `up` (Python's dynamic provider keeps none stable).
        self.unknown_outputs = unknown_outputs

    def new_resource(self, args: pulumi_mocks.MockResourceArgs) -> tuple[str | None, dict]:
        inputs = dict(args.inputs)
        computed = _COMPUTED.get(args.typ)
        state = {**inputs, **(computed(args.name, inputs) if computed else {})}
        rid = args.resource_id or f"{args.name}-{_stable_id(args.typ, args.name)}"
        if args.typ == "pulumi-python:dynamic:Resource":  # the control plane's id is the id
            rid = str(
                state.get("key_id")
                or state.get("listener_id")
                or state.get("deployment_id")
                or state.get("workspace_id")
                or rid
            )
        if args.typ == "pulumi-python:dynamic:Resource" and args.name in self.unknown_outputs:
            return rid, {}  # in a preview, what is missing is unknown
        if args.typ == "pulumi:providers:aws":
            self.regions[args.name] = str(inputs.get("region", "us-east-1"))
        if args.typ.startswith("kubernetes:") and args.typ != "kubernetes:helm.sh/v3:Release":
            metadata = dict(state.get("metadata") or {})
            metadata.setdefault("name", f"{args.name}-{_stable_id(args.name)[:8]}")
            state["metadata"] = metadata
        return rid, state

    def call(self, args: pulumi_mocks.MockCallArgs) -> dict:  # type: ignore[override]
        if args.token == "aws:index/getAvailabilityZones:getAvailabilityZones":
            provider_name = (
                (args.provider or "").split("::")[-2] if "::" in (args.provider or "") else ""
            )
            region = self.regions.get(provider_name, "us-east-1")
            names = [f"{region}{zone}" for zone in "abc"]
            return {"names": names, "zoneIds": [f"use1-az{i}" for i in (1, 2, 3)], "id": region}
        if args.token == "kubernetes:helm:template":
            # Only the operator's CRD is ever rendered client-side (`operator_crds` drops the
            # rest). The real object comes from the chart at `pulumi up`; this stands in for it.
            return {"result": [_OPERATOR_CRD_STANDIN]}
        if args.token == "aws:ec2/getVpc:getVpc":
            return {"id": args.args.get("id"), "cidrBlock": "10.0.0.0/16"}
        return {}


_OPERATOR_CRD_STANDIN = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "lgps.apps.langchain.ai"},
    "spec": {
        "group": "apps.langchain.ai",
        "names": {"kind": "LGP", "plural": "lgps", "singular": "lgp"},
        "scope": "Namespaced",
        "versions": [{"name": "v1alpha1", "served": True, "storage": True}],
    },
}


def _eks(name: str, inputs: dict) -> dict:
    cluster = inputs.get("name", name)
    return {
        "name": cluster,
        "endpoint": f"https://{_stable_id(name).upper()}.gr7.eks.amazonaws.com",
        "certificateAuthority": {"data": "LS0tLS1CRUdJTi1NT0NLLUNBLS0tLS0="},
        "vpcConfig": {
            **(inputs.get("vpcConfig") or {}),
            "clusterSecurityGroupId": f"sg-{_stable_id(name, 'cluster')}",
        },
        "arn": f"arn:aws:eks:mock:000000000000:cluster/{cluster}",
    }


_COMPUTED: dict[str, Callable[[str, dict], dict]] = {
    "aws:eks/cluster:Cluster": _eks,
    "aws:ec2/vpc:Vpc": lambda n, i: {"cidrBlock": i.get("cidrBlock")},
    "aws:ec2/securityGroup:SecurityGroup": lambda n, i: {"id": f"sg-{_stable_id(n)}"},
    "aws:iam/role:Role": lambda n, i: {"arn": f"arn:aws:iam::000000000000:role/{n}", "name": n},
    "aws:kms/key:Key": lambda n, i: {"arn": f"arn:aws:kms:mock:000000000000:key/{_stable_id(n)}"},
    "aws:ec2/launchTemplate:LaunchTemplate": lambda n, i: {"latestVersion": 1},
    "aws:rds/subnetGroup:SubnetGroup": lambda n, i: {"name": n},
    "aws:elasticache/subnetGroup:SubnetGroup": lambda n, i: {"name": n},
    "aws:rds/instance:Instance": lambda n, i: {
        "address": f"{i.get('identifier', n)}.{_stable_id(n)}.rds.amazonaws.com",
        "endpoint": f"{i.get('identifier', n)}.{_stable_id(n)}.rds.amazonaws.com:5432",
    },
    "aws:elasticache/replicationGroup:ReplicationGroup": lambda n, i: {
        "primaryEndpointAddress": (
            f"master.{i.get('replicationGroupId', n)}.{_stable_id(n)}.cache.amazonaws.com"
        )
    },
    # From the inputs, not the name: a real password survives a rename (through its alias).
    "random:index/randomPassword:RandomPassword": lambda n, i: {
        "result": f"mock{_stable_id('pw', str(sorted(i.items())))}"
    },
    "kubernetes:discovery.k8s.io/v1:EndpointSlice": lambda n, i: {
        "addressType": "IPv4",
        "endpoints": [{"addresses": ["10.100.0.10"]}],
        "ports": [{"name": "https", "port": 443, "protocol": "TCP"}],
    },
    "pulumi-python:dynamic:Resource": lambda n, i: _dynamic(i),
    # A stack's reference to itself (a protect stack's removed listeners): no earlier outputs.
    "pulumi:pulumi:StackReference": lambda n, i: {"outputs": {}},
}


def _dynamic(inputs: dict) -> dict:
    """The control plane names a listener by (workspace, compute id), a deployment by name."""
    workspace = inputs.get("workspace_id")
    kind = inputs.get("kind")
    if kind in (WORKSPACE_KIND, WORKSPACE_LOOKUP_KIND):
        # The owner's workspace and another stack's lookup of it get the same simulated id.
        natural = inputs.get("handle") or inputs.get("display_name")
        found = uuid.uuid5(
            uuid.NAMESPACE_URL, f"workspace/{inputs.get('organization_id')}/{natural}"
        )
        return {"workspace_id": str(found), "adopted": False}
    if kind == SERVICE_KEY_KIND:
        key = uuid.uuid5(
            uuid.NAMESPACE_URL,
            "service-key/{}/{}/{}".format(
                inputs.get("organization_id"), inputs.get("workspace_id"), inputs.get("description")
            ),
        )
        return {
            "key_id": str(key),
            # A new key is a new value: what holds it (Secrets, checksums) changes with it.
            "key": f"{SIMULATED_SERVICE_KEY}-{str(key)[:8]}",
            "short_key": "lsv2_sk_sim...",
            "role_id": str(uuid.uuid5(key, str(inputs.get("role")))),
        }
    if kind == CLOUD_DEPLOYMENT_KIND:
        deployment = uuid.uuid5(uuid.NAMESPACE_URL, f"deployment/{workspace}/{inputs.get('name')}")
        return {
            "deployment_id": str(deployment),
            "integration_id": str(uuid.uuid5(uuid.NAMESPACE_URL, str(inputs.get("integration")))),
            "revision_id": str(uuid.uuid5(deployment, str(inputs.get("repo_ref")))),
            "custom_url": f"https://{inputs.get('name')}-{str(deployment)[:8]}.us.langgraph.app",
            "adopted": False,
        }
    if kind == DEPLOYMENT_KIND:
        deployment = uuid.uuid5(uuid.NAMESPACE_URL, f"deployment/{workspace}/{inputs.get('name')}")
        revision = uuid.uuid5(deployment, str(inputs.get("image")))
        return {"deployment_id": str(deployment), "revision_id": str(revision), "adopted": False}
    listener = uuid.uuid5(uuid.NAMESPACE_URL, f"listener/{workspace}/{inputs.get('compute_id')}")
    return {"listener_id": str(listener), "adopted": False}


@dataclass
class SimulatedStack:
    stack: str
    resources: list[RecordedResource]
    outputs: dict[str, Any]

    def by_type(self, type_: str) -> list[RecordedResource]:
        return [r for r in self.resources if r.type == type_]

    def one(self, type_: str, name: str) -> RecordedResource:
        matches = [r for r in self.resources if r.type == type_ and r.name == name]
        assert len(matches) == 1, f"{len(matches)} resources {type_} {name}"
        return matches[0]


def run_under_mocks(
    stack: str,
    program: Callable[[], pulumi.Input[Any]],
    unknown_outputs: frozenset[str] = frozenset(),
) -> tuple[list[RecordedResource], dict[str, Any]]:
    """Run `program` (it declares resources, returns the stack outputs) for `stack` under the
    mocks; what it registered and its outputs. The plan and the bare benchmark share it, so
    they are measured under the same mocks and monitor. With `unknown_outputs` (names of
    records) it runs as a preview in which those records' outputs are not known yet."""
    captured: dict[str, Any] = {}
    with simulation_loop():
        mocks = DataplaneMocks(unknown_outputs)
        monitor = RecordingMonitor(mocks, project=PROJECT, stack=stack)
        # A fresh root stack for this stack: set_mocks keeps an earlier simulation's otherwise.
        pulumi.runtime.settings.set_root_resource(None)  # type: ignore[arg-type]  # the SDK's reset
        preview = bool(unknown_outputs)
        pulumi_mocks.set_mocks(
            mocks, project=PROJECT, stack=stack, preview=preview, monitor=monitor
        )

        @pulumi.runtime.test
        def run() -> pulumi.Output[Any]:
            return pulumi.Output.from_input(program()).apply(captured.update)

        # The collector: more than half the run otherwise; call sites: about a fifth.
        with cyclic_gc_paused(), call_sites_skipped():
            run()
    return list(monitor.recorded.values()), captured


def simulate(
    topology: Topology,
    stack: str,
    *,
    api_keys: Mapping[str, str] | None = None,
    options: ProgramOptions | None = None,
    unknown_outputs: frozenset[str] = frozenset(),
) -> SimulatedStack:
    """Run `build_stack` for `stack` under mocks; API keys default to secret placeholders.
    `unknown_outputs`: see `run_under_mocks`."""
    keys = dict(api_keys or {})
    slice_ = slice_for_stack(topology, stack)

    def lookup(name: str) -> pulumi.Output[str]:
        return pulumi.Output.secret(keys[name] if name in keys else placeholder_for(name))

    resources, outputs = run_under_mocks(
        stack, lambda: build_stack(slice_, lookup, options or ProgramOptions()), unknown_outputs
    )
    return SimulatedStack(stack, resources, outputs)
