"""The LangSmith platform API: workspaces, organisation service keys and roles.

Same transport as the control plane (retries, `Retry-After`, errors without secrets); the
headers differ. Organisation calls send `X-Organization-Id`; calls about one workspace add
`X-Tenant-Id` (an organisation-scoped key without it gets 403 on workspace resources).

How each create is made safe to repeat without taking over what someone else made:
* a workspace: the stack chooses its id (`WorkspaceCreate.id`, as LangChain's Terraform provider
  allows; `naming.created_workspace_ids`). A create whose answer was lost, and a workspace the
  stack kept on an earlier removal, are recognised by that id, never by a matching name (display
  names are not unique; a handle may be someone else's). Taking over any other workspace is an
  explicit `adopt` in the topology (`WorkspacesClient.adopt`).
* a service key: its description, which the stack makes unique (`naming.service_key_description`)
  and which changes whenever a new key replaces an old one (generation, workspace, organisation),
  so a replacement never finds its predecessor. There is no get-by-id and the secret value is
  returned only at creation, so a key found by description before a create is one whose value
  was lost: it is revoked, then the key is made again. No orphan is ever left holding access.
* roles are read by `access_scope`: the list holds organisation AND workspace roles, and a
  workload key gets a workspace role only. A role changes in place (PATCH), never by a new key.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from langsmith_dataplane.api.transport import ApiError, ConflictError, NotFoundError, Transport

WORKSPACES = "/api/v1/workspaces"


def platform(
    base_url: str,
    api_key: str,
    organization_id: str,
    *,
    workspace_id: str | None = None,
    **options: Any,
) -> Transport:
    """A transport for the organisation, or for one of its workspaces (`workspace_id`)."""
    headers = {"X-Api-Key": api_key, "X-Organization-Id": organization_id}
    if workspace_id is not None:
        headers["X-Tenant-Id"] = workspace_id
    return Transport(
        base_url=base_url,
        headers=headers,
        service="the LangSmith platform API",
        forbidden=(
            f"The key must be an organisation admin's key of organisation {organization_id} "
            "(the `controlPlane.adminKey` config value)"
        ),
        **options,
    )


def _tenant(workspace_id: str) -> dict[str, str]:
    """Renaming and deleting a workspace are workspace-scoped calls (`X-Tenant-Id`)."""
    return {"X-Tenant-Id": workspace_id}


def quote(value: str) -> str:
    return urllib.parse.quote(value, safe="")


def _taken(handle: str, holder: WorkspaceRecord) -> str:
    return (
        f"workspace handle '{handle}' is held by workspace {holder.id} "
        f"('{holder.display_name}'), which this stack did not create; to manage it from the "
        f"topology, add `adopt: {holder.id}` to the workspace, or choose another handle"
    )


@dataclass(frozen=True)
class WorkspaceRecord:
    id: str
    display_name: str
    handle: str | None
    is_deleted: bool

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> WorkspaceRecord:
        return cls(
            id=str(body["id"]),
            display_name=str(body.get("display_name", "")),
            handle=body.get("tenant_handle"),
            is_deleted=bool(body.get("is_deleted", False)),
        )


@dataclass
class WorkspacesClient:
    """Workspaces of the organisation the transport names."""

    transport: Transport

    def all(self, *, include_deleted: bool = False) -> list[WorkspaceRecord]:
        """Every workspace of the organisation; with `include_deleted`, the deleted ones too
        (`is_deleted`), whose ids cannot be given to a new workspace."""
        params = {"include_deleted": "true"} if include_deleted else None
        body = self.transport.expect(
            self.transport.request("GET", WORKSPACES, params=params),
            200,
            action="listing workspaces",
        )
        return [WorkspaceRecord.from_json(item) for item in body or [] if isinstance(item, dict)]

    def find(self, handle: str) -> WorkspaceRecord | None:
        """The live workspace with this handle (handles are unique; display names are not)."""
        return next((w for w in self.all() if not w.is_deleted and w.handle == handle), None)

    def create(
        self, display_name: str, handle: str | None, ids: Sequence[str]
    ) -> tuple[WorkspaceRecord, bool]:
        """The stack's workspace and whether it already existed: the first of `ids` (the ids
        this stack gives its workspace, in order) that is live is the stack's own (a create
        whose answer was lost, or a workspace kept on an earlier removal: recognised, not
        adopted); else the first never used is created. Someone else's workspace is never
        taken: a handle it holds is an error naming `adopt`."""
        known = {w.id: w for w in self.all(include_deleted=True)}
        for workspace_id in ids:
            found = known.get(workspace_id)
            if found is not None and not found.is_deleted:
                return found, True
            if found is None:
                return self._create(display_name, handle, workspace_id), False
        raise ApiError(
            f"creating workspace '{display_name}': the {len(ids)} ids this stack gives it are "
            "all taken by deleted workspaces; give it another `handle` or key"
        )

    def _create(self, display_name: str, handle: str | None, workspace_id: str) -> WorkspaceRecord:
        holder = self.find(handle) if handle is not None else None
        if holder is not None:
            raise ConflictError(_taken(handle or "", holder), 409)
        body: dict[str, Any] = {"id": workspace_id, "display_name": display_name}
        if handle is not None:
            body["tenant_handle"] = handle
        action = f"creating workspace '{display_name}'"
        try:
            made, recovered = self.transport.write_once(
                "POST", WORKSPACES, body, action=action, recover=lambda: self.get(workspace_id)
            )
        except ConflictError:  # an attempt whose answer was lost made it, or the handle went
            found = self.get(workspace_id)
            if found is not None:
                return found
            holder = self.find(handle) if handle is not None else None
            if holder is None:
                raise
            raise ConflictError(_taken(handle or "", holder), 409) from None
        return made if recovered else WorkspaceRecord.from_json(made)

    def adopt(self, workspace_id: str, handle: str | None) -> WorkspaceRecord:
        """A workspace the topology takes over explicitly (`adopt: <id>`): it must exist, and
        carry the handle the topology gives it, if any."""
        found = self.get(workspace_id)
        if found is None:
            raise NotFoundError(
                f"adopting workspace {workspace_id}: the organisation has no live workspace "
                "with that id (check `adopt`)",
                404,
            )
        if handle is not None and found.handle != handle:
            raise ApiError(
                f"adopting workspace {workspace_id}: its handle is '{found.handle}', not "
                f"'{handle}' (handles cannot change: fix `handle` in the topology)"
            )
        return found

    def get(self, workspace_id: str) -> WorkspaceRecord | None:
        """The workspace, or None when it is gone (deleted in the UI, or never existed)."""
        response = self.transport.request("GET", f"{WORKSPACES}/{quote(workspace_id)}")
        if response.status == 404:
            return None
        record = WorkspaceRecord.from_json(
            self.transport.expect(response, 200, action=f"reading workspace {workspace_id}")
        )
        return None if record.is_deleted else record

    def rename(self, workspace_id: str, display_name: str) -> WorkspaceRecord:
        response = self.transport.request(
            "PATCH",
            f"{WORKSPACES}/{quote(workspace_id)}",
            {"display_name": display_name},
            headers=_tenant(workspace_id),
        )
        action = f"renaming workspace {workspace_id}"
        return WorkspaceRecord.from_json(self.transport.expect(response, 200, action=action))

    def delete(self, workspace_id: str) -> None:
        """Deletes the workspace AND its traces and datasets; gone already is done."""
        path = f"{WORKSPACES}/{quote(workspace_id)}"
        self.transport.delete(
            path, action=f"deleting workspace {workspace_id}", headers=_tenant(workspace_id)
        )
