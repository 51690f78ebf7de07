"""`ListenerRegistration`: registers a listener in the LangSmith control plane on `pulumi up`.

A Pulumi dynamic resource, so no UI step: create POSTs the listener once (a listener with the
compute id that appears after a lost answer is the stack's own; one registered before is taken
over only when the topology names it in `adopt`), read GETs it (404 means gone, so Pulumi
recreates it), update PATCHes its namespaces, and delete DELETEs it (404 counts as done). A new
compute id, workspace or control plane is a replacement. The API key is a secret input:
encrypted in state, never logged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import (
    CreateResult,
    DiffResult,
    ReadResult,
    Resource,
    ResourceProvider,
    UpdateResult,
)

from components._records import not_known_yet, read_record
from langsmith_dataplane.api.control_plane import control_plane
from langsmith_dataplane.api.listeners import ListenersClient
from langsmith_dataplane.dynamic_kinds import REGISTRATION_REPLACES

REPLACE_ON_CHANGE = REGISTRATION_REPLACES
# Known across an in-place update, so a preview shows only what changes (not the id).
STABLE = ("listener_id", "adopted", *REPLACE_ON_CHANGE)


def _client(props: dict[str, Any]) -> ListenersClient:
    transport = control_plane(
        props["base_url"],
        props["api_key"],
        props["workspace_id"],
        timeout=float(props.get("timeout", 30)),
    )
    return ListenersClient(transport)


def _outs(
    props: dict[str, Any], listener_id: str, namespaces: Sequence[str], adopted: bool
) -> dict:
    return {**props, "listener_id": listener_id, "namespaces": list(namespaces), "adopted": adopted}


class ListenerRegistrationProvider(ResourceProvider):
    """CRUD against `/v2/listeners`; see the module docstring."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        listener, adopted = _client(props).ensure(
            props["compute_id"], props["namespaces"], props.get("adopt")
        )
        return CreateResult(listener.id, _outs(props, listener.id, listener.namespaces, adopted))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return read_record(
            id_,
            props,
            lambda: _client(props).get(id_),
            lambda listener: _outs(props, id_, listener.namespaces, props.get("adopted", False)),
        )

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = [key for key in REPLACE_ON_CHANGE if olds.get(key) != news.get(key)]
        # Not known yet in a preview: an update there, diffed again with the value at `up`.
        replaces = [key for key in changed if not not_known_yet(news.get(key))]
        if sorted(olds.get("namespaces") or []) != sorted(news.get("namespaces") or []):
            changed.append("namespaces")
        if olds.get("api_key") != news.get("api_key"):
            changed.append("api_key")
        return DiffResult(
            changes=bool(changed),
            replaces=replaces,
            stables=[] if replaces else list(STABLE),
            delete_before_replace=True,  # the control plane allows one (workspace, compute id)
        )

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        listener = _client(news).update_namespaces(id_, news["namespaces"])
        return UpdateResult(_outs(news, id_, listener.namespaces, olds.get("adopted", False)))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        _client(props).delete(id_)


@dataclass(frozen=True)
class ListenerRegistrationArgs:
    base_url: pulumi.Input[str]
    workspace_id: pulumi.Input[str]
    api_key: pulumi.Input[str]
    compute_id: pulumi.Input[str]
    namespaces: pulumi.Input[Sequence[str]]
    adopt: str | None = None  # the id of an existing registration to take over


class ListenerRegistration(Resource):
    """The control plane's record of one listener; `listener_id` feeds the Helm release."""

    listener_id: pulumi.Output[str]
    adopted: pulumi.Output[bool]

    def __init__(
        self, name: str, args: ListenerRegistrationArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        props = {
            "base_url": args.base_url,
            "workspace_id": args.workspace_id,
            "api_key": pulumi.Output.secret(args.api_key),
            "compute_id": args.compute_id,
            "namespaces": args.namespaces,
            "adopt": args.adopt,
            "listener_id": None,
            "adopted": None,
        }
        opts = pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(additional_secret_outputs=["api_key"])
        )
        super().__init__(ListenerRegistrationProvider(), name, props, opts)
