"""`CreatedWorkspace` and `WorkspaceLookup`: the platform API's record of a workspace.

Dynamic resources over the platform API (`api/platform.py`, the shared transport):

* `CreatedWorkspace` (the owner stack): create POSTs the workspace with an id the stack chooses
  (`ids`, derived in `naming`), so a lost answer, and a workspace the stack kept on an earlier
  removal, are recognised by that id; a workspace someone else made is never taken, unless the
  topology names it in `adopt` (then `adopted` is true). Read GETs it (gone: the next `up`
  recreates it); update renames it; a new handle or organisation is a replacement. Delete
  deletes the workspace WITH its traces and datasets, so it runs only when `allow_deletion` was
  true when the stack last ran: otherwise Pulumi only forgets it, and the provider says so in
  one line of the engine's output (`retain_on_delete` would keep it silently: `delete[retain]`).
* `WorkspaceLookup` (every other stack deploying into it): finds the owner's workspace by its
  handle at `up`, so nobody copies an id between stacks; deleting a lookup deletes nothing.

The organisation admin's key is a secret input: encrypted in state, never logged.
"""

from __future__ import annotations

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

from components._records import record_diff
from langsmith_dataplane.api.platform import WorkspacesClient, platform
from langsmith_dataplane.api.revisions import stderr_line
from langsmith_dataplane.api.transport import ApiError
from langsmith_dataplane.dynamic_kinds import (
    WORKSPACE_KIND,
    WORKSPACE_LOOKUP_KIND,
    WORKSPACE_REPLACES,
)

STABLE = ("workspace_id", "adopted", *WORKSPACE_REPLACES)


@dataclass(frozen=True)
class PlatformAccess:
    """Where the platform API is and the organisation admin's key (a secret) for it."""

    base_url: str
    organization_id: str
    admin_key: pulumi.Input[str]


def _client(props: dict[str, Any]) -> WorkspacesClient:
    return WorkspacesClient(
        platform(props["base_url"], props["admin_key"], props["organization_id"])
    )


def _diff(olds: dict[str, Any], news: dict[str, Any], updatable: tuple[str, ...]) -> DiffResult:
    return record_diff(
        olds,
        news,
        replaced_by=WORKSPACE_REPLACES,
        updated_by=updatable,
        stables=STABLE,
        delete_before_replace=False,
    )


class WorkspaceProvider(ResourceProvider):
    """See the module docstring."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = _client(props)
        if props.get("adopt"):  # taken over explicitly by the topology
            record = client.adopt(props["adopt"], props.get("handle"))
            if record.display_name != props["display_name"]:
                record = client.rename(record.id, props["display_name"])
            return CreateResult(record.id, {**props, "workspace_id": record.id, "adopted": True})
        record, _ = client.create(props["display_name"], props.get("handle"), props["ids"])
        return CreateResult(record.id, {**props, "workspace_id": record.id, "adopted": False})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        record = _client(props).get(id_)
        if record is None:
            return ReadResult(None, {})  # deleted in the UI: the next `up` creates it again
        return ReadResult(id_, {**props, "workspace_id": id_, "display_name": record.display_name})

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return _diff(olds, news, ("display_name", "allow_deletion", "admin_key"))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        if olds.get("display_name") != news["display_name"]:
            _client(news).rename(id_, news["display_name"])
        return UpdateResult({**news, "workspace_id": id_, "adopted": olds.get("adopted", False)})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        if props.get("allow_deletion"):
            _client(props).delete(id_)
            return
        name = props.get("handle") or props.get("display_name") or id_
        stderr_line(
            f"workspace {name} ({id_}) kept in LangSmith with its traces and datasets: "
            "allowDeletion was not true; the stack only forgets it"
        )


class WorkspaceLookupProvider(ResourceProvider):
    """See the module docstring."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        handle = props["handle"]
        record = _client(props).find(handle)
        if record is None:
            raise ApiError(
                f"workspace with handle '{handle}' does not exist yet: stack "
                f"'{props.get('owner')}' creates it; run `pulumi up -s {props.get('owner')}` "
                "first"
            )
        return CreateResult(record.id, {**props, "workspace_id": record.id})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        if _client(props).get(id_) is None:
            return ReadResult(None, {})
        return ReadResult(id_, {**props, "workspace_id": id_})

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return _diff(olds, news, ("owner", "admin_key"))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult({**news, "workspace_id": id_})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """The owner stack keeps the workspace: forgetting the lookup deletes nothing."""


@dataclass(frozen=True)
class CreatedWorkspaceArgs:
    """`ids`: the ids the stack gives this workspace, in order (`naming.created_workspace_ids`);
    `adopt`: the id of an existing workspace the topology takes over instead."""

    access: PlatformAccess
    display_name: str
    ids: tuple[str, ...]
    handle: str | None = None
    allow_deletion: bool = False
    adopt: str | None = None


def _access_props(access: PlatformAccess) -> dict[str, Any]:
    return {
        "base_url": access.base_url,
        "organization_id": access.organization_id,
        "admin_key": pulumi.Output.secret(access.admin_key),
    }


def _secret_admin_key(opts: pulumi.ResourceOptions | None) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions.merge(
        opts, pulumi.ResourceOptions(additional_secret_outputs=["admin_key"])
    )


class CreatedWorkspace(Resource):
    """A workspace this stack creates (or adopts by its natural key) and keeps."""

    workspace_id: pulumi.Output[str]
    adopted: pulumi.Output[bool]

    def __init__(
        self, name: str, args: CreatedWorkspaceArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        props = {
            "kind": WORKSPACE_KIND,
            **_access_props(args.access),
            "display_name": args.display_name,
            "handle": args.handle,
            "allow_deletion": args.allow_deletion,
            "ids": list(args.ids),
            "adopt": args.adopt,
            "workspace_id": None,
            "adopted": None,
        }
        super().__init__(WorkspaceProvider(), name, props, _secret_admin_key(opts))


class WorkspaceLookup(Resource):
    """The id of a workspace another stack (`owner`) creates, found by its handle."""

    workspace_id: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        access: PlatformAccess,
        handle: str,
        owner: str,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "kind": WORKSPACE_LOOKUP_KIND,
            **_access_props(access),
            "handle": handle,
            "owner": owner,
            "workspace_id": None,
        }
        super().__init__(WorkspaceLookupProvider(), name, props, _secret_admin_key(opts))
