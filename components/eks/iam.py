"""The IAM roles of an EKS cluster: the control plane's and the nodes' (with their policies)."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws

from components._common import child_opts

NODE_POLICIES = (
    "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
    "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy",
)


def _assume_role(service: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
            ],
        }
    )


def cluster_role(
    parent: pulumi.Resource, name: str, tags: dict[str, str], aws_opts: dict[str, Any]
) -> tuple[aws.iam.Role, aws.iam.RolePolicyAttachment]:
    """The role EKS itself assumes, with the cluster policy."""
    cluster_role = aws.iam.Role(
        f"{name}-cluster-role",
        assume_role_policy=_assume_role("eks.amazonaws.com"),
        tags=tags,
        opts=child_opts(parent, **aws_opts),
    )
    cluster_policy = aws.iam.RolePolicyAttachment(
        f"{name}-cluster-policy",
        role=cluster_role.name,
        policy_arn="arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",
        opts=child_opts(parent, **aws_opts),
    )
    return cluster_role, cluster_policy


def node_role(
    parent: pulumi.Resource, name: str, tags: dict[str, str], aws_opts: dict[str, Any]
) -> tuple[aws.iam.Role, list[aws.iam.RolePolicyAttachment]]:
    """The role the worker nodes assume, with the worker, CNI, registry and EBS policies."""
    node_role = aws.iam.Role(
        f"{name}-node-role",
        assume_role_policy=_assume_role("ec2.amazonaws.com"),
        tags=tags,
        opts=child_opts(parent, **aws_opts),
    )
    node_policies = [
        aws.iam.RolePolicyAttachment(
            f"{name}-node-{arn.rsplit('/', 1)[1].lower()}",
            role=node_role.name,
            policy_arn=arn,
            opts=child_opts(parent, **aws_opts),
        )
        for arn in NODE_POLICIES
    ]
    return node_role, node_policies
