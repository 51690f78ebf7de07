"""Workspace targets -> one `Workspace` component each -> the workspace id and API key of every
listener and Agent Server.

A workspace is referenced (its id from the topology), created by this stack, or found by handle
because another stack creates it. Each listener and server of a workspace without `apiKey` gets
a service key of its own, scoped to that workspace only; with `apiKey` the key is the named
secret config value and no component is declared (nothing to create or find).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi

from components.workspace import KeyRequest, Workspace, WorkspaceArgs
from components.workspace_records import PlatformAccess
from langsmith_dataplane.naming import (
    created_workspace_ids,
    service_key_description,
    service_key_resource,
    workspace_component,
)
from langsmith_dataplane.stack_slice import StackSlice, WorkspaceTarget
from langsmith_dataplane.wiring.options import ApiKeyLookup


@dataclass(frozen=True)
class WorkloadCredentials:
    """What one listener or Agent Server authenticates with, in which workspace."""

    workspace_id: pulumi.Input[str]
    api_key: pulumi.Input[str]


LANGCHAIN_CLOUD = "langchain-cloud"  # where a Cloud deployment runs, in its key's description


def key_owner(kind: str, name: str) -> str:
    """How outputs and the component name a workload's key: `listener/c-dev`."""
    return f"{kind}/{name}"


def _workloads(slice_: StackSlice) -> dict[str, list[tuple[str, str, str]]]:
    """Workspace -> (kind, name, cluster) of each workload of the stack deploying into it."""
    out: dict[str, list[tuple[str, str, str]]] = {}
    for cluster in slice_.clusters:
        for listener in cluster.listeners:
            out.setdefault(listener.workspace_key, []).append(
                ("listener", listener.key, cluster.name)
            )
        for server in cluster.agent_servers:
            out.setdefault(server.workspace_key, []).append(
                ("agent-server", server.key, cluster.name)
            )
    for cloud in slice_.cloud_deployments:
        out.setdefault(cloud.workspace_key, []).append(
            ("cloud-deployment", cloud.key, LANGCHAIN_CLOUD)
        )
    return out


class WorkspaceWiring:
    """Declares the stack's workspaces once; hands out each workload's credentials."""

    def __init__(self, slice_: StackSlice, secret: ApiKeyLookup) -> None:
        self._slice = slice_
        self._secret = secret
        access = self._platform_access()
        workloads = _workloads(slice_)
        self.components: dict[str, Workspace] = {}
        for target in slice_.workspaces:
            if target.source == "referenced" and target.keys is None:
                continue
            self.components[target.key] = Workspace(
                workspace_component(target.key),
                self._args(target, access, workloads.get(target.key, [])),
                opts=pulumi.ResourceOptions(protect=slice_.protect or None),
            )

    def _platform_access(self) -> PlatformAccess | None:
        organization = self._slice.organization
        if organization is None:
            return None  # the `organization` rule reports what needed it
        return PlatformAccess(
            base_url=self._slice.control_plane.smith_backend_url,
            organization_id=organization.id,
            admin_key=self._secret(organization.admin_key),
        )

    def _args(
        self,
        target: WorkspaceTarget,
        access: PlatformAccess | None,
        workloads: list[tuple[str, str, str]],
    ) -> WorkspaceArgs:
        keys: list[KeyRequest] = []
        if target.keys is not None:
            for kind, name, cluster in workloads:
                keys.append(
                    KeyRequest(
                        owner=key_owner(kind, name),
                        resource_name=service_key_resource(target.key, kind, name),
                        description=service_key_description(
                            self._slice.stack, cluster, kind, name, target.keys.generation
                        ),
                        role=target.keys.role,
                        generation=target.keys.generation,
                    )
                )
        ids: tuple[str, ...] = ()
        if target.source == "created" and access is not None:
            ids = created_workspace_ids(
                access.organization_id, self._slice.stack, target.key, target.handle
            )
        return WorkspaceArgs(
            ids=ids,
            adopt=target.adopt,
            source=target.source,
            display_name=target.display_name,
            access=access,
            id=target.id,
            handle=target.handle,
            owner_stack=target.owner,
            allow_deletion=target.allow_deletion,
            protect=self._slice.protect,
            keys=tuple(keys),
        )

    def credentials(self, workspace: str, kind: str, name: str) -> WorkloadCredentials:
        """`kind` is `listener`, `agent-server` or `cloud-deployment`; `name` its key."""
        target = self._slice.workspace(workspace)
        component = self.components.get(workspace)
        if target.keys is None or component is None:  # a key made elsewhere
            workspace_id = component.workspace_id if component else (target.id or "")
            return WorkloadCredentials(workspace_id, self._secret(target.api_key or ""))
        return WorkloadCredentials(
            component.workspace_id, component.keys[key_owner(kind, name)].key
        )

    def outputs(self) -> dict[str, Any]:
        """Workspaces the stack creates, finds or makes keys in: id, how, and each key's id and
        the short prefix LangSmith shows (never the value)."""
        return {
            key: {
                "id": component.workspace_id,
                "source": self._slice.workspace(key).source,
                "keys": {
                    owner: {"keyId": k.key_id, "shortKey": k.short_key}
                    for owner, k in sorted(component.keys.items())
                },
            }
            for key, component in sorted(self.components.items())
        }
