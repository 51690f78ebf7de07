"""The floor under the plan: the same resources, registered by a program with no logic.

`replay_program(resources)` re-registers what a simulated stack recorded: each resource with its
own type, name, parent, inputs (secrets still secret), provider, dependencies, aliases and
protect flag, through the class the plan uses: the SDK's typed class where there is one
(Kubernetes, AWS, random), the Kubernetes SDK's untyped object for the kinds the plan registers
untyped (policies, Gateway API objects), otherwise a plain custom, provider or component
resource. Dependencies are `depends_on`, not Outputs; no applies, no components' code: what is
left is what these resources cost the SDK and the mocks. `plan_ratio.py` prints it beside the
plan and the bare ConfigMap program.

`with_configmap_inputs(resources)` keeps every option and swaps each custom resource's inputs
(and a Kubernetes resource's type) for the bare program's ConfigMap: what the resources' options
(parents, providers, dependencies, aliases, components) cost, apart from what their inputs cost.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import re
from collections.abc import Callable
from functools import cache
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components._common import NETWORK_POLICY_TYPE
from langsmith_dataplane.simulation import RecordedResource, Secret

_K8S_SKIPPED = ("apiVersion", "kind")  # the typed classes set them themselves


def _snake(name: str) -> str:
    return re.sub(r"([A-Z])", r"_\1", name).lower()


@cache
def _sdk_class(type_: str) -> tuple[type, frozenset[str]] | None:
    """The SDK class for a type token and the keyword arguments it takes, if the SDK has one."""
    if type_ == NETWORK_POLICY_TYPE:
        return None  # the plan registers policies untyped (`components._common.network_policy`)
    package, module, name = type_.split(":")
    if package == "kubernetes":
        group, _, version = module.rpartition("/")
        path = "helm.v3" if module == "helm.sh/v3" else f"{group.split('.')[0]}.{version}"
        dotted = f"pulumi_kubernetes.{path}"
    elif package in ("aws", "random"):
        section = module.split("/")[0]
        dotted = f"pulumi_{package}" + ("" if section == "index" else f".{section}")
    else:
        return None
    try:
        cls = getattr(importlib.import_module(dotted), name)
    except (ImportError, AttributeError):
        return None  # e.g. Gateway API kinds: no class in pulumi_kubernetes
    params = inspect.signature(cls._internal_init).parameters
    return cls, frozenset(params) - {"self", "resource_name", "opts"}


def _plain(value: Any) -> Any:
    if isinstance(value, Secret):
        return pulumi.Output.secret(_plain(value.value))
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


_PROVIDER_PREFIX = "pulumi:providers:"


def _options(r: RecordedResource, made: dict[str, pulumi.Resource]) -> pulumi.ResourceOptions:
    """The recorded options, pointing at the resources already replayed."""
    provider = made.get(r.provider.rsplit("::", 1)[0]) if r.provider else None
    return pulumi.ResourceOptions(
        parent=made.get(r.parent),
        provider=provider if isinstance(provider, pulumi.ProviderResource) else None,
        depends_on=[made[urn] for urn in r.dependencies if urn in made] or None,
        aliases=[a if a.startswith("urn:") else pulumi.Alias(name=a) for a in r.aliases] or None,
        protect=r.protect,  # explicit: a child would inherit its parent's
        retain_on_delete=r.retain_on_delete or None,
    )


# The SDK records the call stack of every registration, from the caller of the third `__init__`
# on the way up (Resource, Custom/ComponentResource, the concrete class). A class of its own, as
# the plan's components and resources have, so the floor pays that as the plan does; a bare
# `pulumi.CustomResource(...)` call has no third `__init__`, and its stack goes unrecorded.
class _Component(pulumi.ComponentResource):
    def __init__(self, type_: str, name: str, opts: pulumi.ResourceOptions) -> None:
        super().__init__(type_, name, None, opts)


class _Untyped(pulumi.CustomResource):
    def __init__(self, type_: str, name: str, props: Any, opts: pulumi.ResourceOptions) -> None:
        super().__init__(type_, name, props, opts)


_OBJECT_FIELDS = frozenset({"apiVersion", "kind", "metadata", "spec"})


def _register(r: RecordedResource, opts: pulumi.ResourceOptions) -> pulumi.Resource:
    if not r.custom:
        return _Component(r.type, r.name, opts)
    if r.type.startswith(_PROVIDER_PREFIX):
        package = r.type.removeprefix(_PROVIDER_PREFIX)
        return pulumi.ProviderResource(package, r.name, _plain(r.inputs), opts)
    if (
        r.type.startswith("kubernetes:")
        and set(r.inputs) <= _OBJECT_FIELDS
        and not _sdk_class(r.type)
    ):
        # what the plan uses for kinds it registers untyped (policies, Gateway API objects)
        return k8s.apiextensions.CustomResource(
            r.name,
            api_version=r.inputs["apiVersion"],
            kind=r.inputs["kind"],
            metadata=_plain(r.inputs.get("metadata")),
            spec=_plain(r.inputs.get("spec")),
            opts=opts,
        )
    found = _sdk_class(r.type)
    if found is not None:
        cls, accepted = found
        kwargs = {
            _snake(k): _plain(v)
            for k, v in r.inputs.items()
            if k not in _K8S_SKIPPED and _snake(k) in accepted
        }
        try:
            return cls(r.name, **kwargs, opts=opts)
        except TypeError:
            pass  # the class insists on an input the simulation computes: the plain way
    return _Untyped(r.type, r.name, _plain(r.inputs), opts)


CONFIGMAP_TYPE = "kubernetes:core/v1:ConfigMap"


def configmap_inputs(index: int) -> dict[str, Any]:
    """The bare program's ConfigMap number `index`: a name, a namespace and one key."""
    return {"metadata": {"name": f"cm-{index}", "namespace": "bare"}, "data": {"k": "v"}}


def with_configmap_inputs(resources: list[RecordedResource]) -> list[RecordedResource]:
    """`resources` with their options, every custom resource but a provider given the bare
    program's ConfigMap inputs, and a Kubernetes one its type too (another package's keeps its
    type, so that its provider still applies). Components and providers stay as they are; the
    recorded URN, which the replay's lookups use, is kept."""
    return [
        dataclasses.replace(
            r,
            type=CONFIGMAP_TYPE if r.type.startswith("kubernetes:") else r.type,
            inputs=configmap_inputs(i),
        )
        if r.custom and not r.type.startswith(_PROVIDER_PREFIX)
        else r
        for i, r in enumerate(resources)
    ]


def replay_program(resources: list[RecordedResource]) -> Callable[[], dict[str, Any]]:
    """A Pulumi program registering `resources` (in their recorded order: parents first)."""

    def program() -> dict[str, Any]:
        made: dict[str, pulumi.Resource] = {}
        for r in resources:
            made[r.urn] = _register(r, _options(r, made))
        return {}

    return program
