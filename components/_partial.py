"""A create or update that failed after the record was made: the engine keeps it in the state.

LangChain's Terraform provider keeps a deployment's id in state when the revision wait fails
after the create ("preserve the ID if it fails"), so a retry, a removal or a destroy still finds
it. Pulumi's equivalent is the provider protocol's `ErrorResourceInitFailed` error detail: the
engine records the resource with its id and outputs and the failure as an init error, and the
next `up` updates it (`refresh` and `destroy` see it too). Pulumi's Python dynamic provider host
has no way to send it, so `fail_keeping_state` finds the gRPC call the host is serving (its
`Create` or `Update` frame) and ends it with that detail. Outside the engine (the offline plan,
unit tests calling the provider directly) there is no such call, and it raises the error as it
is: the caller's failure is never lost, only the state is not written.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import grpc
from google.protobuf import any_pb2
from google.rpc import status_pb2
from pulumi.dynamic.dynamic import PROVIDER_KEY
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2

_HANDLERS = frozenset({"Create", "Update"})


class _Status(grpc.Status):
    """`grpc.Status` is an interface; this is its plain implementation (grpcio-status's)."""

    def __init__(self, code: grpc.StatusCode, details: str, trailing: tuple[Any, ...]) -> None:
        self.code = code
        self.details = details
        self.trailing_metadata = trailing


def _serving_frame() -> Any:
    frame: Any = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_name in _HANDLERS and "context" in frame.f_locals:
            owner = frame.f_locals.get("self")
            if type(owner).__name__ == "DynamicResourceProviderServicer":
                return frame
        frame = frame.f_back
    return None


def fail_keeping_state(
    error: Exception, resource_id: str, outputs: dict[str, Any], inputs: dict[str, Any]
) -> None:
    """Ends the engine's Create/Update call with `error` as an init error and the record
    (`resource_id`, `outputs`; `inputs` as they were sent) kept in the state; raises `error`
    where there is no such call. Never returns."""
    frame = _serving_frame()
    if frame is None:
        raise error
    context = frame.f_locals["context"]
    props = frame.f_locals.get("props") or frame.f_locals.get("news") or {}
    provider = props.get(PROVIDER_KEY)
    outs = {**outputs, PROVIDER_KEY: provider}
    ins = {**inputs, PROVIDER_KEY: provider}
    loop = asyncio.new_event_loop()
    try:
        detail = provider_pb2.ErrorResourceInitFailed(
            id=resource_id,
            properties=loop.run_until_complete(rpc.serialize_properties(outs, {})),
            inputs=loop.run_until_complete(rpc.serialize_properties(ins, {})),
            reasons=[str(error)],
        )
    finally:
        loop.close()
    packed = any_pb2.Any()
    packed.Pack(detail)
    status = status_pb2.Status(code=grpc.StatusCode.UNKNOWN.value[0], message=str(error))
    status.details.append(packed)
    trailing = (("grpc-status-details-bin", status.SerializeToString()),)
    context.abort_with_status(_Status(grpc.StatusCode.UNKNOWN, str(error), trailing))
    raise error  # abort_with_status raises; this line is for readers and type checkers
