"""The platform API's organisation service keys and the roles they are given.

A key is made for exactly one workspace with a workspace role (`workspaces` and `role_id` on
create), read by listing (there is no get-by-id), changed in place only in its role (PATCH), and
revoked by DELETE. Its value is returned once. See `platform.py` for the transport and the
natural keys that make each create safe to repeat.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from langsmith_dataplane.api.platform import quote
from langsmith_dataplane.api.transport import ApiError, NotFoundError, Transport

SERVICE_KEYS = "/api/v1/orgs/current/service-keys"
ROLES = "/api/v1/orgs/current/roles"
WORKSPACE_SCOPE = "workspace"  # `AccessScope`: roles and keys are organisation- or workspace-wide


@dataclass(frozen=True)
class ServiceKeyRecord:
    id: str
    short_key: str
    description: str
    role_id: str | None
    access_scope: str | None = None
    workspace_names: tuple[str, ...] | None = None

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> ServiceKeyRecord:
        names = body.get("workspace_names")
        return cls(
            id=str(body["id"]),
            short_key=str(body.get("short_key", "")),
            description=str(body.get("description", "")),
            role_id=body.get("role_id"),
            access_scope=body.get("access_scope"),
            workspace_names=tuple(str(n) for n in names) if isinstance(names, list) else None,
        )

    def scope_problem(self) -> str | None:
        """Why this key opens more than one workspace (None: exactly one). `workspaces` on
        create is feature-flagged: an organisation without the flag makes an org-wide key."""
        if self.access_scope != WORKSPACE_SCOPE:
            return f"its access scope is {self.access_scope or 'not given'}, not workspace"
        if self.workspace_names is not None and len(self.workspace_names) != 1:
            return f"it opens {len(self.workspace_names)} workspaces, not one"
        return None


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

    def create(self, workspace_id: str, description: str, role_id: str) -> CreatedKey:
        """A key for exactly `workspace_id`, with the workspace role `role_id` there. Keys left
        by a create whose response was lost (same description, value never seen) are revoked
        first. A key the service made wider than that one workspace is revoked at once and the
        create fails: it never reaches a workload. (`read_only` is deprecated and
        `default_workspace_id` is for personal tokens: neither is sent.)"""
        for stale in self.find(workspace_id, description):
            self.delete(stale.id)
        body: dict[str, Any] = {
            "description": description,
            "workspaces": [workspace_id],
            "role_id": role_id,
        }

        def revoke_lost() -> None:
            """A key an attempt made whose answer was lost: its value is gone, so revoke it."""
            for orphan in self.find(workspace_id, description):
                self.delete(orphan.id)

        created, _ = self.transport.write_once(
            "POST",
            SERVICE_KEYS,
            body,
            action=f"creating the service key '{description}'",
            recover=revoke_lost,
            ok=(200,),
        )
        record = ServiceKeyRecord.from_json(created)
        problem = record.scope_problem()
        if problem:
            self.delete(record.id)
            raise ApiError(
                f"creating the service key '{description}': LangSmith made a key wider than "
                f"workspace {workspace_id} ({problem}), so it was revoked at once. The "
                "organisation does not scope service keys to workspaces (a feature LangSmith "
                "enables per organisation): ask LangChain support to enable it, or make a "
                "workspace key in the UI and name it in the workspace's `apiKey`"
            )
        return CreatedKey(record, str(created["key"]))

    def set_role(self, key_id: str, role_id: str) -> ServiceKeyRecord:
        """Changes the key's workspace role in place: the same value keeps working, so nothing
        that holds it is cut off (the service's `PATCH`, no new key)."""
        response = self.transport.request(
            "PATCH", f"{SERVICE_KEYS}/{quote(key_id)}", {"role_id": role_id}
        )
        action = f"changing the role of service key {key_id}"
        return ServiceKeyRecord.from_json(self.transport.expect(response, 200, action=action))

    def exists(self, workspace_id: str, key_id: str) -> bool:
        """There is no get-by-id: a key is read by listing its workspace's keys."""
        return any(key.id == key_id for key in self.of_workspace(workspace_id))

    def delete(self, key_id: str) -> None:
        """Revokes the key; gone already is done."""
        path = f"{SERVICE_KEYS}/{quote(key_id)}"
        self.transport.delete(path, action=f"revoking service key {key_id}")


@dataclass(frozen=True)
class RoleRecord:
    id: str
    name: str
    display_name: str
    access_scope: str | None = None


@dataclass
class RolesClient:
    transport: Transport

    def all(self) -> list[RoleRecord]:
        body = self.transport.expect(
            self.transport.request("GET", ROLES), 200, action="listing roles"
        )
        return [
            RoleRecord(
                str(r["id"]),
                str(r.get("name", "")),
                str(r.get("display_name", "")),
                r.get("access_scope"),
            )
            for r in body or []
            if isinstance(r, dict)
        ]

    def find(self, name: str) -> RoleRecord:
        """A workspace role by its name or display name (`WORKSPACE_ADMIN`, "Admin"). The list
        also holds organisation roles, which a workload key must never get."""
        roles = self.all()
        named = [role for role in roles if name in (role.name, role.display_name)]
        for role in named:
            if role.access_scope == WORKSPACE_SCOPE:
                return role
        workspace_roles = [r for r in roles if r.access_scope == WORKSPACE_SCOPE]
        known = ", ".join(sorted(r.display_name or r.name for r in workspace_roles)) or "none"
        if named:
            raise NotFoundError(
                f"finding role '{name}': it is an organisation role; a workload's key gets a "
                f"workspace role ({known})"
            )
        raise NotFoundError(
            f"finding role '{name}': the organisation has no such workspace role ({known})"
        )
