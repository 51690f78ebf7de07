"""Workspaces the stacks create, and the service keys they make for listeners and servers."""

from __future__ import annotations

import re
from collections.abc import Iterator

from langsmith_dataplane.diagnostics import Diagnostic
from langsmith_dataplane.suggest import suggester
from langsmith_dataplane.topology.rules.registry import RFC1123_PATTERN, RuleContext, rule
from langsmith_dataplane.topology.workspace_use import (
    creates_keys,
    display_name,
    is_created,
    needs_organization,
    workspace_users,
)

# The platform API's own pattern for `display_name` (WorkspaceCreate in platform-openapi.json).
DISPLAY_NAME = re.compile(r"[a-zA-Z0-9\-_ '@()]+")
DISPLAY_NAME_MAX = 100
CREATED_ONLY = (("display_name", "displayName"), ("handle", "handle"), ("adopt", "adopt"))


@rule("workspace-source")
def workspace_is_referenced_or_created(ctx: RuleContext) -> Iterator[Diagnostic]:
    """A workspace has an `id` (made elsewhere) or an `owner` stack that creates it, not both.

    A workspace is either referenced by its id or created by exactly one stack.
    """
    for name, workspace in ctx.topology.workspaces.items():
        path = ("workspaces", name)
        if workspace.id is None and workspace.owner is None:
            yield ctx.error(
                path,
                f"workspace '{name}' needs an 'id' (a workspace made elsewhere) or an 'owner' "
                "(the stack that creates it)",
                at="key",
            )
        if workspace.id is not None:
            if workspace.owner is not None:
                yield ctx.error(
                    (*path, "owner"),
                    f"workspace '{name}' has an 'id', so no stack creates it: remove 'owner' "
                    "(or remove 'id' to have the owner stack create a new workspace)",
                    at="key",
                )
            for attr, key in CREATED_ONLY:
                if getattr(workspace, attr) is not None:
                    yield ctx.error(
                        (*path, key),
                        f"'{key}' is for created workspaces; workspace '{name}' has an 'id'",
                        at="key",
                    )
            if workspace.allow_deletion:
                yield ctx.error(
                    (*path, "allowDeletion"),
                    f"workspace '{name}' has an 'id': the stacks never create or delete it",
                    at="key",
                )


@rule("workspace-adopt")
def adoption_is_explicit_and_single(ctx: RuleContext) -> Iterator[Diagnostic]:
    """An adopted workspace (`adopt: <id>`) is taken over by one topology workspace only, and
    deleting it needs `allowDeletion` beside it, which is then pointed out.

    Nothing that exists is taken over unless the topology says so, once.
    """
    seen: dict[str, str] = {}
    for name, workspace in ctx.topology.workspaces.items():
        if workspace.adopt is None or workspace.id is not None:
            continue
        path = ("workspaces", name, "adopt")
        first = seen.setdefault(workspace.adopt.lower(), name)
        if first != name:
            yield ctx.error(path, f"workspace '{name}' adopts the same workspace as '{first}'")
        if workspace.allow_deletion:
            yield ctx.warning(
                ("workspaces", name, "allowDeletion"),
                f"workspace '{name}' adopts {workspace.adopt}, which this stack did not create: "
                "removing it from the topology deletes it, with every trace and dataset",
                at="key",
            )


@rule("workspace-owner")
def workspace_owner_is_a_stack(ctx: RuleContext) -> Iterator[Diagnostic]:
    """A created workspace's `owner` is a stack of the file.

    Exactly one stack creates each created workspace and keeps it.
    """
    stacks = suggester(tuple(ctx.topology.stacks))
    for name, workspace in ctx.topology.workspaces.items():
        if workspace.owner is not None and workspace.owner not in ctx.topology.stacks:
            yield ctx.error(
                ("workspaces", name, "owner"),
                f"unknown owner stack '{workspace.owner}'{stacks.hint(workspace.owner)}",
            )


@rule("workspace-handle")
def workspace_names_are_valid(ctx: RuleContext) -> Iterator[Diagnostic]:
    """A handle is a lowercase DNS label; a display name uses the API's characters; two created
    workspaces never share a handle (or, without handles, a display name).

    Other stacks find a workspace by its handle, and people by its name: both must be unique.
    """
    seen: dict[tuple[str, str], str] = {}
    for name, workspace in ctx.topology.workspaces.items():
        if not is_created(workspace):
            continue
        path = ("workspaces", name)
        handle = workspace.handle
        if handle is not None and (len(handle) > 63 or not RFC1123_PATTERN.fullmatch(handle)):
            yield ctx.error(
                (*path, "handle"),
                f"handle '{handle}' must be at most 63 lowercase letters, digits or '-', "
                "starting and ending with a letter or digit",
            )
        shown = display_name(name, workspace)
        if len(shown) > DISPLAY_NAME_MAX or not DISPLAY_NAME.fullmatch(shown):
            where = (*path, "displayName") if workspace.display_name else path
            yield ctx.error(
                where,
                f"display name '{shown}' must be 1-{DISPLAY_NAME_MAX} letters, digits, spaces "
                "or - _ ' @ ( )",
                at="value" if workspace.display_name else "key",
            )
        natural = ("handle", handle) if handle else ("display name", shown)
        first = seen.setdefault(natural, name)
        if first != name:
            yield ctx.error(
                (*path, "handle") if handle else path,
                f"workspace '{name}' has the same {natural[0]} as workspace '{first}': "
                "LangSmith would hold two workspaces nobody can tell apart (or refuse the "
                "second handle); give each its own",
                at="value" if handle else "key",
            )


@rule("workspace-lookup")
def shared_created_workspace_has_handle(ctx: RuleContext) -> Iterator[Diagnostic]:
    """A created workspace that other stacks deploy into has a `handle`.

    Other stacks find the owner's workspace by its handle at `pulumi up`; nobody copies an id.
    """
    users = workspace_users(ctx.topology)
    for name, workspace in ctx.topology.workspaces.items():
        if not is_created(workspace) or workspace.handle is not None or workspace.owner is None:
            continue
        others = sorted(users.get(name, frozenset()) - {workspace.owner})
        if others:
            yield ctx.error(
                ("workspaces", name),
                f"workspace '{name}' is created by stack '{workspace.owner}' and also used by "
                f"stack {', '.join(repr(s) for s in others)}: give it a 'handle', by which "
                "those stacks find it",
                at="key",
            )


@rule("organization")
def organization_settings_when_creating(ctx: RuleContext) -> Iterator[Diagnostic]:
    """`controlPlane.organizationId` and `adminKey` are set when a stack creates a workspace or
    service keys.

    Creating workspaces and service keys needs an organisation admin's key and the organisation.
    """
    needing = needs_organization(ctx.topology)
    if not needing:
        return
    cp = ctx.topology.control_plane
    missing = [
        key
        for key, value in (("organizationId", cp.organization_id), ("adminKey", cp.admin_key))
        if value is None
    ]
    if missing:
        reason = ", ".join(f"'{n}'" for n in needing)
        yield ctx.error(
            ("controlPlane",),
            f"controlPlane needs {' and '.join(repr(m) for m in missing)}: the stacks create "
            f"workspaces or service keys for {reason} (a workspace with 'apiKey' and 'id' needs "
            "neither)",
            at="key",
        )


@rule("service-keys")
def rotation_has_an_owner(ctx: RuleContext) -> Iterator[Diagnostic]:
    """`serviceKeys` (role, rotation) only for workspaces whose keys the stacks create.

    A workspace with `apiKey` uses a key made elsewhere: nothing here could rotate it.
    """
    for name, workspace in ctx.topology.workspaces.items():
        if workspace.service_keys is not None and not creates_keys(workspace):
            yield ctx.error(
                ("workspaces", name, "serviceKeys"),
                f"workspace '{name}' uses the key in 'apiKey', made elsewhere: no stack owns "
                "it to rotate or scope it; remove 'serviceKeys' or remove 'apiKey'",
                at="key",
            )


# LangSmith's system roles (platform API `GET /orgs/current/roles`, by name and display name).
# Organisation-wide ones never go to a workload's key; a workspace role is matched exactly.
ORGANIZATION_ROLES = frozenset(
    {"ORGANIZATION_ADMIN", "ORGANIZATION_USER", "ORGANIZATION_VIEWER"}
    | {"Organization Admin", "Organization User", "Organization Viewer"}
)
WORKSPACE_ROLES = frozenset(
    {"WORKSPACE_ADMIN", "WORKSPACE_USER", "WORKSPACE_VIEWER", "Admin", "Editor", "Viewer"}
)
# Every workload writes: a listener registers and deploys, a server traces, a Cloud deployment
# is created and revised. A read-only key fails all of them at `up`.
READ_ONLY_ROLES = frozenset({"WORKSPACE_VIEWER", "Viewer"})
ROLE_MAX = 100


@rule("service-key-role")
def service_key_roles_are_workspace_roles(ctx: RuleContext) -> Iterator[Diagnostic]:
    """`serviceKeys.role` is a workspace role that can write: never an organisation role or
    Viewer, and written as the role is (`Editor`, not `editor` or ` Editor`); at most 100
    characters.

    A role found wrong only at `up` is found after the workspace exists.
    """
    by_fold = {role.casefold(): role for role in WORKSPACE_ROLES | ORGANIZATION_ROLES}
    for name, workspace in ctx.topology.workspaces.items():
        if workspace.service_keys is None:
            continue
        role = workspace.service_keys.role
        path = ("workspaces", name, "serviceKeys", "role")
        if len(role) > ROLE_MAX:
            yield ctx.error(
                path, f"role is {len(role)} characters; a role name has at most {ROLE_MAX}"
            )
        elif role in READ_ONLY_ROLES:
            yield ctx.error(
                path,
                f"'{role}' is read-only: the keys go to listeners (which register and deploy), "
                "Agent Servers (which trace) and Cloud deployments (which are created and "
                "revised); use Editor, Admin or a custom workspace role that can write",
            )
        elif role in ORGANIZATION_ROLES:
            yield ctx.error(
                path,
                f"'{role}' is an organisation role: a workload's key gets a workspace role "
                "(Admin, Editor, Viewer, or a custom workspace role)",
            )
        elif role not in WORKSPACE_ROLES and (known := by_fold.get(role.strip().casefold())):
            yield ctx.error(path, f"role '{role}' is not a role's name; did you mean '{known}'?")
        elif role != role.strip() or any(not ch.isprintable() for ch in role):
            yield ctx.error(path, "role has surrounding spaces or unprintable characters")


RULES = (
    workspace_is_referenced_or_created,
    adoption_is_explicit_and_single,
    workspace_owner_is_a_stack,
    workspace_names_are_valid,
    shared_created_workspace_has_handle,
    organization_settings_when_creating,
    rotation_has_an_owner,
    service_key_roles_are_workspace_roles,
)
