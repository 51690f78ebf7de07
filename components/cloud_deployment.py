"""`CloudDeployment`: an Agent Server LangChain runs (Cloud SaaS), as one component.

LangChain builds it from GitHub and runs it, so nothing of it lives in a cluster: the component
holds the control plane's record (`CloudDeploymentRecord`), which does the work, and exposes
its id, revision and URL.
"""

from __future__ import annotations

import pulumi

from components._common import child_opts
from components.cloud_deployment_record import CloudDeploymentRecord, CloudDeploymentRecordArgs

CloudDeploymentArgs = CloudDeploymentRecordArgs


class CloudDeployment(pulumi.ComponentResource):
    """`deployment_id`, `revision_id` and `url` (the URL LangSmith gives it)."""

    deployment_id: pulumi.Output[str]
    revision_id: pulumi.Output[str]
    url: pulumi.Output[str]

    def __init__(
        self, name: str, args: CloudDeploymentArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("langsmith:index:CloudDeployment", name, None, opts)
        record = CloudDeploymentRecord(f"{name}-deployment", args, opts=child_opts(self))
        self.deployment_id = record.deployment_id
        self.revision_id = record.revision_id
        self.url = record.custom_url
        self.register_outputs(
            {"deploymentId": self.deployment_id, "revisionId": self.revision_id, "url": self.url}
        )
