"""Cloud deployment targets -> one `CloudDeployment` each (LangChain runs them: no cluster)."""

from __future__ import annotations

from typing import Any

import pulumi

from components.cloud_deployment import CloudDeployment, CloudDeploymentArgs
from langsmith_dataplane.naming import cloud_deployment_resource, deployment_owner
from langsmith_dataplane.stack_slice import CloudDeploymentTarget, StackSlice
from langsmith_dataplane.wiring.options import ApiKeyLookup, ProgramOptions
from langsmith_dataplane.wiring.workspaces import WorkspaceWiring


def build_cloud_deployment(
    target: CloudDeploymentTarget,
    slice_: StackSlice,
    workspaces: WorkspaceWiring,
    secret: ApiKeyLookup,
    options: ProgramOptions,
) -> CloudDeployment:
    spec = target.spec
    credentials = workspaces.credentials(target.workspace_key, "cloud-deployment", target.key)
    return CloudDeployment(
        cloud_deployment_resource(target.key),
        CloudDeploymentArgs(
            base_url=slice_.control_plane.host_backend_url,
            workspace_id=credentials.workspace_id,
            api_key=credentials.api_key,
            name=target.key,
            integration=spec.github.integration,
            repo_url=spec.github.repository,
            repo_ref=spec.github.ref,
            config_path=spec.github.config_path,
            deployment_type=spec.type,
            build_on_push=spec.github.build_on_push,
            env=dict(spec.env),
            secret_env={env: secret(key) for env, key in spec.secret_env.items()},
            wait=options.wait_for_revisions,
            wait_timeout=options.revision_timeout,
            managed_by=deployment_owner(slice_.stack, target.key),
            adopt=spec.adopt,
            delete_tracing_project=spec.delete_tracing_project,
        ),
        # Its threads and store go with it: protected in a `protect` stack.
        opts=pulumi.ResourceOptions(protect=slice_.protect or None),
    )


def cloud_output(target: CloudDeploymentTarget, deployment: CloudDeployment) -> dict[str, Any]:
    """The deployment's entry in the stack output `cloudDeployments`."""
    return {
        "workspace": target.workspace_key,
        "deploymentId": deployment.deployment_id,
        "revisionId": deployment.revision_id,
        "url": deployment.url,
        "repository": f"{target.spec.github.repository}@{target.spec.github.ref}",
    }
