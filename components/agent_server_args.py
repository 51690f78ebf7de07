"""What the AgentServer component takes: its own small types (the wiring translates to them)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pulumi

from components.aws_network import AwsNetwork
from components.exposure import Exposure
from components.helm_history import ClusterAccess
from components.postgres import PostgresStore
from components.redis import RedisStore
from langsmith_dataplane.versions import AGENT_SERVER_CHART, ChartRef


@dataclass(frozen=True)
class ServerResources:
    """CPU and memory per pod; a limit left out is twice its request."""

    cpu: str
    memory: str
    cpu_limit: str | None = None
    memory_limit: str | None = None


@dataclass(frozen=True)
class Autoscaling:
    """A HorizontalPodAutoscaler from `replicas` up to `max_replicas`."""

    max_replicas: int
    target_cpu_percent: int


@dataclass(frozen=True)
class Queue:
    """The chart's separate queue workers."""

    enabled: bool
    replicas: int


@dataclass(frozen=True)
class ServerWorkload:
    """One server's pods and stores: what the wiring takes from the topology for it."""

    namespace: str
    image: str
    replicas: int
    resources: ServerResources
    queue: Queue
    postgres: PostgresStore
    redis: RedisStore
    autoscaling: Autoscaling | None = None
    jobs_per_worker: int | None = None
    node_selector: Mapping[str, str] = field(default_factory=dict)
    tolerations: Sequence[Mapping[str, str]] = ()
    image_pull_secrets: Sequence[str] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    hostname: str | None = None
    auth: Literal["langsmith", "custom"] = "langsmith"
    tracing_project: str | None = None


@dataclass(frozen=True)
class AgentServerArgs:
    """`pool_size`: `LANGGRAPH_POSTGRES_POOL_MAX_SIZE` (None keeps langgraph-api's default);
    `auth_endpoint`: the LangSmith API that authenticates callers (`auth: langsmith`)."""

    release_name: str
    workload: ServerWorkload
    workspace_key: str
    workspace_id: pulumi.Input[str]
    api_key: pulumi.Input[str]
    license_key: pulumi.Input[str]
    secret_env: Mapping[str, pulumi.Input[str]]
    trace_endpoint: str
    exposure: Exposure
    pool_size: int | None = None
    network: AwsNetwork | None = None
    chart: ChartRef = AGENT_SERVER_CHART
    protect: bool = False
    skip_await: bool = False
    # The cluster's API as its release guard reaches it (None: no guard, outside a stack).
    cluster_access: ClusterAccess | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
