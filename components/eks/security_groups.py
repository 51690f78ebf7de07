"""The nodes' security group: no egress but what its standalone rules allow."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from components._common import child_opts, slug
from components.eks.args import EksArgs


def node_security_group(
    parent: pulumi.ComponentResource,
    name: str,
    eks: EksArgs,
    vpc_id: pulumi.Input[str],
    vpc_cidr: pulumi.Input[str],
    cluster_sg: pulumi.Input[str],
    tags: dict[str, str],
    aws_opts: dict[str, Any],
) -> aws.ec2.SecurityGroup:
    """Nodes get their own security group, with no egress but what the rules below allow.

    Rules are standalone resources, never inline blocks, so the Egress component can add the
    topology's destinations without the two fighting over the group.
    """
    node_sg = aws.ec2.SecurityGroup(
        f"{name}-nodes",
        vpc_id=vpc_id,
        description=f"LangSmith data plane {name}: worker nodes",
        tags={**tags, f"kubernetes.io/cluster/{name}": "owned"},
        opts=child_opts(parent, **aws_opts),
    )
    rules: list[tuple[str, type, dict[str, Any]]] = [
        (
            "from-nodes",
            aws.vpc.SecurityGroupIngressRule,
            {"referenced_security_group_id": node_sg.id, "ip_protocol": "-1"},
        ),
        (
            "from-control-plane-443",
            aws.vpc.SecurityGroupIngressRule,
            {
                "referenced_security_group_id": cluster_sg,
                "ip_protocol": "tcp",
                "from_port": 443,
                "to_port": 443,
            },
        ),
        (
            "from-control-plane-kubelet",
            aws.vpc.SecurityGroupIngressRule,
            {
                "referenced_security_group_id": cluster_sg,
                "ip_protocol": "tcp",
                "from_port": 1025,
                "to_port": 65535,
            },
        ),
        (
            "to-vpc",
            aws.vpc.SecurityGroupEgressRule,
            {"cidr_ipv4": vpc_cidr, "ip_protocol": "-1"},
        ),
    ]
    for cidr in eks.registry_egress_cidrs:
        rules.append(
            (
                f"to-registries-{slug(cidr)}",
                aws.vpc.SecurityGroupEgressRule,
                {"cidr_ipv4": cidr, "ip_protocol": "tcp", "from_port": 443, "to_port": 443},
            )
        )
    for suffix, rule_type, props in rules:
        rule_type(
            f"{name}-nodes-{suffix}",
            security_group_id=node_sg.id,
            description=f"{suffix.replace('-', ' ')}",
            **props,
            opts=child_opts(parent, **aws_opts),
        )
    aws.vpc.SecurityGroupIngressRule(
        f"{name}-control-plane-from-nodes",
        security_group_id=cluster_sg,
        referenced_security_group_id=node_sg.id,
        ip_protocol="tcp",
        from_port=443,
        to_port=443,
        description="Kubernetes API from the worker nodes",
        opts=child_opts(parent, **aws_opts),
    )
    return node_sg
