"""Topology specs -> the components' own argument types: the one place the two vocabularies meet.

Components never import the topology package (they take small typed Args of their own, as
pulumi-eks's do); the wiring calls these functions to translate. Each is a plain field copy,
so a topology field a component needs is added here and nowhere else.
"""

from __future__ import annotations

import os

from components.agent_server_args import Autoscaling, Queue, ServerResources, ServerWorkload
from components.cluster import ExistingCluster
from components.cluster_addons import AddonSwitches, ClusterExposure
from components.egress import AllowRule
from components.eks import EksArgs, NodeGroup, Vpc
from components.postgres import InClusterPostgres, PostgresStore, RdsPostgres
from components.redis import ElastiCacheRedis, InClusterRedis, RedisStore
from langsmith_dataplane.topology.schema import (
    AgentServerSpec,
    ClusterSpec,
    EgressRuleSpec,
    EksSpec,
    PostgresSpec,
    RedisSpec,
)


def postgres_store(spec: PostgresSpec) -> PostgresStore:
    in_cluster, rds = spec.in_cluster, spec.rds
    return PostgresStore(
        in_cluster=InClusterPostgres(
            storage_gb=in_cluster.storage_gb,
            storage_class=in_cluster.storage_class,
            max_connections=in_cluster.max_connections,
            resources=in_cluster.resources.as_kubernetes(),
        )
        if in_cluster
        else None,
        rds=RdsPostgres(
            instance_class=rds.instance_class,
            storage_gb=rds.storage_gb,
            engine_version=rds.engine_version,
            multi_az=rds.multi_az,
            backup_retention_days=rds.backup_retention_days,
        )
        if rds
        else None,
    )


def redis_store(spec: RedisSpec) -> RedisStore:
    in_cluster, elasticache = spec.in_cluster, spec.elasticache
    return RedisStore(
        in_cluster=InClusterRedis(
            storage_gb=in_cluster.storage_gb,
            storage_class=in_cluster.storage_class,
            resources=in_cluster.resources.as_kubernetes(),
        )
        if in_cluster
        else None,
        elasticache=ElastiCacheRedis(
            node_type=elasticache.node_type,
            engine_version=elasticache.engine_version,
            replicas=elasticache.replicas,
        )
        if elasticache
        else None,
    )


def server_workload(spec: AgentServerSpec) -> ServerWorkload:
    resources, scaling = spec.resources, spec.autoscaling
    return ServerWorkload(
        namespace=spec.namespace,
        image=spec.image,
        replicas=spec.replicas,
        resources=ServerResources(
            resources.cpu, resources.memory, resources.cpu_limit, resources.memory_limit
        ),
        queue=Queue(spec.queue.enabled, spec.queue.replicas),
        postgres=postgres_store(spec.postgres),
        redis=redis_store(spec.redis),
        autoscaling=Autoscaling(scaling.max_replicas, scaling.target_cpu_percent)
        if scaling
        else None,
        jobs_per_worker=spec.jobs_per_worker,
        node_selector=dict(spec.node_selector),
        tolerations=tuple(t.model_dump(exclude_none=True) for t in spec.tolerations),
        image_pull_secrets=tuple(spec.image_pull_secrets),
        env=dict(spec.env),
        hostname=spec.hostname,
        auth=spec.auth,
        tracing_project=spec.tracing_project,
    )


def allow_rule(spec: EgressRuleSpec) -> AllowRule:
    return AllowRule(spec.name, tuple(spec.cidrs), tuple(spec.ports), spec.protocol)


def eks_args(spec: EksSpec) -> EksArgs:
    return EksArgs(
        region=spec.region,
        version=spec.version,
        vpc_cidr=spec.vpc_cidr,
        vpc=Vpc(spec.vpc.id, tuple(spec.vpc.subnet_ids)) if spec.vpc else None,
        registry_egress_cidrs=tuple(spec.registry_egress_cidrs),
        node_groups={
            name: NodeGroup(
                instance_type=group.instance_type,
                min_size=group.min_size,
                max_size=group.max_size,
                desired_size=group.desired_size,
                disk_size_gb=group.disk_size_gb,
            )
            for name, group in spec.node_groups.items()
        },
        role_arn=spec.role_arn,
        profile=spec.profile,
    )


def existing_cluster(spec: ClusterSpec) -> ExistingCluster | None:
    if spec.existing is None:
        return None
    path = spec.existing.kubeconfig
    return ExistingCluster(spec.existing.context, os.path.expanduser(path) if path else None)


def cluster_exposure(spec: ClusterSpec) -> ClusterExposure:
    return ClusterExposure(
        ingress=spec.ingress,
        hostname=spec.hostname,
        gateway_name=spec.gateway.name if spec.gateway else None,
        gateway_namespace=spec.gateway.namespace if spec.gateway else None,
        ingress_class_name=spec.ingress_class_name,
        tls=spec.tls is not None,
        tls_secret_name=spec.tls.secret_name if spec.tls else None,
    )


def addon_switches(spec: ClusterSpec) -> AddonSwitches:
    addons = spec.addons
    return AddonSwitches(
        keda=addons.keda,
        metrics_server=addons.metrics_server,
        gateway_controller=addons.gateway_controller,
        ingress_controller=addons.ingress_controller,
    )
