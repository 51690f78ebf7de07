"""What `pulumi up` runs (via `__main__.py`): settings, topology, secrets -> this stack's slice ->
`wiring.build_stack` -> outputs (the path is drawn in `wiring/__init__.py`).

Configuration (the project's namespace, `langsmith-dataplane:`, declared in Pulumi.yaml; see
`settings.py`): `topology` (path, default `topology.yaml`), `chartsDir`
(every chart from local copies, default `LANGSMITH_CHARTS_DIR`), `chartPath`
(a local copy of the listener chart instead of the pinned repository version), `skipAwait`
(do not wait for readiness), `agentServerChartPath` (a local copy of the `langgraph-cloud`
chart), `waitForRevisions` (default true: wait for each deployment's
revision to be DEPLOYED). API keys are secret config values named by each workspace's
`apiKey`. Bad input stops the program with the validator's messages, never a traceback.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pulumi

from langsmith_dataplane import settings
from langsmith_dataplane.chart_staging import STAGING_DIR, staged_sources
from langsmith_dataplane.charts import (
    CHARTS_DIR_ENV,
    ChartSourceError,
    chart_sources,
)
from langsmith_dataplane.diagnostics import TopologyError
from langsmith_dataplane.stack_slice import (
    StackSlice,
    UnknownStackError,
    needs_platform,
    slice_for_stack,
)
from langsmith_dataplane.topology import ValidatedTopology, load_topology
from langsmith_dataplane.wiring import ProgramOptions, build_stack

CONFIG_NAMESPACE = settings.NAMESPACE


def _config_for(key: str) -> tuple[pulumi.Config, str]:
    """`workspaceA.apiKey` lives in the project namespace; `ns:key` names its own namespace."""
    if ":" in key:
        namespace, name = key.split(":", 1)
        return pulumi.Config(namespace), name
    return pulumi.Config(), key


def secret_config_keys(slice_: StackSlice) -> set[str]:
    """Every secret config value the stack reads: API keys (the organisation admin's when the
    stack creates workspaces or keys), license keys and `secretEnv`."""
    keys = {target.api_key for target in slice_.workspaces if target.api_key is not None}
    if slice_.organization is not None and needs_platform(slice_):
        keys.add(slice_.organization.admin_key)
    for server in slice_.agent_servers:
        keys.add(server.spec.license_key)
        keys.update(server.spec.secret_env.values())
    for plan in slice_.listeners:
        for deployment in plan.spec.deployments.values():
            if deployment.image is not None:
                keys.update(deployment.secret_env.values())
    for cloud in slice_.cloud_deployments:
        keys.update(cloud.spec.secret_env.values())
    return keys


def missing_secret_config(slice_: StackSlice) -> list[str]:
    missing = []
    for key in sorted(secret_config_keys(slice_)):
        config, name = _config_for(key)
        if config.get(name) is None:
            missing.append(key)
    return missing


def api_key_from_config(key: str) -> pulumi.Output[str]:
    config, name = _config_for(key)
    return config.require_secret(name)


def load_or_stop(path: str) -> ValidatedTopology:
    try:
        topology = load_topology(path)
    except TopologyError as exc:
        raise pulumi.RunError(f"the topology has errors:\n{exc.render()}") from None
    except OSError as exc:
        raise pulumi.RunError(f"cannot read the topology {path}: {exc.strerror or exc}") from None
    for warning in topology.warnings:
        pulumi.log.warn(warning.format())
    return topology


def options_from_config(config: pulumi.Config) -> ProgramOptions:
    """`chartsDir` (default `LANGSMITH_CHARTS_DIR`) serves every chart from local copies;
    `chartPath` and `agentServerChartPath` name one chart directory each and win over it."""
    configured = config.get(settings.CHARTS_DIR) or None
    charts_dir = configured or os.environ.get(CHARTS_DIR_ENV) or None
    setting = settings.setting(settings.CHARTS_DIR) if configured else CHARTS_DIR_ENV
    try:
        charts = chart_sources(
            charts_dir,
            listener_path=config.get(settings.CHART_PATH) or None,
            agent_server_path=config.get(settings.AGENT_SERVER_CHART_PATH) or None,
            setting=setting,
        )
        # Sent by what they are, not where they sit (`chart_staging`): the program runs in the
        # project directory, as do the providers that read the path.
        charts = staged_sources(charts, Path.cwd())
    except ChartSourceError as exc:
        raise pulumi.RunError(str(exc)) from None
    except OSError as exc:
        raise pulumi.RunError(
            f"cannot copy the local charts into {STAGING_DIR}/ of the project: {exc}"
        ) from None
    wait = config.get_bool(settings.WAIT_FOR_REVISIONS)
    timeout = config.get_int(settings.REVISION_TIMEOUT)
    problem = settings.revision_timeout_problem(timeout)
    if problem:
        raise pulumi.RunError(problem)
    return ProgramOptions(
        revision_timeout=float(timeout or 1800),
        chart=charts.listener,
        skip_await=bool(config.get_bool(settings.SKIP_AWAIT)),
        wait_for_revisions=True if wait is None else wait,
        agent_server_chart=charts.agent_server,
        addon_charts=charts.addons,
    )


def _require(keys: Iterable[str], stack: str) -> None:
    missing = list(keys)
    if missing:
        commands = "\n".join(f"  pulumi config set --secret -s {stack} {key}" for key in missing)
        raise pulumi.RunError(
            f"stack {stack} is missing secret config (workspace API keys, license keys and "
            f"secretEnv values the topology names; each command prompts for the value):\n"
            f"{commands}"
        )


def _stop_quietly(signum: int, frame: object) -> None:
    """The engine interrupts the program when an update fails elsewhere (a policy, a provider):
    stop without the Python traceback that would bury the engine's own message."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(1)


def main() -> None:
    """`__main__.py`: the program as the engine runs it."""
    signal.signal(signal.SIGINT, _stop_quietly)
    run()


def stop_on_moved_settings(stack: str) -> None:
    """A stack that still sets `langsmith:topology` & co. would silently get the defaults."""
    old = pulumi.Config(settings.OLD_NAMESPACE)
    message = settings.moved_settings_message(stack, old.get)
    if message:
        raise pulumi.RunError(message)


def run() -> None:
    stop_on_moved_settings(pulumi.get_stack())
    config = pulumi.Config(CONFIG_NAMESPACE)
    topology = load_or_stop(config.get(settings.TOPOLOGY) or settings.DEFAULT_TOPOLOGY)
    try:
        slice_ = slice_for_stack(topology.model, pulumi.get_stack())
    except UnknownStackError as exc:
        raise pulumi.RunError(str(exc)) from None
    _require(missing_secret_config(slice_), pulumi.get_stack())
    outputs = build_stack(slice_, api_key_from_config, options_from_config(config))
    if slice_.protect:
        warn_before_refused_deletions(slice_)
    for name, value in outputs.items():
        pulumi.export(name, value)


def removed_from_protected(stack: str, previous: Any, slice_: StackSlice) -> str | None:
    """One line saying what will be refused and what to run, or None: in a `protect: true`
    stack Pulumi refuses to delete every resource of a removed listener or server, each with
    its own error, and this line leads them."""
    kept = {p.key for p in slice_.listeners} | {p.key for p in slice_.agent_servers}
    before = set((previous or {}).get("listeners") or {}) | set(
        (previous or {}).get("agentServers") or {}
    )
    removed = sorted(before - kept)
    if not removed:
        return None
    return (
        f"stack {stack} has protect: true and the topology no longer has {', '.join(removed)}: "
        "Pulumi refuses to delete their protected resources (one error each follows) and "
        "deletes nothing. To remove them, set protect: false for the stack and `pulumi up`, or "
        f"run `pulumi state unprotect --all -s {stack}` first."
    )


def warn_before_refused_deletions(slice_: StackSlice) -> None:
    """The stack's own last outputs (a reference to itself) against what the topology keeps."""
    stack = pulumi.get_stack()
    try:
        own = pulumi.StackReference(
            f"{pulumi.get_organization()}/{pulumi.get_project()}/{stack}",
            opts=pulumi.ResourceOptions(retain_on_delete=True),
        )
    except Exception:
        return  # no reference to be had (a first `up`): nothing was there to remove

    def check(values: list[Any]) -> None:
        message = removed_from_protected(stack, dict(zip(OUTPUTS, values, strict=True)), slice_)
        if message:
            pulumi.log.warn(message)

    pulumi.Output.all(*(own.get_output(name) for name in OUTPUTS)).apply(check)


OUTPUTS = ("listeners", "agentServers")
