"""What the program takes besides the slice: where charts come from, how long to wait."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pulumi

from components.cluster_addons import AddonCharts
from langsmith_dataplane.versions import AGENT_SERVER_CHART, LISTENER_CHART, ChartRef

ApiKeyLookup = Callable[[str], pulumi.Input[str]]
"""A secret config value by its name (the names the topology gives: `apiKey`, `secretEnv`)."""


@dataclass(frozen=True)
class ProgramOptions:
    """`chart` lets tests and air-gapped sites point at another copy of the listener chart;
    `skip_await` skips readiness waits (clusters without nodes, e.g. a bare API server);
    `wait_for_revisions` waits for each deployment's revision to reach DEPLOYED;
    `addon_charts`: where the add-on charts come from (local copies when air-gapped)."""

    chart: ChartRef = LISTENER_CHART
    skip_await: bool = False
    wait_for_revisions: bool = True
    revision_timeout: float = 1800.0  # seconds, as LangChain's clients wait
    agent_server_chart: ChartRef = AGENT_SERVER_CHART
    addon_charts: AddonCharts = field(default_factory=AddonCharts)
