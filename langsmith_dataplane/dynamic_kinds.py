"""What the dynamic providers and the review both need to know about the LangSmith resources.

A leaf module: the components (which implement the resources) and `review/` (which explains
their changes) import it, never each other.
"""

from __future__ import annotations

# Marks the deployments' dynamic resources for plan and diff.
DEPLOYMENT_KIND = "langsmith-deployment"

# Inputs whose change replaces the resource (a new registration or deployment, then the old one
# deleted); every other change updates it in place.
REGISTRATION_REPLACES = ("base_url", "workspace_id", "compute_id")
DEPLOYMENT_REPLACES = ("base_url", "workspace_id", "name", "listener_id", "namespace")
