"""Workspaces and the control plane they belong to."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

from langsmith_dataplane.diagnostics import Diagnostic
from langsmith_dataplane.naming import (
    K8S_LABEL_MAX,
)
from langsmith_dataplane.topology.rules.registry import (
    RuleContext,
    rule,
)
from langsmith_dataplane.topology.schema import (
    LABEL_VALUE,
)
from langsmith_dataplane.topology.urls import https_url_problem

_LABEL_VALUE = re.compile(LABEL_VALUE)


def _is_uuid(value: str) -> bool:
    try:
        return str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False


@rule("label-value")
def workspace_names_are_label_values(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Workspace names are valid label values.

    Workspace keys end up in Kubernetes label values.
    """
    for name in ctx.topology.workspaces:
        if len(name) > K8S_LABEL_MAX or not _LABEL_VALUE.fullmatch(name):
            yield ctx.error(
                ("workspaces", name),
                f"workspace name '{name}' must be at most {K8S_LABEL_MAX} letters, digits, '-', "
                "'_' or '.', starting and ending with a letter or digit (it becomes a label)",
                at="key",
            )


@rule("uuid")
def ids_are_uuids(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Workspace ids, `organizationId` and `listenerId` are UUIDs.

    Workspace, organisation and listener ids are UUIDs (8-4-4-4-12 hex digits).
    """
    organization = ctx.topology.control_plane.organization_id
    if organization is not None and not _is_uuid(organization):
        yield ctx.error(
            ("controlPlane", "organizationId"),
            f"organizationId '{organization}' is not a UUID (8-4-4-4-12 hex digits)",
        )
    for name, workspace in ctx.topology.workspaces.items():
        if workspace.id is not None and not _is_uuid(workspace.id):
            yield ctx.error(
                ("workspaces", name, "id"),
                f"workspace id '{workspace.id}' is not a UUID (8-4-4-4-12 hex digits)",
            )
    for name, listener in ctx.topology.listeners.items():
        if listener.listener_id is not None and not _is_uuid(listener.listener_id):
            yield ctx.error(
                ("listeners", name, "listenerId"),
                f"listenerId '{listener.listener_id}' is not a UUID (8-4-4-4-12 hex digits)",
            )


@rule("control-plane")
def self_hosted_control_plane_is_complete(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Self-hosted control plane: https URLs (host name or IPv6 literal, port 1-65535, no
    credentials, query or fragment) and `egressCidrs`.

    A self-hosted control plane has https URLs and explicit egress addresses.
    """

    cp = ctx.topology.control_plane
    for key, url in (
        ("hostBackendUrl", cp.host_backend_url),
        ("smithBackendUrl", cp.smith_backend_url),
    ):
        if url is not None and (problem := https_url_problem(url)):
            yield ctx.error(("controlPlane", key), f"{key} {problem}")
    if cp.region is None and not cp.egress_cidrs:
        yield ctx.error(
            ("controlPlane",),
            "a self-hosted control plane needs 'egressCidrs' (the addresses its URLs resolve "
            "to), or the egress policies would block it",
            at="key",
        )


@rule("unused-workspace")
def workspaces_are_used(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Warning for a referenced workspace without listeners, Agent Servers or Cloud deployments.

    A referenced workspace nothing deploys into is probably a typo or a leftover (a created one
    may be made ahead of its workloads).
    """
    used = {listener.workspace for listener in ctx.topology.listeners.values()}
    used |= {server.workspace for server in ctx.topology.agent_servers.values()}
    used |= {cloud.workspace for cloud in ctx.topology.cloud_deployments.values()}
    for name, workspace in ctx.topology.workspaces.items():
        if name not in used and workspace.id is not None:
            yield ctx.warning(
                ("workspaces", name),
                f"workspace '{name}' has no listeners, Agent Servers or Cloud deployments",
                at="key",
            )


@rule("workspace-id")
def workspace_ids_distinct(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Two workspace entries never share an `id`.

    Two workspace entries never name the same LangSmith workspace.
    """
    seen: dict[str, str] = {}
    for name, workspace in ctx.topology.workspaces.items():
        if workspace.id is None:
            continue
        first = seen.setdefault(workspace.id.lower(), name)
        if first != name:
            yield ctx.error(
                ("workspaces", name, "id"),
                f"workspace '{name}' has the same id as workspace '{first}'; one LangSmith "
                "workspace is declared once",
            )


RULES = (
    workspace_names_are_label_values,
    ids_are_uuids,
    self_hosted_control_plane_is_complete,
    workspaces_are_used,
    workspace_ids_distinct,
)
