"""`__main__` behaviour: topology errors, unknown stacks and missing keys stop cleanly."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

import pulumi
import pytest
import yaml
from pulumi.runtime import mocks as pulumi_mocks

from langsmith_dataplane import entrypoint
from langsmith_dataplane.chart_staging import staged_path
from langsmith_dataplane.event_loops import simulation_loop
from langsmith_dataplane.simulation import DataplaneMocks, RecordingMonitor
from tests.helpers import REFERENCE_TEXT, edit, line_of


def run_entrypoint(
    stack: str, config: dict[str, str], secret_keys: list[str], project: Path | None = None
) -> RecordingMonitor:
    """The program as the engine runs it, in a project directory of its own (where it stages
    local charts): `project`, or a scratch one."""
    with contextlib.ExitStack() as stack_:
        where = project or Path(stack_.enter_context(tempfile.TemporaryDirectory()))
        stack_.enter_context(contextlib.chdir(where))
        return _run_entrypoint(stack, config, secret_keys)


def _run_entrypoint(stack: str, config: dict[str, str], secret_keys: list[str]) -> RecordingMonitor:
    mocks = DataplaneMocks()
    monitor = RecordingMonitor(mocks, project="langsmith-dataplane", stack=stack)

    @pulumi.runtime.test
    def program():
        entrypoint.run()

    with simulation_loop():
        pulumi.runtime.settings.set_root_resource(None)
        pulumi_mocks.set_mocks(
            mocks, project="langsmith-dataplane", stack=stack, preview=False, monitor=monitor
        )
        pulumi.runtime.set_all_config(config, secret_keys)
        try:
            program()
        finally:
            pulumi.runtime.set_all_config({}, [])
    return monitor


KEYS = {
    "langsmith-dataplane:workspaceA.apiKey": "key-a",
    "langsmith-dataplane:workspaceB.apiKey": "key-b",
}


def write(tmp_path, text):
    path = tmp_path / "topology.yaml"
    path.write_text(text)
    return str(path)


def test_runs_the_stack_slice(tmp_path):
    config = {"langsmith-dataplane:topology": write(tmp_path, REFERENCE_TEXT), **KEYS}
    monitor = run_entrypoint("dev", config, list(KEYS))
    names = {r.name for r in monitor.recorded.values() if r.type == "langsmith:index:Listener"}
    assert names == {"a-dev", "b-dev"}


def test_topology_errors_stop_with_the_validator_messages(tmp_path):
    path = write(tmp_path, edit(REFERENCE_TEXT, "namespaces: [team-b]", "namespaces: [team-a]"))
    with pytest.raises(pulumi.RunError) as info:
        run_entrypoint("dev", {"langsmith-dataplane:topology": path, **KEYS}, list(KEYS))
    assert "the topology has errors" in str(info.value)
    assert (
        f"{path}:{line_of(REFERENCE_TEXT, 'namespaces: [team-b]')}:18: error: namespace 'team-a' of cluster 'dev' is already watched"
        in str(info.value)
    )


def test_unknown_stack(tmp_path):
    with pytest.raises(pulumi.RunError, match=r"stack 'dve' is not declared .*did you mean 'dev'"):
        run_entrypoint(
            "dve",
            {"langsmith-dataplane:topology": write(tmp_path, REFERENCE_TEXT), **KEYS},
            list(KEYS),
        )


def test_missing_topology_file(tmp_path):
    with pytest.raises(pulumi.RunError, match="cannot read the topology"):
        run_entrypoint("dev", {"langsmith-dataplane:topology": str(tmp_path / "nope.yaml")}, [])


def test_missing_api_keys_list_the_commands(tmp_path):
    config = {"langsmith-dataplane:topology": write(tmp_path, REFERENCE_TEXT)}
    with pytest.raises(pulumi.RunError) as info:
        run_entrypoint("dev", config, [])
    message = str(info.value)
    assert message.startswith(
        "stack dev is missing secret config (workspace API keys, license keys"
    )
    assert "  pulumi config set --secret -s dev workspaceA.apiKey\n" in message + "\n"
    assert "  pulumi config set --secret -s dev workspaceB.apiKey" in message


def test_chart_path_and_skip_await_come_from_config(tmp_path):
    chart = tmp_path / "langgraph-dataplane"
    chart.mkdir()
    (chart / "Chart.yaml").write_text(
        "apiVersion: v2\nname: langgraph-dataplane\nversion: 0.2.99\n"
    )
    config = {
        "langsmith-dataplane:topology": write(tmp_path, REFERENCE_TEXT),
        "langsmith-dataplane:chartPath": str(chart),
        "langsmith-dataplane:skipAwait": "true",
        **KEYS,
    }
    monitor = run_entrypoint("single", config, list(KEYS))
    releases = [
        r
        for r in monitor.recorded.values()
        if r.type == "kubernetes:helm.sh/v3:Release" and r.name.endswith("-chart")
    ]
    assert releases
    for release in releases:
        # The chart by what it is (its directory's name and digest), copied into the project.
        assert release.inputs["chart"] == staged_path(chart)
        # a local chart keeps its Chart.yaml version: a preview shows no version change
        assert release.inputs["version"] == "0.2.99"
        assert "repositoryOpts" not in release.inputs
        assert release.inputs["skipAwait"] is True


def test_a_protect_stack_that_loses_a_listener_leads_with_one_line():
    from langsmith_dataplane.entrypoint import removed_from_protected
    from langsmith_dataplane.stack_slice import slice_for_stack
    from tests.helpers import valid

    slice_ = slice_for_stack(valid(REFERENCE_TEXT).model, "prod-alpha")
    previous = {"listeners": {"a-prod": {}, "a-old": {}}, "agentServers": {"gone": {}}}
    message = removed_from_protected("prod-alpha", previous, slice_)
    assert message is not None
    assert message.startswith("stack prod-alpha has protect: true and the topology no longer has")
    assert "a-old, gone" in message
    assert "pulumi state unprotect --all -s prod-alpha" in message
    assert "\n" not in message
    assert removed_from_protected("prod-alpha", {"listeners": {"a-prod": {}}}, slice_) is None
    assert removed_from_protected("prod-alpha", None, slice_) is None


def test_a_protect_stack_runs_with_its_reference_to_itself(tmp_path):
    config = {"langsmith-dataplane:topology": write(tmp_path, REFERENCE_TEXT), **KEYS}
    monitor = run_entrypoint("prod-alpha", config, list(KEYS))
    assert any(r.type == "pulumi:pulumi:StackReference" for r in monitor.recorded.values())


@pytest.mark.parametrize("key", ["topology", "chartsDir", "skipAwait"])
def test_a_setting_left_in_the_old_namespace_stops_with_the_move(tmp_path, key):
    config = {"langsmith-dataplane:topology": write(tmp_path, REFERENCE_TEXT), **KEYS}
    config[f"langsmith:{key}"] = "x"
    with pytest.raises(pulumi.RunError) as info:
        run_entrypoint("dev", config, list(KEYS))
    message = str(info.value)
    assert f"stack dev sets langsmith:{key}" in message
    assert f"pulumi config -s dev rm langsmith:{key}" in message
    assert f"set langsmith-dataplane:{key} <value>" in message
    assert "Traceback" not in message


def test_every_setting_is_declared_in_the_project_with_a_description_and_default():
    from langsmith_dataplane import settings
    from tests.helpers import REPO

    declared = yaml.safe_load((REPO / "Pulumi.yaml").read_text())["config"]
    assert set(declared) == set(settings.KEYS)
    for key, spec in declared.items():
        assert spec["description"], key
        assert "default" in spec, key
    assert declared["topology"]["default"] == settings.DEFAULT_TOPOLOGY
