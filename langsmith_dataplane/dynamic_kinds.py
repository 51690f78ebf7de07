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

# The platform API's resources: a created workspace, a lookup of one another stack created, and
# a service key. Deleting a workspace deletes its traces and datasets; revoking a key stops
# whatever holds it: both are stateful losses in `diff`.
WORKSPACE_KIND = "langsmith-workspace"
WORKSPACE_LOOKUP_KIND = "langsmith-workspace-lookup"
SERVICE_KEY_KIND = "langsmith-service-key"
WORKSPACE_REPLACES = ("base_url", "organization_id", "handle")
# A key is replaced only where its old one cannot be found by the new one's create (another
# organisation, workspace or description): a role changes in place (the service's PATCH) and a
# base URL is where the same service is reached, so neither cuts off what holds the key.
SERVICE_KEY_REPLACES = ("organization_id", "workspace_id", "description", "generation")
SERVICE_KEY_UPDATES = ("role", "base_url", "admin_key")

# Cloud SaaS deployments (LangChain runs them, built from GitHub).
CLOUD_DEPLOYMENT_KIND = "langsmith-cloud-deployment"
# The GitHub integration is create-only too, but by the id it resolves to, which only the
# provider can know at `up`: naming it another way (its id, its new name) changes nothing, so it
# is not listed here (the review shows such a change as an update).
CLOUD_DEPLOYMENT_REPLACES = (
    "base_url",
    "workspace_id",
    "name",
    "repo_url",
    "deployment_type",
)

# A guard before each Helm release (`components/release_recovery.py`): it changes only when the
# cluster holds a pending revision of the release, never because its inputs changed.
RELEASE_RECOVERY_KIND = "helm-release-recovery"
CHANGED_BY_THE_CLUSTER_ONLY = frozenset({RELEASE_RECOVERY_KIND})

# What replaces each kind of record; a listener registration has no `kind` input.
REPLACES_BY_KIND = {
    DEPLOYMENT_KIND: DEPLOYMENT_REPLACES,
    CLOUD_DEPLOYMENT_KIND: CLOUD_DEPLOYMENT_REPLACES,
    WORKSPACE_KIND: WORKSPACE_REPLACES,
    WORKSPACE_LOOKUP_KIND: WORKSPACE_REPLACES,
    SERVICE_KEY_KIND: SERVICE_KEY_REPLACES,
}
# Records whose deletion loses something: a deployment's database (or, for Cloud SaaS, its
# threads and store), a workspace's traces and datasets, a key whatever holds it still uses.
STATEFUL_KINDS = frozenset(
    {DEPLOYMENT_KIND, CLOUD_DEPLOYMENT_KIND, WORKSPACE_KIND, SERVICE_KEY_KIND}
)
# How plan and diff name each kind (instead of `dynamic/Resource`).
DISPLAY_TYPES = {
    DEPLOYMENT_KIND: "langsmith/Deployment",
    CLOUD_DEPLOYMENT_KIND: "langsmith/CloudDeploymentRecord",
    WORKSPACE_KIND: "langsmith/WorkspaceRecord",
    WORKSPACE_LOOKUP_KIND: "langsmith/WorkspaceLookup",
    SERVICE_KEY_KIND: "langsmith/ServiceKey",
    RELEASE_RECOVERY_KIND: "helm/ReleaseRecovery",
}
REGISTRATION_DISPLAY_TYPE = "langsmith/Registration"
