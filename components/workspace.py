"""`Workspace`: one LangSmith workspace as a stack uses it, with the service keys it makes there.

The stack that owns a created workspace holds its record (`CreatedWorkspace`); every other stack
deploying into it finds it by handle (`WorkspaceLookup`); a workspace made elsewhere is only its
id. Each listener and Agent Server of the stack gets a `ServiceKey` of its own here, unless the
topology names a key made elsewhere. Protection: in a `protect` stack the record is protected;
keys never are, since rotation replaces them. The record of a created workspace is kept in
LangSmith when removed from the topology unless `allow_deletion` (retain on delete).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import pulumi

from components._common import child_opts
from components.service_key import ServiceKey, ServiceKeyArgs
from components.workspace_records import (
    CreatedWorkspace,
    CreatedWorkspaceArgs,
    PlatformAccess,
    WorkspaceLookup,
)

Source = Literal["referenced", "created", "looked-up"]


@dataclass(frozen=True)
class KeyRequest:
    """A key for one workload: `owner` names it in outputs (`listener/c-dev`); `description`
    is what the LangSmith UI shows and the key's natural key."""

    owner: str
    resource_name: str
    description: str
    role: str
    generation: int


@dataclass(frozen=True)
class WorkspaceArgs:
    source: Source
    display_name: str
    access: PlatformAccess | None = None  # None only for a referenced workspace without keys
    id: str | None = None  # a referenced workspace's id
    handle: str | None = None
    owner_stack: str | None = None
    allow_deletion: bool = False
    protect: bool = False
    keys: Sequence[KeyRequest] = field(default_factory=tuple)
    ids: tuple[str, ...] = ()  # a created workspace: the ids the stack gives it
    adopt: str | None = None  # a created workspace: the existing one to take over instead


class Workspace(pulumi.ComponentResource):
    """`workspace_id` for the workloads; `keys[owner].key` is each workload's secret key."""

    workspace_id: pulumi.Output[str]
    keys: dict[str, ServiceKey]

    def __init__(
        self, name: str, args: WorkspaceArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("langsmith:index:Workspace", name, None, opts)
        self.workspace_id = pulumi.Output.from_input(self._record(name, args))
        self.keys = {}
        if args.keys:
            if args.access is None:
                raise pulumi.RunError(f"workspace {name}: service keys need platform access")
            self.keys = self._service_keys(args.access, args.keys)
        self.register_outputs(
            {
                "workspaceId": self.workspace_id,
                "keys": {
                    owner: {"keyId": key.key_id, "shortKey": key.short_key}
                    for owner, key in self.keys.items()
                },
            }
        )

    def _service_keys(
        self, access: PlatformAccess, requests: Sequence[KeyRequest]
    ) -> dict[str, ServiceKey]:
        """One key per workload, scoped to this workspace; never protected (rotation replaces
        keys)."""
        return {
            request.owner: ServiceKey(
                request.resource_name,
                ServiceKeyArgs(
                    access=access,
                    workspace_id=self.workspace_id,
                    description=request.description,
                    role=request.role,
                    generation=request.generation,
                ),
                opts=child_opts(self, protect=False),
            )
            for request in requests
        }

    def _record(self, name: str, args: WorkspaceArgs) -> pulumi.Input[str]:
        if args.source == "referenced":
            return args.id or ""
        if args.access is None:
            raise pulumi.RunError(f"workspace {name}: creating or finding it needs platform access")
        if args.source == "created":
            record = CreatedWorkspace(
                f"{name}-record",
                CreatedWorkspaceArgs(
                    args.access,
                    args.display_name,
                    args.ids,
                    args.handle,
                    args.allow_deletion,
                    args.adopt,
                ),
                # Deleting a workspace deletes its traces and datasets: unless the topology
                # allows it, a workspace removed from the topology is only forgotten (the
                # provider's delete keeps it and says so).
                opts=child_opts(self, protect=args.protect or None),
            )
            return record.workspace_id
        lookup = WorkspaceLookup(
            f"{name}-lookup",
            args.access,
            args.handle or "",
            args.owner_stack or "",
            opts=child_opts(self),
        )
        return lookup.workspace_id
