"""The VPC an EKS cluster runs in: a new one (subnets, NAT, routes) or the one given."""

from __future__ import annotations

import ipaddress
from typing import Any

import pulumi
import pulumi_aws as aws

from components._common import child_opts
from components.eks.args import EksArgs


def subnet_cidrs(vpc_cidr: str) -> tuple[list[str], list[str]]:
    """Two private and two public subnets: the first and the ninth /+4 blocks of the VPC."""
    blocks = list(ipaddress.ip_network(vpc_cidr).subnets(prefixlen_diff=4))
    return [str(blocks[0]), str(blocks[1])], [str(blocks[8]), str(blocks[9])]


def build_vpc(
    parent: pulumi.ComponentResource,
    name: str,
    eks: EksArgs,
    tags: dict[str, str],
    aws_opts: dict[str, Any],
) -> tuple[
    pulumi.Input[str], pulumi.Input[str], pulumi.Output[list[str]], pulumi.Output[list[str]]
]:
    invoke = pulumi.InvokeOptions(provider=aws_opts["provider"], parent=parent)
    if eks.vpc is not None:
        vpc = aws.ec2.get_vpc_output(id=eks.vpc.id, opts=invoke)
        subnets = pulumi.Output.from_input(list(eks.vpc.subnet_ids))
        return eks.vpc.id, vpc.cidr_block, subnets, pulumi.Output.from_input([])
    zones = aws.get_availability_zones_output(state="available", opts=invoke)
    vpc = aws.ec2.Vpc(
        f"{name}-vpc",
        cidr_block=eks.vpc_cidr,
        enable_dns_hostnames=True,
        enable_dns_support=True,
        tags={**tags, "Name": f"{name}-data-plane"},
        opts=child_opts(parent, **aws_opts),
    )
    gateway = aws.ec2.InternetGateway(
        f"{name}-igw", vpc_id=vpc.id, tags=tags, opts=child_opts(parent, **aws_opts)
    )
    private_cidrs, public_cidrs = subnet_cidrs(eks.vpc_cidr)
    cluster_tag = {f"kubernetes.io/cluster/{name}": "shared"}

    def subnet(kind: str, index: int, cidr: str, role_tag: str) -> aws.ec2.Subnet:
        return aws.ec2.Subnet(
            f"{name}-{kind}-{index}",
            vpc_id=vpc.id,
            cidr_block=cidr,
            availability_zone=zones.names.apply(lambda names, i=index: names[i]),
            map_public_ip_on_launch=False,
            tags={**tags, **cluster_tag, role_tag: "1", "Name": f"{name}-{kind}-{index}"},
            opts=child_opts(parent, **aws_opts),
        )

    public = [subnet("public", i, c, "kubernetes.io/role/elb") for i, c in enumerate(public_cidrs)]
    private = [
        subnet("private", i, c, "kubernetes.io/role/internal-elb")
        for i, c in enumerate(private_cidrs)
    ]
    nat_ip = aws.ec2.Eip(
        f"{name}-nat-ip", domain="vpc", tags=tags, opts=child_opts(parent, **aws_opts)
    )
    nat = aws.ec2.NatGateway(
        f"{name}-nat",
        subnet_id=public[0].id,
        allocation_id=nat_ip.id,
        tags=tags,
        opts=child_opts(parent, depends_on=[gateway], **aws_opts),
    )
    for kind, members, target in (("public", public, gateway), ("private", private, nat)):
        table = aws.ec2.RouteTable(
            f"{name}-{kind}-routes", vpc_id=vpc.id, tags=tags, opts=child_opts(parent, **aws_opts)
        )
        aws.ec2.Route(
            f"{name}-{kind}-default-route",
            route_table_id=table.id,
            destination_cidr_block="0.0.0.0/0",
            gateway_id=target.id if kind == "public" else None,
            nat_gateway_id=target.id if kind == "private" else None,
            opts=child_opts(parent, **aws_opts),
        )
        for i, sub in enumerate(members):
            aws.ec2.RouteTableAssociation(
                f"{name}-{kind}-{i}-routes",
                subnet_id=sub.id,
                route_table_id=table.id,
                opts=child_opts(parent, **aws_opts),
            )
    return (
        vpc.id,
        vpc.cidr_block,
        pulumi.Output.all(*[s.id for s in private]),
        pulumi.Output.all(*[s.id for s in public]),
    )
