"""`dataplane plan`: JSON shape, masking, counts first, the mermaid diagram, stack selection."""

from __future__ import annotations

import json

from langsmith_dataplane.cli import main
from langsmith_dataplane.review.diagram import mermaid
from tests.helpers import REFERENCE, REFERENCE_TEXT, REPO, edit, line_of
from tests.sim import PLANTED_KEY


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_shape_and_masked_secrets(capsys):
    code, out, _ = run(capsys, "plan", str(REFERENCE), "--format", "json", "--stack", "dev")
    assert code == 0
    data = json.loads(out)
    assert list(data["stacks"]) == ["dev"]
    resources = data["stacks"]["dev"]["resources"]
    assert len(resources) == data["stacks"]["dev"]["resourceCount"] == 83
    assert set(resources[0]) == {"urn", "type", "name", "parent", "protect", "inputs"}
    by_name = {r["name"]: r for r in resources}
    assert by_name["a-dev-api-key"]["inputs"]["stringData"] == "[secret]"
    assert by_name["a-dev-registration"]["inputs"]["api_key"] == "[secret]"
    assert by_name["a-dev-redis-auth"]["inputs"]["stringData"] == "[secret]"
    assert "placeholder-api-key" not in out
    assert "mock" not in json.dumps(by_name["a-dev-redis-connection"]["inputs"])


def test_text_gives_counts_per_stack_and_type_first(capsys):
    code, out, _ = run(capsys, "plan", str(REFERENCE))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"Plan of {REFERENCE}: 4 stack(s), 333 resources"
    # What each stack deploys, in words, leads; then its counts; the tree only with --verbose.
    assert lines[3] == "== stack dev: 83 resources (protect: no) =="
    # The workspaces first: how the stack gets each id and key.
    assert lines[4].startswith("workspace A: id 6f1e8c52-4b1e-4b7e-9a51-2d1d2f7e0a01 (made ")
    assert lines[4].endswith("API key from secret config workspaceA.apiKey (made elsewhere)")
    assert lines[5].startswith("workspace B: id ")
    assert lines[6] == (
        "cluster dev (existing, context dev; Gateway API, http, no hostname: "
        "listener health check off)"
    )
    # The control plane's records by what they are; two SubnetGroups told apart.
    assert "2 langsmith/Registration" in out
    assert "dynamic/Resource" not in out
    assert "1 aws/elasticache.SubnetGroup, 1 aws/rds.SubnetGroup" in out
    assert "plain Ingress" in out
    assert lines[7] == (
        "  listener a-dev: workspace A, compute id dev, release langgraph-a-dev/a-dev, watches "
        "team-a; postgres none (no deployments), redis inCluster; registered on up; API key "
        "from secret config workspaceA.apiKey"
    )
    assert lines[9] == (
        "listeners (the legacy hybrid setup): LangSmith allows registering them only on "
        "self-hosted enterprise plans; a 403 on registration means the plan has none"
    )
    assert lines[10].startswith("resources: 36 k8s/NetworkPolicy, 6 k8s/Secret, ")
    assert all(
        len(line) <= 100
        for line in lines
        if line.startswith(("resources", "  ")) and "listener" not in line and "key" not in line
    )
    assert "  listener a-prod: workspace A, compute id alpha, release agents/a-prod" in out
    assert "a-prod-postgres-instance" not in out
    assert out.endswith("(--verbose shows every resource)\n")
    code, verbose, _ = run(capsys, "plan", str(REFERENCE), "--verbose")
    assert "aws:rds/instance:Instance  a-prod-postgres-instance [protected]" in verbose


def test_markdown_has_tables_diagram_and_folded_details(capsys):
    code, out, _ = run(capsys, "plan", str(REFERENCE), "--format", "markdown")
    assert code == 0
    assert out.startswith("## Plan of ")
    assert "| `prod-alpha` | 90 | yes | alpha | a-prod |" in out
    assert "```mermaid\nflowchart LR" in out
    assert out.index("| type |") < out.index("```mermaid") < out.index("<details>")


def test_mermaid_edges():
    from langsmith_dataplane.review.diagram import node_id as n
    from langsmith_dataplane.topology import parse_topology

    diagram = mermaid(parse_topology(REFERENCE_TEXT).model)
    for edge in (
        f"{n('stack', 'dev')} --> {n('cluster', 'dev')}",
        f"{n('cluster', 'dev')} --> {n('listener', 'a-dev')}",
        f"{n('listener', 'a-dev')} --> {n('ns', 'dev_team-a')}",
        f"{n('listener', 'a-dev')} -.-> {n('workspace', 'A')}",
        f"{n('stack', 'prod-alpha')} --> {n('cluster', 'alpha')}",
    ):
        assert edge in diagram, (edge, diagram)
    assert f'{n("stack", "prod-alpha")}[["stack prod-alpha · protected"]]' in diagram


def test_mermaid_node_ids_never_collapse_two_names():
    from langsmith_dataplane.review.diagram import node_id

    ids = {node_id("workspace", name) for name in ("team-c", "team.c", "team_c", "teamc")}
    assert len(ids) == 4
    assert all(i.replace("_", "").isalnum() for i in ids)


def test_unknown_stack_is_a_usage_error(capsys):
    code, _, err = run(capsys, "plan", str(REFERENCE), "--stack", "nope")
    assert code == 2
    assert "stack 'nope' is not in" in err


def test_invalid_topology_exits_1(capsys, tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(edit(REFERENCE_TEXT, "region: us\n", "region: mars\n"))
    code, out, _ = run(capsys, "plan", str(path))
    assert code == 1
    assert out.startswith(f"{path}:{line_of(REFERENCE_TEXT, 'region: us')}:11: error:")


def test_planted_key_never_printed(capsys, monkeypatch, tmp_path):
    """Even if a real key were configured for the simulation, plan output masks it."""
    import langsmith_dataplane.simulation as simulation

    monkeypatch.setattr(simulation, "PLACEHOLDER_API_KEY", PLANTED_KEY)
    for fmt in ("text", "json", "markdown"):
        code, out, _ = run(capsys, "plan", str(REFERENCE), "--format", fmt, "--stack", "dev")
        assert code == 0
        assert PLANTED_KEY not in out


NEW_WORKSPACE = str(REPO / "examples/new-workspace.yaml")


def test_a_new_workspace_and_its_keys_in_words_and_json(capsys):
    code, out, _ = run(capsys, "plan", NEW_WORKSPACE)
    assert code == 0
    assert (
        "workspace team-c (new): created by this stack as 'Team C', handle team-c; kept in "
        "LangSmith if removed from the topology" in out
    )
    assert "workspace team-c: created by stack platform-us, found here by handle team-c" in out
    assert (
        "service key for listener c-prod (made by this stack, scoped to workspace team-c), "
        "role Editor, generation 1" in out
    )
    assert "service key for agent server c-search" in out
    assert "1 langsmith/WorkspaceRecord" in out
    assert "1 langsmith/Workspace," in out  # the component, never confused with its record
    assert "1 langsmith/WorkspaceLookup" in out
    assert "2 langsmith/ServiceKey" in out
    code, out, _ = run(capsys, "plan", NEW_WORKSPACE, "--format", "json")
    stacks = json.loads(out)["stacks"]
    kinds = {
        stack: sorted(
            r["inputs"]["kind"]
            for r in plan["resources"]
            if str(r["inputs"].get("kind", "")).startswith(("langsmith-workspace", "langsmith-s"))
        )
        for stack, plan in stacks.items()
    }
    assert kinds == {
        "platform-us": ["langsmith-service-key", "langsmith-service-key", "langsmith-workspace"],
        "platform-eu": ["langsmith-service-key", "langsmith-workspace-lookup"],
    }
    assert all(
        r["inputs"]["admin_key"] == "[secret]"
        for plan in stacks.values()
        for r in plan["resources"]
        if "admin_key" in r["inputs"]
    )


def test_an_adopted_workspace_is_said_to_be_taken_over(capsys, tmp_path):
    text = (REPO / "examples/new-workspace.yaml").read_text()
    adopted = "0d2c4e6a-8b1f-4c3e-9a5d-7f0e2b4c6d8e"
    path = tmp_path / "adopt.yaml"
    path.write_text(
        text.replace("    handle: team-c\n", f"    handle: team-c\n    adopt: {adopted}\n", 1)
    )
    code, out, _ = run(capsys, "plan", str(path), "--stack", "platform-us")
    assert code == 0
    assert (
        f"workspace team-c: ADOPTED, the existing workspace {adopted} taken over by this stack "
        "as 'Team C', handle team-c; kept in LangSmith if removed from the topology" in out
    )


def test_no_record_is_shown_under_a_components_name():
    """A record's display type (`langsmith/WorkspaceRecord`) never equals a component's
    (`langsmith/Workspace`): a count of one must never hide two kinds."""
    import re

    from langsmith_dataplane.dynamic_kinds import DISPLAY_TYPES, REGISTRATION_DISPLAY_TYPE

    components = set()
    for path in (REPO / "components").rglob("*.py"):
        components |= set(re.findall(r'"langsmith:index:(\w+)"', path.read_text()))
    assert "Workspace" in components
    shown = {t.split("/", 1)[1] for t in [*DISPLAY_TYPES.values(), REGISTRATION_DISPLAY_TYPE]}
    assert not shown & components
    assert len(set(DISPLAY_TYPES.values())) == len(DISPLAY_TYPES)
