"""`dataplane diff`: reorder, add, rename, stateful removal, replacements, formats, exit codes."""

from __future__ import annotations

import json
import subprocess

import pytest
import yaml

from langsmith_dataplane.cli import main
from langsmith_dataplane.review.diff import diff_topologies
from langsmith_dataplane.review.diff_format import MARKDOWN_LIMIT, diff_markdown, diff_text
from langsmith_dataplane.topology import parse_topology
from tests.edits import NEW_LISTENER, RENAMED, reverse_everything
from tests.helpers import REFERENCE_TEXT, edit, line_of


def model(text: str):
    return parse_topology(text).model


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_identical_topologies_have_no_changes(capsys, tmp_path):
    path = write(tmp_path, "t.yaml", REFERENCE_TEXT)
    code, out, _ = run(capsys, "diff", path, path)
    assert (code, out) == (0, "no changes\n")


def test_reordering_lists_is_no_change(capsys, tmp_path):
    reordered = yaml.safe_dump(reverse_everything(yaml.safe_load(REFERENCE_TEXT)), sort_keys=False)
    base, head = write(tmp_path, "a.yaml", REFERENCE_TEXT), write(tmp_path, "b.yaml", reordered)
    code, out, _ = run(capsys, "diff", base, head, "--fail-on-stateful-loss")
    assert (code, out) == (0, "no changes\n")


def test_adding_a_listener_only_adds_in_its_stack():
    diff = diff_topologies(
        model(REFERENCE_TEXT),
        model(edit(REFERENCE_TEXT, "  a-single:\n", NEW_LISTENER + "  a-single:\n")),
    )
    assert diff.affected_stacks == ["dev"]
    dev = diff.stacks["dev"]
    assert dev.of("removed") == dev.of("changed") == dev.of("replaced") == []
    assert len(dev.of("added")) > 20
    assert all("c-dev" in c.name for c in dev.of("added"))
    assert diff.stateful_losses == []


def test_rename_with_renamed_from_renames_and_replaces_nothing():
    diff = diff_topologies(model(REFERENCE_TEXT), model(edit(REFERENCE_TEXT, *RENAMED)))
    dev = diff.stacks["dev"]
    assert diff.affected_stacks == ["dev"]
    assert dev.of("added") == dev.of("removed") == dev.of("replaced") == dev.of("changed") == []
    renamed = {c.old_name: c.name for c in dev.of("renamed")}
    assert renamed["b-dev"] == "team-b-dev"
    assert renamed["b-dev-redis-statefulset"] == "team-b-dev-redis-statefulset"
    assert (
        renamed["dev-egress-b-dev-release-default-deny-egress"]
        == "dev-egress-team-b-dev-release-default-deny-egress"
    )
    text = diff_text(diff)
    assert (
        "> listener b-dev renamed to team-b-dev through aliases: 34 resources kept, nothing replaced"
        in text
    )
    assert "STATEFUL LOSS" not in text


def test_rename_without_renamed_from_is_a_stateful_loss():
    renamed = edit(REFERENCE_TEXT, "  b-dev:\n    workspace: B", "  team-b-dev:\n    workspace: B")
    diff = diff_topologies(model(REFERENCE_TEXT), model(renamed))
    losses = [what for _, what in diff.stateful_losses]
    assert "removed kubernetes:apps/v1:StatefulSet b-dev-redis-statefulset" in losses
    assert "removed kubernetes:core/v1:Namespace b-dev-release-ns" in losses


def test_removing_a_stateful_listener_fails_with_exit_3(capsys, tmp_path):
    removed = edit(
        REFERENCE_TEXT,
        "  b-prod:\n    workspace: B\n    cluster: beta\n    namespaces: [agents]\n"
        "    postgres:\n      rds: {instanceClass: db.t4g.large, storageGb: 50}\n"
        "    redis:\n      elasticache: {nodeType: cache.t4g.medium}\n",
        "",
    )
    base, head = write(tmp_path, "a.yaml", REFERENCE_TEXT), write(tmp_path, "b.yaml", removed)
    code, out, err = run(capsys, "diff", base, head, "--fail-on-stateful-loss")
    assert code == 3
    assert "3 stateful loss(es)" in err
    lines = out.splitlines()
    assert lines[0] == "1 stack(s) affected: prod-beta"
    assert lines[2] == "STATEFUL LOSS (3): data would be deleted or replaced"  # flagged first
    assert (
        "  ! prod-beta: removed aws:elasticache/replicationGroup:ReplicationGroup b-prod-redis-group"
        in lines
    )
    crd = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition beta-operator-crd"
    assert f"  ! prod-beta: removed {crd}" in lines  # its last listener: the CRD goes too
    code, _, _ = run(capsys, "diff", base, head)
    assert code == 0  # without the flag, a loss is reported but does not fail


def test_changing_a_watched_namespace_replaces_it():
    changed = edit(REFERENCE_TEXT, "namespaces: [team-b]", "namespaces: [team-bee]")
    dev = diff_topologies(model(REFERENCE_TEXT), model(changed)).stacks["dev"]
    removed = {c.name for c in dev.of("removed")}
    assert "b-dev-ns-team-b" in removed
    assert "b-dev-ns-team-bee" in {c.name for c in dev.of("added")}
    assert [c.paths for c in dev.of("changed") if c.name == "b-dev-chart"] == [
        ("values.config.watchNamespaces",)
    ]


def test_in_place_and_forced_replacement_changes():
    changed = edit(
        REFERENCE_TEXT,
        "rds: {instanceClass: db.t4g.large, storageGb: 50}",
        "rds: {instanceClass: db.r6g.large, storageGb: 50}",
    )
    changed = edit(
        changed,
        "general: {instanceType: m6i.2xlarge, minSize: 2, maxSize: 6}",
        "general: {instanceType: m7i.2xlarge, minSize: 2, maxSize: 6}",
    )
    alpha = diff_topologies(model(REFERENCE_TEXT), model(changed)).stacks["prod-alpha"]
    [rds] = [c for c in alpha.changes if c.name == "a-prod-postgres-instance"]
    assert (rds.kind, rds.paths) == ("changed", ("instanceClass",))
    [group] = [c for c in alpha.changes if c.name == "alpha-general"]
    assert group.kind == "replaced"
    assert group.reason == "cannot change in place: instanceTypes"
    assert not group.stateful_loss


def test_adding_a_listener_that_sorts_first_moves_nothing():
    """The cluster owns the operator CRD, so no listener change can move or delete it."""
    early = edit(
        REFERENCE_TEXT, "  a-single:\n", NEW_LISTENER.replace("c-dev", "a-aa-dev") + "  a-single:\n"
    )
    assert diff_topologies(model(REFERENCE_TEXT), model(early)).stateful_losses == []


def test_removing_every_listener_of_a_cluster_deletes_its_crd_a_stateful_loss():
    gone = edit(
        REFERENCE_TEXT,
        "  a-single:\n    workspace: A\n    cluster: single\n    namespaces: [workspace-a]\n"
        "  b-single:\n    workspace: B\n    cluster: single\n    namespaces: [workspace-b]\n",
        "",
    )
    losses = [w for s, w in diff_topologies(model(REFERENCE_TEXT), model(gone)).stateful_losses]
    crd = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition single-operator-crd"
    assert f"removed {crd}" in losses


def test_turning_protection_off_is_a_stateful_risk(capsys, tmp_path):
    off = edit(
        REFERENCE_TEXT,
        "prod-beta: {clusters: [beta], protect: true}",
        "prod-beta: {clusters: [beta]}",
    )
    base, head = write(tmp_path, "a.yaml", REFERENCE_TEXT), write(tmp_path, "b.yaml", off)
    code, _, err = run(capsys, "diff", base, head, "--fail-on-stateful-loss")
    assert code == 3
    assert "1 stateful loss(es)" in err
    losses = diff_topologies(model(REFERENCE_TEXT), model(off)).stateful_losses
    assert losses == [
        (
            "prod-beta",
            "stack prod-beta: protect true -> false removes the protection of every database, "
            "cache, volume, namespace and cluster of the stack",
        )
    ]


def test_stack_added_and_removed():
    added = edit(
        REFERENCE_TEXT,
        "  single: {clusters: [single]}",
        "  single: {clusters: [single]}\n  extra: {clusters: [dev2]}",
    )
    added = edit(
        added,
        "  single:\n    existing:",
        "  dev2:\n    existing: {context: dev2}\n  single:\n    existing:",
    )
    diff = diff_topologies(model(REFERENCE_TEXT), model(added))
    assert diff.stacks["extra"].status == "added"
    diff = diff_topologies(model(added), model(REFERENCE_TEXT))
    assert diff.stacks["extra"].status == "removed"


def test_json_format(capsys, tmp_path):
    base = write(tmp_path, "a.yaml", REFERENCE_TEXT)
    head = write(tmp_path, "b.yaml", edit(REFERENCE_TEXT, *RENAMED))
    code, out, _ = run(capsys, "diff", base, head, "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert data["affectedStacks"] == ["dev"]
    assert data["statefulLoss"] == []
    assert data["stacks"]["dev"]["status"] == "changed"
    assert data["stacks"]["single"]["status"] == "unchanged"
    assert {
        "kind": "renamed",
        "type": "langsmith:index:Listener",
        "name": "team-b-dev",
        "oldName": "b-dev",
    }.items() <= next(
        c for c in data["stacks"]["dev"]["renamed"] if c["type"] == "langsmith:index:Listener"
    ).items()


def test_markdown_summary_first_details_folded():
    removed = edit(REFERENCE_TEXT, "namespaces: [team-b]", "namespaces: [team-bee]")
    text = diff_markdown(
        diff_topologies(model(REFERENCE_TEXT), model(removed)), "base.yaml", "head.yaml"
    )
    assert text.startswith("## Topology diff: base.yaml → head.yaml")
    assert text.index("[!CAUTION]") < text.index("| stack | status |") < text.index("<details>")
    assert "<summary>stack <code>dev</code>" in text


def test_markdown_stays_under_the_comment_limit():
    from langsmith_dataplane.review.diff import Change, StackDiff, TopologyDiff

    def stack(name: str) -> StackDiff:
        changes = [
            Change(
                "added",
                "kubernetes:networking.k8s.io/v1:NetworkPolicy",
                f"{name}-policy-{i}",
                f"urn:{name}:{i}",
            )
            for i in range(400)
        ]
        return StackDiff(name, "changed", changes)

    diff = TopologyDiff({f"s{i}": stack(f"s{i}") for i in range(20)})
    text = diff_markdown(diff, "a", "b")
    assert len(diff_text(diff)) > 5 * MARKDOWN_LIMIT  # the full diff would not fit
    assert len(text) <= MARKDOWN_LIMIT
    assert text.index("| `s19` | changed | 400 |") < text.index("<details>")  # summary is complete
    assert "omitted to keep this comment under 60,000 characters" in text


def test_git_base(capsys, tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    path = repo / "topology.yaml"
    path.write_text(REFERENCE_TEXT)
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run([*git, "add", "."], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "base"], cwd=repo, check=True)
    path.write_text(edit(REFERENCE_TEXT, "  a-single:\n", NEW_LISTENER + "  a-single:\n"))
    code, out, _ = run(capsys, "diff", "--git", "HEAD", str(path))
    assert code == 0
    assert out.startswith("1 stack(s) affected: dev")
    code, _, err = run(capsys, "diff", "--git", "no-such-ref", str(path))
    assert code == 2
    assert "cannot read" in err


def test_invalid_head_reports_errors(capsys, tmp_path):
    base = write(tmp_path, "a.yaml", REFERENCE_TEXT)
    head = write(
        tmp_path, "b.yaml", edit(REFERENCE_TEXT, "namespaces: [team-b]", "namespaces: [team-a]")
    )
    code, out, _ = run(capsys, "diff", base, head)
    assert code == 1
    assert f"{head}:{line_of(REFERENCE_TEXT, 'namespaces: [team-b]')}:18: error:" in out


@pytest.mark.parametrize("argv", [["diff", "only-one.yaml"], ["diff", "a", "b", "c"]])
def test_diff_usage_errors(capsys, argv):
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert "give BASE and HEAD" in err


def test_a_global_change_reaches_every_stack():
    changed = edit(REFERENCE_TEXT, "      ports: [443]\n", "      ports: [443, 8443]\n")
    diff = diff_topologies(model(REFERENCE_TEXT), model(changed))
    assert diff.affected_stacks == sorted(model(REFERENCE_TEXT).stacks)
    dev = diff.stacks["dev"]
    assert {c.name for c in dev.of("changed")} == {
        "dev-egress-a-dev-ns-team-a-allow-llm-provider",
        "dev-egress-b-dev-ns-team-b-allow-llm-provider",
    }
    assert all(c.paths == ("spec.egress",) for c in dev.of("changed"))


def test_the_base_revision_runs_on_this_interpreter_when_it_pins_the_same_packages(
    tmp_path, monkeypatch
):
    """Same pins (order and comments aside): this interpreter. Other pins: the virtualenv built
    once from the base's lock file, cached by its hash (found here without building it)."""
    import sys
    from pathlib import Path

    from langsmith_dataplane.review import git_revision

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    head = "# pinned\npulumi==3.259.0\npyyaml==6.0.2\n"
    same = "pyyaml==6.0.2\n\npulumi==3.259.0  \n"
    assert git_revision.interpreter_for(same, head) == Path(sys.executable)
    other = "pulumi==3.250.0\npyyaml==6.0.2\n"
    venv = git_revision.venv_cache() / git_revision._lock_key(other)
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").symlink_to(sys.executable)
    (venv / ".installed").touch()
    assert git_revision.interpreter_for(other, head) == venv / "bin" / "python"
    assert str(git_revision.venv_cache()).startswith(str(tmp_path))


def test_an_aliased_stack_config_is_refused_at_its_line_not_expanded(capsys, tmp_path):
    """`diff --git` reads both revisions' stacks/Pulumi.<stack>.yaml with the topology's
    limits: an alias bomb there is an error at its line, in well under a second."""
    import time

    repo = tmp_path / "repo"
    (repo / "stacks").mkdir(parents=True)
    path = repo / "topology.yaml"
    path.write_text(REFERENCE_TEXT)
    (repo / "Pulumi.yaml").write_text("name: p\nruntime: python\nstackConfigDir: stacks\n")
    levels = ["  l0: &l0 [x, x, x, x, x, x, x, x, x, x]"] + [
        f"  l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 10)}]" for n in range(1, 7)
    ]
    (repo / "stacks" / "Pulumi.dev.yaml").write_text("config:\n" + "\n".join(levels) + "\n")
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run([*git, "add", "."], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "base"], cwd=repo, check=True)
    started = time.perf_counter()
    code, _, err = run(capsys, "diff", "--git", "HEAD", str(path))
    assert time.perf_counter() - started < 5
    assert code == 2
    assert "stacks/Pulumi.dev.yaml:" in err
    assert "an alias bomb?" in err
