"""Errors inside components name the component and stop without a traceback (a RunError)."""

from __future__ import annotations

import pulumi
import pytest
from pulumi.runtime import mocks as pulumi_mocks

from components._common import ComponentError
from components.cluster import Cluster, ClusterArgs
from components.postgres import Postgres, PostgresArgs, PostgresStore
from langsmith_dataplane.event_loops import simulation_loop
from langsmith_dataplane.simulation import DataplaneMocks, RecordingMonitor


def run(build) -> None:
    mocks = DataplaneMocks()
    monitor = RecordingMonitor(mocks, project="p", stack="s")

    @pulumi.runtime.test
    def program():
        build()

    with simulation_loop():
        pulumi_mocks.set_mocks(mocks, project="p", stack="s", preview=False, monitor=monitor)
        program()


def test_a_cluster_without_eks_or_existing_is_refused_by_name():
    with pytest.raises(ComponentError) as info:
        run(lambda: Cluster("edge", ClusterArgs(name="edge")))
    assert str(info.value) == (
        "langsmith:index:Cluster edge: a cluster needs exactly one of eks or existing"
    )
    assert isinstance(info.value, pulumi.RunError)


def test_a_postgres_without_a_store_is_refused_by_name():
    args = PostgresArgs(identity="a", namespace="ns", deployments=[], store=PostgresStore())
    with pytest.raises(ComponentError, match="langsmith:index:Postgres db: Postgres needs"):
        run(lambda: Postgres("db", args))
