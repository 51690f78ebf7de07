"""The LangSmith Deployment control plane API's transport: headers and error wording.

Calls are scoped to one workspace: `X-Tenant-Id` is always sent with `X-Api-Key` (an
organisation-scoped key without it gets 403 "requires workspace specification").
"""

from __future__ import annotations

from typing import Any

from langsmith_dataplane.api.transport import Transport


def control_plane(base_url: str, api_key: str, workspace_id: str, **options: Any) -> Transport:
    return Transport(
        base_url=base_url,
        headers={"X-Api-Key": api_key, "X-Tenant-Id": workspace_id},
        service="the LangSmith control plane",
        forbidden=(
            "Either the organisation's plan does not include listeners and their deployments "
            "(LangSmith allows registering listeners only on self-hosted enterprise plans; "
            "standalone Agent Servers need no registration), or the API key has no access to "
            f"workspace {workspace_id}"
        ),
        **options,
    )
