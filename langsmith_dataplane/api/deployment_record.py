"""A deployment as the control plane returns it, and whose it is.

Every deployment the stack makes carries its owner in one environment variable (`MANAGED_BY`,
sent in `secrets`, which GET returns): a later create tells the stack's own deployment (a create
whose answer was lost) from someone else's, which is taken over only when the topology names it
(`adopt`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MANAGED_BY = "DATAPLANE_MANAGED_BY"  # the owner of a deployment the stack made


def owner_variable(marker: str) -> list[dict[str, str]]:
    return [{"name": MANAGED_BY, "value": marker}] if marker else []


@dataclass(frozen=True)
class DeploymentRecord:
    id: str
    name: str
    latest_revision_id: str | None
    image: str | None
    listener_id: str | None
    namespace: str | None
    status: str | None = None
    source: str | None = None
    repo_url: str | None = None
    repo_ref: str | None = None
    custom_url: str | None = None
    managed_by: str | None = None  # the owner variable, when the stack made it
    resource_spec: Mapping[str, Any] | None = None
    integration_id: str | None = None
    config_path: str | None = None

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> DeploymentRecord:
        source = body.get("source_config") or {}
        revision = body.get("source_revision_config") or {}
        owner = next(
            (
                str(item.get("value"))
                for item in body.get("secrets") or []
                if isinstance(item, dict) and item.get("name") == MANAGED_BY
            ),
            None,
        )
        return cls(
            managed_by=owner,
            resource_spec=source.get("resource_spec"),
            integration_id=source.get("integration_id"),
            config_path=revision.get("langgraph_config_path"),
            id=str(body["id"]),
            name=str(body.get("name", "")),
            latest_revision_id=body.get("latest_revision_id"),
            image=revision.get("image_uri"),
            listener_id=source.get("listener_id"),
            namespace=(source.get("listener_config") or {}).get("k8s_namespace"),
            status=body.get("status"),
            source=body.get("source"),
            repo_url=source.get("repo_url"),
            repo_ref=revision.get("repo_ref"),
            custom_url=source.get("custom_url"),
        )


def ownership_problem(existing: DeploymentRecord, managed_by: str, adopt: str | None) -> str | None:
    """Why a deployment of this name is not the stack's to change: not made by it (no owner
    variable of its own) and not named by the topology's `adopt`."""
    if managed_by and existing.managed_by == managed_by:
        return None
    if adopt is not None and adopt.lower() == existing.id.lower():
        return None
    owner = f"made by {existing.managed_by}" if existing.managed_by else "not made by this stack"
    return (
        f"(id {existing.id}, {owner}); to manage it from the topology add `adopt: "
        f"{existing.id}` to the deployment"
    )
