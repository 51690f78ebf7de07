"""`Cluster`: a Kubernetes cluster of the data plane, its provider and its add-ons.

`eks` creates the VPC (or uses the given one), IAM roles, the EKS cluster (secrets encrypted with
a KMS key), a node security group with standalone rules, managed node groups, the EBS CSI
add-on and a default encrypted gp3 StorageClass. `existing` builds the provider from a kubeconfig
context. Like pulumi-eks, the component owns its kubeconfig (a secret output) and provider.
Add-ons are Helm releases pinned in `versions.py`: KEDA, metrics-server, and Envoy Gateway (with
a GatewayClass and Gateway) for `ingress: gateway`.
"""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components._common import base_labels, bounded_name, child_opts, slug
from components.aws_network import AwsNetwork
from langsmith_dataplane.topology.schema import Cluster as ClusterSpec
from langsmith_dataplane.topology.schema import EksCluster
from langsmith_dataplane.versions import (
    GATEWAY_CHART,
    GATEWAY_CONTROLLER_NAME,
    KEDA_CHART,
    METRICS_SERVER_CHART,
    ChartRef,
)

DEFAULT_GATEWAY = ("langgraph", "langgraph-gateway")
NODE_POLICIES = (
    "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
    "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy",
)
_ARM_FAMILY = re.compile(r"^[a-z]+\d+[a-z]*g[a-z]*\.")


@dataclass(frozen=True)
class ClusterArgs:
    name: str
    spec: ClusterSpec
    protect: bool = False
    skip_await: bool = False
    kubeconfig_path: str | None = None


def ami_type(instance_type: str) -> str:
    """Graviton families (m7g, c6gn, t4g, ...) need the ARM AMI."""
    return (
        "AL2023_ARM_64_STANDARD" if _ARM_FAMILY.match(instance_type) else "AL2023_x86_64_STANDARD"
    )


def subnet_cidrs(vpc_cidr: str) -> tuple[list[str], list[str]]:
    """Two private and two public subnets: the first and the ninth /+4 blocks of the VPC."""
    blocks = list(ipaddress.ip_network(vpc_cidr).subnets(prefixlen_diff=4))
    return [str(blocks[0]), str(blocks[1])], [str(blocks[8]), str(blocks[9])]


def _assume_role(service: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
            ],
        }
    )


def kubeconfig_json(name: str, region: str, endpoint: str, ca_data: str) -> str:
    """A kubeconfig that authenticates with `aws eks get-token` (no static credentials)."""
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {
                    "name": name,
                    "cluster": {"server": endpoint, "certificate-authority-data": ca_data},
                }
            ],
            "contexts": [{"name": name, "context": {"cluster": name, "user": name}}],
            "current-context": name,
            "users": [
                {
                    "name": name,
                    "user": {
                        "exec": {
                            "apiVersion": "client.authentication.k8s.io/v1beta1",
                            "command": "aws",
                            "args": [
                                "eks",
                                "get-token",
                                "--cluster-name",
                                name,
                                "--region",
                                region,
                            ],
                        }
                    },
                }
            ],
        }
    )


class Cluster(pulumi.ComponentResource):
    provider: k8s.Provider
    kubeconfig: pulumi.Output[str] | None
    network: AwsNetwork | None
    api_server: pulumi.Output[list[dict[str, Any]]]
    gateway: tuple[str, str]

    def __init__(
        self, name: str, args: ClusterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("langsmith:index:Cluster", name, None, opts)
        spec = args.spec
        self.kubeconfig = None
        self.network = None
        if spec.eks is not None:
            self.provider = self._eks(name, args, spec.eks)
        else:
            assert spec.existing is not None
            self.provider = k8s.Provider(
                f"{name}-k8s",
                kubeconfig=args.kubeconfig_path,
                context=spec.existing.context,
                opts=child_opts(self),
            )
        k8s_opts = {"provider": self.provider}
        # The API server's own addresses, so egress policies can allow exactly them.
        slice_ = k8s.discovery.v1.EndpointSlice.get(
            f"{name}-apiserver", "default/kubernetes", opts=child_opts(self, **k8s_opts)
        )
        self.api_server = pulumi.Output.all(slice_.endpoints, slice_.ports).apply(_api_endpoints)
        self.gateway = self._addons(name, args)
        outputs: dict[str, Any] = {"apiServer": self.api_server}
        if self.kubeconfig is not None:
            outputs["kubeconfig"] = self.kubeconfig
        self.register_outputs(outputs)

    # -- EKS -------------------------------------------------------------------------------
    def _eks(self, name: str, args: ClusterArgs, eks: EksCluster) -> k8s.Provider:
        aws_provider = aws.Provider(f"{name}-aws", region=eks.region, opts=child_opts(self))
        aws_opts = {"provider": aws_provider}
        tags = {"managed-by": "langsmith-dataplane", "cluster": name}
        vpc_id, vpc_cidr, private, public = self._vpc(name, eks, tags, aws_opts)

        cluster_role = aws.iam.Role(
            f"{name}-cluster-role",
            assume_role_policy=_assume_role("eks.amazonaws.com"),
            tags=tags,
            opts=child_opts(self, **aws_opts),
        )
        cluster_policy = aws.iam.RolePolicyAttachment(
            f"{name}-cluster-policy",
            role=cluster_role.name,
            policy_arn="arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",
            opts=child_opts(self, **aws_opts),
        )
        node_role = aws.iam.Role(
            f"{name}-node-role",
            assume_role_policy=_assume_role("ec2.amazonaws.com"),
            tags=tags,
            opts=child_opts(self, **aws_opts),
        )
        node_policies = [
            aws.iam.RolePolicyAttachment(
                f"{name}-node-{arn.rsplit('/', 1)[1].lower()}",
                role=node_role.name,
                policy_arn=arn,
                opts=child_opts(self, **aws_opts),
            )
            for arn in NODE_POLICIES
        ]
        secrets_key = aws.kms.Key(
            f"{name}-secrets-key",
            description=f"EKS secrets encryption for {name}",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            tags=tags,
            opts=child_opts(self, **aws_opts),
        )
        cluster = aws.eks.Cluster(
            f"{name}-eks",
            name=bounded_name(name, 100),
            version=eks.version,
            role_arn=cluster_role.arn,
            vpc_config={
                "subnet_ids": pulumi.Output.all(private, public).apply(lambda s: [*s[0], *s[1]]),
                "endpoint_private_access": True,
                "endpoint_public_access": True,
            },
            access_config={
                "authentication_mode": "API",
                "bootstrap_cluster_creator_admin_permissions": True,
            },
            encryption_config={"resources": ["secrets"], "provider": {"key_arn": secrets_key.arn}},
            enabled_cluster_log_types=["api", "audit", "authenticator"],
            tags=tags,
            opts=child_opts(self, protect=args.protect, depends_on=[cluster_policy], **aws_opts),
        )
        cluster_sg = cluster.vpc_config.cluster_security_group_id
        node_sg = self._node_security_group(name, eks, vpc_id, vpc_cidr, cluster_sg, tags, aws_opts)
        node_groups = self._node_groups(
            name, eks, cluster, node_role, node_policies, node_sg, private, tags, aws_opts
        )
        aws.eks.Addon(
            f"{name}-ebs-csi",
            cluster_name=cluster.name,
            addon_name="aws-ebs-csi-driver",
            resolve_conflicts_on_create="OVERWRITE",
            resolve_conflicts_on_update="PRESERVE",
            tags=tags,
            opts=child_opts(self, depends_on=node_groups, **aws_opts),
        )
        self.kubeconfig = pulumi.Output.secret(
            pulumi.Output.all(
                cluster.name, cluster.endpoint, cluster.certificate_authority.data
            ).apply(lambda v: kubeconfig_json(v[0], eks.region, v[1], v[2]))
        )
        self.network = AwsNetwork(aws_provider, vpc_id, vpc_cidr, private, node_sg.id)
        provider = k8s.Provider(
            f"{name}-k8s", kubeconfig=self.kubeconfig, opts=child_opts(self, depends_on=node_groups)
        )
        k8s.storage.v1.StorageClass(
            f"{name}-gp3",
            metadata={
                "name": "gp3",
                "labels": base_labels(),
                "annotations": {"storageclass.kubernetes.io/is-default-class": "true"},
            },
            provisioner="ebs.csi.aws.com",
            parameters={"type": "gp3", "encrypted": "true"},
            volume_binding_mode="WaitForFirstConsumer",
            allow_volume_expansion=True,
            reclaim_policy="Retain" if args.protect else "Delete",
            opts=child_opts(self, provider=provider),
        )
        return provider

    def _vpc(
        self, name: str, eks: EksCluster, tags: dict[str, str], aws_opts: dict[str, Any]
    ) -> tuple[
        pulumi.Input[str], pulumi.Input[str], pulumi.Output[list[str]], pulumi.Output[list[str]]
    ]:
        invoke = pulumi.InvokeOptions(provider=aws_opts["provider"], parent=self)
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
            opts=child_opts(self, **aws_opts),
        )
        gateway = aws.ec2.InternetGateway(
            f"{name}-igw", vpc_id=vpc.id, tags=tags, opts=child_opts(self, **aws_opts)
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
                opts=child_opts(self, **aws_opts),
            )

        public = [
            subnet("public", i, c, "kubernetes.io/role/elb") for i, c in enumerate(public_cidrs)
        ]
        private = [
            subnet("private", i, c, "kubernetes.io/role/internal-elb")
            for i, c in enumerate(private_cidrs)
        ]
        nat_ip = aws.ec2.Eip(
            f"{name}-nat-ip", domain="vpc", tags=tags, opts=child_opts(self, **aws_opts)
        )
        nat = aws.ec2.NatGateway(
            f"{name}-nat",
            subnet_id=public[0].id,
            allocation_id=nat_ip.id,
            tags=tags,
            opts=child_opts(self, depends_on=[gateway], **aws_opts),
        )
        for kind, subnets, target in (("public", public, gateway), ("private", private, nat)):
            table = aws.ec2.RouteTable(
                f"{name}-{kind}-routes", vpc_id=vpc.id, tags=tags, opts=child_opts(self, **aws_opts)
            )
            aws.ec2.Route(
                f"{name}-{kind}-default-route",
                route_table_id=table.id,
                destination_cidr_block="0.0.0.0/0",
                gateway_id=target.id if kind == "public" else None,
                nat_gateway_id=target.id if kind == "private" else None,
                opts=child_opts(self, **aws_opts),
            )
            for i, sub in enumerate(subnets):
                aws.ec2.RouteTableAssociation(
                    f"{name}-{kind}-{i}-routes",
                    subnet_id=sub.id,
                    route_table_id=table.id,
                    opts=child_opts(self, **aws_opts),
                )
        return (
            vpc.id,
            vpc.cidr_block,
            pulumi.Output.all(*[s.id for s in private]),
            pulumi.Output.all(*[s.id for s in public]),
        )

    def _node_security_group(
        self,
        name: str,
        eks: EksCluster,
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
            opts=child_opts(self, **aws_opts),
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
                opts=child_opts(self, **aws_opts),
            )
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-control-plane-from-nodes",
            security_group_id=cluster_sg,
            referenced_security_group_id=node_sg.id,
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            description="Kubernetes API from the worker nodes",
            opts=child_opts(self, **aws_opts),
        )
        return node_sg

    def _node_groups(
        self,
        name: str,
        eks: EksCluster,
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
                opts=child_opts(self, **aws_opts),
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
                        self,
                        depends_on=node_policies,
                        ignore_changes=["scalingConfig.desiredSize"],  # the autoscaler owns it
                        **aws_opts,
                    ),
                )
            )
        return groups

    # -- add-ons ---------------------------------------------------------------------------
    def _release(
        self, name: str, release: str, chart: ChartRef, namespace: str, skip_await: bool
    ) -> k8s.helm.v3.Release:
        extra: dict[str, Any] = {"version": chart.version}
        if chart.repo:
            extra["repository_opts"] = {"repo": chart.repo}
        return k8s.helm.v3.Release(
            f"{name}-{release}",
            name=release,
            chart=chart.chart,
            namespace=namespace,
            create_namespace=True,
            skip_await=skip_await,
            timeout=600,
            **extra,
            opts=child_opts(self, provider=self.provider),
        )

    def _addons(self, name: str, args: ClusterArgs) -> tuple[str, str]:
        spec = args.spec
        if spec.addons.keda:
            self._release(name, "keda", KEDA_CHART, "keda", args.skip_await)
        if spec.addons.metrics_server:
            self._release(
                name, "metrics-server", METRICS_SERVER_CHART, "kube-system", args.skip_await
            )
        if spec.ingress == "istio":
            return (spec.gateway.name, spec.gateway.namespace) if spec.gateway else ("", "")
        if spec.ingress != "gateway":
            return ("", "")
        if spec.gateway is not None:
            return spec.gateway.name, spec.gateway.namespace
        depends: list[pulumi.Resource] = []
        if spec.addons.gateway_controller:
            depends.append(
                self._release(
                    name, "envoy-gateway", GATEWAY_CHART, "envoy-gateway-system", args.skip_await
                )
            )
        gateway_name, gateway_namespace = DEFAULT_GATEWAY
        k8s_opts = {"provider": self.provider, "depends_on": depends}
        gateway_class = k8s.apiextensions.CustomResource(
            f"{name}-gateway-class",
            api_version="gateway.networking.k8s.io/v1",
            kind="GatewayClass",
            metadata={"name": gateway_name, "labels": base_labels()},
            spec={"controllerName": GATEWAY_CONTROLLER_NAME},
            opts=child_opts(self, **k8s_opts),
        )
        namespace = k8s.core.v1.Namespace(
            f"{name}-gateway-ns",
            metadata={"name": gateway_namespace, "labels": base_labels()},
            opts=child_opts(self, provider=self.provider),
        )
        listener: dict[str, Any] = {
            "name": "http",
            "protocol": "HTTP",
            "port": 80,
            "allowedRoutes": {"namespaces": {"from": "All"}},
        }
        if spec.hostname:
            listener["hostname"] = spec.hostname
        k8s.apiextensions.CustomResource(
            f"{name}-gateway",
            api_version="gateway.networking.k8s.io/v1",
            kind="Gateway",
            metadata={
                "name": gateway_name,
                "namespace": namespace.metadata.name,
                "labels": base_labels(),
            },
            spec={"gatewayClassName": gateway_class.metadata["name"], "listeners": [listener]},
            opts=child_opts(self, **k8s_opts),
        )
        return DEFAULT_GATEWAY


def _api_endpoints(values: list[Any]) -> list[dict[str, Any]]:
    """[{cidr, port}] for every API server address and port in the EndpointSlice."""
    endpoints, ports = values
    addresses = sorted(
        {address for endpoint in endpoints or [] for address in _get(endpoint, "addresses") or []}
    )
    numbers = sorted({int(_get(port, "port")) for port in ports or [] if _get(port, "port")}) or [
        443
    ]
    out = []
    for address in addresses:
        suffix = "/128" if ":" in address else "/32"
        out.extend({"cidr": f"{address}{suffix}", "port": port} for port in numbers)
    return out


def _get(obj: Any, key: str) -> Any:
    return obj.get(key) if isinstance(obj, dict) else getattr(obj, key, None)
