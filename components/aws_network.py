"""What AWS-backed stores need to know about the cluster's network."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True)
class AwsNetwork:
    """The cluster's VPC, private subnets and node security group, and the region's provider."""

    provider: aws.Provider
    vpc_id: pulumi.Input[str]
    vpc_cidr: pulumi.Input[str]
    private_subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    node_security_group_id: pulumi.Input[str]


def nodes_only_security_group(
    parent: pulumi.Resource,
    name: str,
    *,
    network: AwsNetwork,
    port: int,
    what: str,
    identity: str,
    tags: dict[str, str],
) -> aws.ec2.SecurityGroup:
    """`<name>-sg`, admitting `port` from the cluster's node security group and nothing else.

    The rule is a standalone resource, never an inline block.
    """
    opts = pulumi.ResourceOptions(parent=parent, provider=network.provider)
    group = aws.ec2.SecurityGroup(
        f"{name}-sg",
        vpc_id=network.vpc_id,
        description=f"LangSmith data plane {identity}: {what} from cluster nodes only",
        tags=tags,
        opts=opts,
    )
    aws.vpc.SecurityGroupIngressRule(
        f"{name}-from-nodes",
        security_group_id=group.id,
        referenced_security_group_id=network.node_security_group_id,
        ip_protocol="tcp",
        from_port=port,
        to_port=port,
        description=f"{what} from the cluster's nodes",
        opts=opts,
    )
    return group
