"""Workspace targets -> the workspace id and API key each listener and Agent Server uses.

A workspace is referenced (its id from the topology), created by this stack (`Workspace`), or
found by handle because another stack creates it (`WorkspaceLookup`). Each listener and server
of a workspace without `apiKey` gets a `ServiceKey` of its own, scoped to that workspace only;
with `apiKey` the key is the named secret config value, as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi

from components.service_key import ServiceKey, ServiceKeyArgs
from components.workspace import PlatformAccess, Workspace, WorkspaceArgs, WorkspaceLookup
from langsmith_dataplane.naming import (
    service_key_description,
    service_key_resource,
    workspace_lookup_resource,
    workspace_resource,
)
from langsmith_dataplane.stack_slice import StackSlice, WorkspaceTarget
from langsmith_dataplane.wiring.options import ApiKeyLookup


@dataclass(frozen=True)
class WorkloadCredentials:
    """What one listener or Agent Server authenticates with, in which workspace."""

    workspace_id: pulumi.Input[str]
    api_key: pulumi.Input[str]


class WorkspaceWiring:
    """Declares the stack's workspaces once; hands out each workload's credentials."""

    def __init__(self, slice_: StackSlice, secret: ApiKeyLookup) -> None:
        self._slice = slice_
        self._secret = secret
        self._targets = {target.key: target for target in slice_.workspaces}
        self._access = self._platform_access()
        self.ids: dict[str, pulumi.Input[str]] = {
            target.key: self._declare(target) for target in slice_.workspaces
        }
        self.keys: dict[str, ServiceKey] = {}
        self._key_workspace: dict[str, str] = {}

    def _platform_access(self) -> PlatformAccess | None:
        organization = self._slice.organization
        if organization is None:
            return None
        return PlatformAccess(
            base_url=self._slice.control_plane.smith_backend_url,
            organization_id=organization.id,
            admin_key=self._secret(organization.admin_key),
        )

    def _require_access(self, what: str) -> PlatformAccess:
        if self._access is None:  # the `organization` rule reports it first
            raise pulumi.RunError(
                f"{what} needs controlPlane.organizationId and controlPlane.adminKey"
            )
        return self._access

    def _declare(self, target: WorkspaceTarget) -> pulumi.Input[str]:
        if target.source == "referenced":
            return target.id or ""
        access = self._require_access(f"workspace '{target.key}'")
        if target.source == "created":
            workspace = Workspace(
                workspace_resource(target.key),
                WorkspaceArgs(access, target.display_name, target.handle, target.allow_deletion),
                opts=pulumi.ResourceOptions(
                    protect=self._slice.protect or None,
                    # Deleting a workspace deletes its traces and datasets: unless the topology
                    # allows it, a workspace removed from the topology is only forgotten.
                    retain_on_delete=not target.allow_deletion,
                ),
            )
            return workspace.workspace_id
        lookup = WorkspaceLookup(
            workspace_lookup_resource(target.key), access, target.handle or "", target.owner or ""
        )
        return lookup.workspace_id

    def credentials(
        self, workspace: str, kind: str, owner: str, cluster: str
    ) -> WorkloadCredentials:
        """`kind` is `listener` or `agent-server`; `owner` its topology key."""
        target = self._targets[workspace]
        workspace_id = self.ids[workspace]
        if target.keys is None:
            return WorkloadCredentials(workspace_id, self._secret(target.api_key or ""))
        name = service_key_resource(kind, owner)
        key = ServiceKey(
            name,
            ServiceKeyArgs(
                access=self._require_access(f"the service key of {kind} '{owner}'"),
                workspace_id=workspace_id,
                description=service_key_description(
                    self._slice.stack, cluster, kind, owner, target.keys.generation
                ),
                role=target.keys.role,
                generation=target.keys.generation,
            ),
        )
        self.keys[name] = key
        self._key_workspace[name] = workspace
        return WorkloadCredentials(workspace_id, key.key)

    def outputs(self) -> dict[str, Any]:
        """Workspaces the stack creates or looks up (id and how), and the keys it made (id and
        the short prefix LangSmith shows, never the value)."""
        out: dict[str, Any] = {}
        for target in self._slice.workspaces:
            if target.source == "referenced" and target.keys is None:
                continue
            keys = {
                name: {"keyId": key.key_id, "shortKey": key.short_key}
                for name, key in sorted(self.keys.items())
                if name in self._key_workspace and self._key_workspace[name] == target.key
            }
            out[target.key] = {"id": self.ids[target.key], "source": target.source, "keys": keys}
        return out
