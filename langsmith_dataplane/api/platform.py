"""The LangSmith platform API: workspaces, organisation service keys and roles.

Same transport as the control plane (retries, `Retry-After`, errors without secrets); the
headers differ. Organisation calls send `X-Organization-Id`; calls about one workspace add
`X-Tenant-Id` (an organisation-scoped key without it gets 403 on workspace resources).

Natural keys, so every create is safe to repeat:
* a workspace: its handle (`tenant_handle`), else its display name. A create is preceded by a
  lookup and a found workspace is adopted.
* a service key: its description, which the stack makes unique (`naming.service_key_description`).
  There is no get-by-id and the secret value is returned only at creation, so a key found by
  description before a create is one whose value was lost: it is deleted, then the key is made
  again. No orphan is ever left holding access.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from typing import Any

from langsmith_dataplane.api.transport import ConflictError, NotFoundError, Transport

WORKSPACES = "/api/v1/workspaces"
SERVICE_KEYS = "/api/v1/orgs/current/service-keys"
ROLES = "/api/v1/orgs/current/roles"


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


def _quote(value: str) -> str:
    return urllib.parse.quote(value, safe="")


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

    def all(self) -> list[WorkspaceRecord]:
        body = self.transport.expect(
            self.transport.request("GET", WORKSPACES), 200, action="listing workspaces"
        )
        return [WorkspaceRecord.from_json(item) for item in body or [] if isinstance(item, dict)]

    def find(self, display_name: str, handle: str | None) -> WorkspaceRecord | None:
        """The live workspace with this handle (or, without one, this display name)."""
        for workspace in self.all():
            if workspace.is_deleted:
                continue
            if handle is not None and workspace.handle == handle:
                return workspace
            if handle is None and workspace.display_name == display_name:
                return workspace
        return None

    def create(self, display_name: str, handle: str | None) -> tuple[WorkspaceRecord, bool]:
        """The workspace, and whether it already existed (adopted, not created)."""
        found = self.find(display_name, handle)
        if found is not None:
            return found, True
        body: dict[str, Any] = {"display_name": display_name}
        if handle is not None:
            body["tenant_handle"] = handle
        action = f"creating workspace '{display_name}'"
        try:
            made, recovered = self.transport.create(
                WORKSPACES, body, action=action, recover=lambda: self.find(display_name, handle)
            )
        except ConflictError:  # the handle was taken meanwhile (a lost answer, another stack)
            found = self.find(display_name, handle)
            if found is None:
                raise
            return found, True
        if recovered:  # made by an attempt whose answer was lost: ours, not adopted
            return made, False
        return WorkspaceRecord.from_json(made), False

    def get(self, workspace_id: str) -> WorkspaceRecord | None:
        """The workspace, or None when it is gone (deleted in the UI, or never existed)."""
        response = self.transport.request("GET", f"{WORKSPACES}/{_quote(workspace_id)}")
        if response.status == 404:
            return None
        record = WorkspaceRecord.from_json(
            self.transport.expect(response, 200, action=f"reading workspace {workspace_id}")
        )
        return None if record.is_deleted else record

    def rename(self, workspace_id: str, display_name: str) -> WorkspaceRecord:
        response = self.transport.request(
            "PATCH",
            f"{WORKSPACES}/{_quote(workspace_id)}",
            {"display_name": display_name},
            headers=_tenant(workspace_id),
        )
        action = f"renaming workspace {workspace_id}"
        return WorkspaceRecord.from_json(self.transport.expect(response, 200, action=action))

    def delete(self, workspace_id: str) -> None:
        """Deletes the workspace AND its traces and datasets; gone already is done."""
        path = f"{WORKSPACES}/{_quote(workspace_id)}"
        self.transport.delete(
            path, action=f"deleting workspace {workspace_id}", headers=_tenant(workspace_id)
        )


@dataclass(frozen=True)
class ServiceKeyRecord:
    id: str
    short_key: str
    description: str
    role_id: str | None

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> ServiceKeyRecord:
        return cls(
            id=str(body["id"]),
            short_key=str(body.get("short_key", "")),
            description=str(body.get("description", "")),
            role_id=body.get("role_id"),
        )


@dataclass(frozen=True)
class CreatedKey:
    """A new key: its record, and its secret value (returned this once, never again)."""

    record: ServiceKeyRecord
    key: str

    def __repr__(self) -> str:  # a key never reaches a log through a repr
        return f"CreatedKey(record={self.record!r}, key=<secret>)"


@dataclass
class ServiceKeysClient:
    """Organisation service keys, each scoped to the workspaces it names."""

    transport: Transport

    def of_workspace(self, workspace_id: str) -> list[ServiceKeyRecord]:
        response = self.transport.request(
            "GET", SERVICE_KEYS, params={"workspace_ids": [workspace_id]}
        )
        body = self.transport.expect(response, 200, action="listing service keys")
        return [ServiceKeyRecord.from_json(item) for item in body or [] if isinstance(item, dict)]

    def find(self, workspace_id: str, description: str) -> list[ServiceKeyRecord]:
        return [key for key in self.of_workspace(workspace_id) if key.description == description]

    def create(self, workspace_id: str, description: str, role_id: str | None) -> CreatedKey:
        """A key for exactly `workspace_id`, with `role_id` there. Keys left by a create whose
        response was lost (same description, value never seen) are deleted first."""
        for stale in self.find(workspace_id, description):
            self.delete(stale.id)
        body: dict[str, Any] = {
            "description": description,
            "read_only": False,
            "workspaces": [workspace_id],
            "default_workspace_id": workspace_id,
        }
        if role_id is not None:
            body["role_id"] = role_id

        def revoke_lost() -> None:
            """A key an attempt made whose answer was lost: its value is gone, so revoke it."""
            for orphan in self.find(workspace_id, description):
                self.delete(orphan.id)

        created, _ = self.transport.create(
            SERVICE_KEYS,
            body,
            action=f"creating the service key '{description}'",
            recover=revoke_lost,
            ok=(200,),
        )
        return CreatedKey(ServiceKeyRecord.from_json(created), str(created["key"]))

    def exists(self, workspace_id: str, key_id: str) -> bool:
        """There is no get-by-id: a key is read by listing its workspace's keys."""
        return any(key.id == key_id for key in self.of_workspace(workspace_id))

    def delete(self, key_id: str) -> None:
        """Revokes the key; gone already is done."""
        path = f"{SERVICE_KEYS}/{_quote(key_id)}"
        self.transport.delete(path, action=f"revoking service key {key_id}")


@dataclass(frozen=True)
class RoleRecord:
    id: str
    name: str
    display_name: str


@dataclass
class RolesClient:
    transport: Transport

    def all(self) -> list[RoleRecord]:
        body = self.transport.expect(
            self.transport.request("GET", ROLES), 200, action="listing roles"
        )
        return [
            RoleRecord(str(r["id"]), str(r.get("name", "")), str(r.get("display_name", "")))
            for r in body or []
            if isinstance(r, dict)
        ]

    def find(self, name: str) -> RoleRecord:
        """A role by its name or display name (`WORKSPACE_ADMIN`, "Workspace Admin")."""
        roles = self.all()
        for role in roles:
            if name in (role.name, role.display_name):
                return role
        known = ", ".join(sorted(r.display_name or r.name for r in roles)) or "none"
        raise NotFoundError(f"finding role '{name}': the organisation has no such role ({known})")
