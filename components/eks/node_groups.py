"""Managed node groups, each with a launch template (encrypted gp3 disk, IMDSv2 only)."""

from __future__ import annotations

import re
from typing import Any

import pulumi
import pulumi_aws as aws

from components._common import child_opts
from components.eks.args import EksArgs

_ARM_FAMILY = re.compile(r"^[a-z]+\d+[a-z]*g[a-z]*\.")


def ami_type(instance_type: str) -> str:
    """Graviton families (m7g, c6gn, t4g, ...) need the ARM AMI."""
    return (
        "AL2023_ARM_64_STANDARD" if _ARM_FAMILY.match(instance_type) else "AL2023_x86_64_STANDARD"
    )


def node_groups(
    parent: pulumi.ComponentResource,
    name: str,
    eks: EksArgs,
    cluster: aws.eks.Cluster,
    node_role: aws.iam.Role,
    node_policies: list[aws.iam.RolePolicyAttachment],
    node_sg: aws.ec2.SecurityGroup,
    private: pulumi.Input[list[str]],
    tags: dict[str, str],
    aws_opts: dict[str, Any],
) -> list[aws.eks.NodeGroup]:
    groups = []
    for group_name, group in sorted(eks.node_groups.items()):
        template = aws.ec2.LaunchTemplate(
            f"{name}-{group_name}-template",
            vpc_security_group_ids=[node_sg.id],
            block_device_mappings=[
                {
                    "device_name": "/dev/xvda",
                    "ebs": {
                        "volume_size": group.disk_size_gb,
                        "volume_type": "gp3",
                        "encrypted": "true",
                        "delete_on_termination": "true",
                    },
                }
            ],
            metadata_options={"http_tokens": "required", "http_put_response_hop_limit": 2},
            tags=tags,
            opts=child_opts(parent, **aws_opts),
        )
        groups.append(
            aws.eks.NodeGroup(
                f"{name}-{group_name}",
                cluster_name=cluster.name,
                node_group_name=group_name,
                node_role_arn=node_role.arn,
                subnet_ids=private,
                instance_types=[group.instance_type],
                ami_type=ami_type(group.instance_type),
                scaling_config={
                    "min_size": group.min_size,
                    "max_size": group.max_size,
                    "desired_size": group.desired_size
                    if group.desired_size is not None
                    else group.min_size,
                },
                launch_template={
                    "id": template.id,
                    "version": template.latest_version.apply(str),
                },
                update_config={"max_unavailable": 1},
                tags=tags,
                opts=child_opts(
                    parent,
                    depends_on=node_policies,
                    ignore_changes=["scalingConfig.desiredSize"],  # the autoscaler owns it
                    **aws_opts,
                ),
            )
        )
    return groups
