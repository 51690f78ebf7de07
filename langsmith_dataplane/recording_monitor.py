"""The mock monitor of a simulated run: every registration recorded as the engine would see it.

`RecordingMonitor` keeps what Pulumi's mocks do not: parents, protect flags, aliases,
providers, and which input values were secret (`Secret`) or not yet known (`UNKNOWN`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from google.protobuf import json_format, struct_pb2
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc
from pulumi.runtime.proto import resource_pb2
from pulumi.runtime.sync_await import _sync_await

from langsmith_dataplane.event_loops import worker_thread_loop

_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
_SIG_KEY = "4dabf18193072939515e22adb298388d"
_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
_RESOURCE_REF_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
_PLAIN = (str, bool, int, float)


@dataclass(frozen=True)
class Secret:
    """An input value Pulumi treats as secret (encrypted in state, masked in output)."""

    value: Any


class Unknown:
    """An input not known until the resource it depends on exists."""

    def __repr__(self) -> str:
        return "Unknown"


UNKNOWN = Unknown()


def _from_wire(value: Any) -> Any:
    """Pulumi's wire format -> Python, keeping secrets as `Secret` and unknowns as `UNKNOWN`."""
    if isinstance(value, dict):
        sig = value.get(_SIG_KEY)
        if sig == _SECRET_SIG:
            return Secret(_from_wire(value.get("value")))
        if sig == _RESOURCE_REF_SIG:
            return {"$ref": value.get("urn")}
        if sig is not None:
            return {k: _from_wire(v) for k, v in value.items() if k != _SIG_KEY}
        return {k: _from_wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_wire(v) for v in value]
    if value == _UNKNOWN:
        return UNKNOWN
    if isinstance(value, float) and value.is_integer():
        return int(value)  # the wire format has only doubles; 999.0 was written as 999
    return value


@dataclass
class RecordedResource:
    urn: str
    type: str
    name: str
    parent: str
    custom: bool
    protect: bool
    provider: str
    inputs: dict[str, Any]
    aliases: list[str] = field(default_factory=list)
    dependencies: list[str] = field(default_factory=list)
    read: bool = False
    retain_on_delete: bool = False
    # The inputs whose change the engine ignores on an update (`ignore_changes`).
    ignore_changes: list[str] = field(default_factory=list)


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """The mock monitor, also recording the resource options of every registration."""

    def __init__(self, mocks: pulumi_mocks.Mocks, *, project: str, stack: str) -> None:
        super().__init__(mocks)
        self.recorded: dict[str, RecordedResource] = {}
        # The SDK calls the monitor from worker threads, where the runtime settings' context
        # (and so `pulumi.get_stack()`) is not set: keep the names here.
        self.project = project
        self.stack = stack

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        """The engine's URN: the parent's whole qualified type chain, without the root stack.

        (Pulumi's `MockMonitor` keeps only the immediate parent type and keeps the stack's;
        `pulumi up` would then report URNs the plan never showed.)
        """
        if parent:
            parent_type = parent.split("::")[2]
            if parent_type != "pulumi:pulumi:Stack":
                type_ = f"{parent_type}${type_}"
        return "urn:pulumi:" + "::".join([self.stack, self.project, type_, name])

    def _record(self, request: Any, properties: Any, *, read: bool) -> None:
        urn = self.make_urn(request.parent, request.type, request.name)
        raw = json_format.MessageToDict(properties) if properties is not None else {}
        aliases = [
            alias.spec.name if alias.HasField("spec") else alias.urn
            for alias in getattr(request, "aliases", [])
        ]
        aliases = [a for a in [*aliases, *getattr(request, "aliasURNs", [])] if a]
        self.recorded[urn] = RecordedResource(
            urn=urn,
            type=request.type,
            name=request.name,
            parent=request.parent,
            custom=bool(getattr(request, "custom", True)),
            protect=bool(getattr(request, "protect", False)),
            provider=request.provider,
            inputs=_from_wire(raw),
            aliases=aliases,
            dependencies=list(request.dependencies),
            read=read,
            retain_on_delete=bool(getattr(request, "retainOnDelete", False)),
            ignore_changes=list(getattr(request, "ignoreChanges", []) or []),
        )

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        """`MockMonitor.RegisterResource`, recording the request, and answering with a state of
        plain values without the SDK's asynchronous serializer (its per-value tasks cost more
        than the registration itself); any other state goes the SDK's way."""
        urn = self.make_urn(request.parent, request.type, request.name)
        if request.type == "pulumi:pulumi:Stack":
            return resource_pb2.RegisterResourceResponse(urn=urn)
        self._record(request, request.object, read=False)
        worker_thread_loop()  # deserializing a resource reference needs one on this thread
        args = pulumi_mocks.MockResourceArgs(
            typ=request.type,
            name=request.name,
            inputs=rpc.deserialize_properties(request.object),
            provider=request.provider,
            resource_id=request.importId,
            custom=request.custom or False,
        )
        found, state = self.mocks.new_resource(args)
        id_ = found or ""  # a component has none: the wire's empty string
        self.resources[urn] = pulumi_mocks.MockMonitor.ResourceRegistration(urn, id_, state)
        return resource_pb2.RegisterResourceResponse(urn=urn, id=id_, object=_state_struct(state))

    def ReadResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        self._record(request, request.properties, read=True)
        worker_thread_loop()  # the SDK's monitor would make one and leave it open
        return super().ReadResource(request)

    def Invoke(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        worker_thread_loop()  # the SDK's monitor would make one and leave it open
        return super().Invoke(request)


def _is_plain(value: Any) -> bool:
    """JSON-like all the way down: what `Struct.update` writes as the SDK's serializer would."""
    if value is None or isinstance(value, _PLAIN):
        return True
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_is_plain(v) for v in value)
    return False


def _state_struct(state: dict[str, Any]) -> struct_pb2.Struct:
    """The response's outputs. `serialize_properties` drops top-level `None`s and writes every
    other plain value as is; a state holding anything else (a resource, an asset) is left to
    it."""
    if not _is_plain(state):
        return _sync_await(rpc.serialize_properties(state, {}))
    struct = struct_pb2.Struct()
    struct.update({k: v for k, v in state.items() if v is not None})
    return struct
