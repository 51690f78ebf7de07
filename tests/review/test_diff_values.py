"""What `diff` says of a change: rotations as rotations, secret references by name, old and
new values, deletions armed, and what a rename of a key holder remakes."""

from __future__ import annotations

import json
from pathlib import Path

from langsmith_dataplane.cli import main
from langsmith_dataplane.review.diff import diff_topologies
from langsmith_dataplane.review.diff_format import diff_markdown, diff_text
from langsmith_dataplane.review.shown_values import at_path, old_and_new, pair
from langsmith_dataplane.simulation import Secret, placeholder_for
from langsmith_dataplane.topology import parse_topology
from tests.helpers import edit

REPO = Path(__file__).resolve().parents[2]
NEW_WORKSPACE = (REPO / "examples/new-workspace.yaml").read_text()
PROMOTION = (REPO / "examples/promotion.yaml").read_text()


def model(text: str):
    return parse_topology(text).model


def run(capsys, tmp_path, base: str, head: str, *argv: str) -> tuple[int, str]:
    (tmp_path / "a.yaml").write_text(base)
    (tmp_path / "b.yaml").write_text(head)
    code = main(["diff", str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml"), *argv])
    return code, capsys.readouterr().out


def test_a_rotation_is_its_own_kind_and_passes_the_stateful_loss_gate(capsys, tmp_path):
    rotated = edit(NEW_WORKSPACE, "generation: 1", "generation: 2")
    code, out = run(capsys, tmp_path, NEW_WORKSPACE, rotated, "--fail-on-stateful-loss")
    assert code == 0
    assert "STATEFUL LOSS" not in out
    assert "stack platform-us (changed): 5 changed, 2 rotated" in out
    assert "rotated: a new key, handed to what holds it before the old one is revoked" in out
    assert "generation (1 -> 2)" in out
    # What holds the key is shown changing, and which releases roll.
    assert "c-prod-api-key: stringData.langsmith_api_key ([secret] -> [secret, new value])" in out
    assert (
        "c-prod-chart: values.listener.deployment.annotations.langsmith.com/secrets-checksum ("
        in out
    )
    assert "[release upgraded; pods roll]" in out
    code, out = run(capsys, tmp_path, NEW_WORKSPACE, rotated, "--format", "json")
    data = json.loads(out)
    assert data["statefulLoss"] == []
    assert len(data["stacks"]["platform-us"]["rotated"]) == 2


def test_deleting_a_workspace_stays_a_stateful_loss():
    gone = edit(NEW_WORKSPACE, "owner: platform-us", "owner: platform-us\n    allowDeletion: true")
    diff = diff_topologies(model(NEW_WORKSPACE), model(gone))
    cautions = diff.stacks["platform-us"].cautions
    assert len(cautions) == 1
    assert "allow_deletion false -> true" in cautions[0]
    assert diff.stateful_losses == []  # armed, not lost yet
    text = diff_text(diff)
    assert "! caution: langsmith/WorkspaceRecord workspace-team-c-record: allow_deletion" in text
    assert "[!WARNING]" in diff_markdown(diff, "a", "b")


def test_a_changed_secret_reference_is_a_change_shown_by_name(capsys, tmp_path):
    moved = edit(PROMOTION, "openai.prodKey", "openai.prodKeyNext")
    code, out = run(capsys, tmp_path, PROMOTION, moved)
    assert code == 0
    assert "1 stack(s) affected: prod" in out
    assert (
        "stringData.OPENAI_API_KEY ([secret openai.prodKey] -> [secret openai.prodKeyNext])" in out
    )
    assert (
        "langsmith/Deployment  support-prod-agent-support-bot: env.DATAPLANE_SECRETS_CHECKSUM"
        in out
    )
    assert "[a new revision]" in out


def test_a_renamed_key_holder_says_its_key_is_made_anew(capsys, tmp_path):
    renamed = edit(NEW_WORKSPACE, "  c-prod:\n", "  c-main:\n    renamedFrom: c-prod\n")
    code, out = run(capsys, tmp_path, NEW_WORKSPACE, renamed, "--fail-on-stateful-loss")
    assert code == 0  # the old key goes after the holder switched: Pulumi deletes last
    assert "nothing replaced" not in out
    assert "+ langsmith/ServiceKey  workspace-team-c-key-listener-c-main" in out
    assert (
        "- langsmith/ServiceKey  workspace-team-c-key-listener-c-prod: rotated: revoked once its "
        "holder has switched to workspace-team-c-key-listener-c-main" in out
    )
    assert (
        "made anew all the same: langsmith/ServiceKey workspace-team-c-key-listener-c-prod" in out
    )


def test_old_and_new_values_of_plain_inputs():
    changed = edit(
        NEW_WORKSPACE,
        "cluster: us-east\n    namespaces: [team-c]",
        "cluster: us-east\n    namespaces: [team-c, more]",
    )
    text = diff_text(diff_topologies(model(NEW_WORKSPACE), model(changed)))
    assert 'namespaces (["team-c"] -> ["more", "team-c"])' in text


def test_values_never_show_a_secret_and_find_keys_holding_dots():
    old = {"values": {"a": {"x.io/sum": "1"}}, "key": Secret("lsv2_sk_real")}
    new = {"values": {"a": {"x.io/sum": "2"}}, "key": Secret(placeholder_for("team.key"))}
    shown = old_and_new(old, new, ("values.a.x.io/sum", "key"))
    assert shown == (("values.a.x.io/sum", "1", "2"), ("key", "[secret]", "[secret team.key]"))
    assert at_path({"a": 1}, "b.c") == "(none)"
    long_old, long_new = "x" * 100 + "old", "x" * 100 + "new"
    a, b = pair(long_old, long_new)
    assert a.endswith("old")
    assert b.endswith("new")
    assert len(a) <= 72


def test_a_role_change_shows_what_the_preview_will_update():
    """The key is updated in place; the engine knows none of its outputs until `up`, so what
    reads the key is an update in the preview too, said as such."""
    diff = diff_topologies(
        model(NEW_WORKSPACE), model(edit(NEW_WORKSPACE, "role: Editor", "role: Admin"))
    )
    eu = diff.stacks["platform-eu"]
    assert eu.of("replaced") == eu.of("rotated") == []
    assert sorted((c.type, c.name) for c in eu.of("changed")) == [
        ("kubernetes:core/v1:Secret", "c-eu-api-key"),
        ("kubernetes:helm.sh/v3:Release", "c-eu-chart"),
        ("langsmith/Registration", "c-eu-registration"),
        ("langsmith/ServiceKey", "workspace-team-c-key-listener-c-eu"),
    ]
    text = diff_text(diff)
    assert "role (Editor -> Admin)" in text
    assert "the preview shows an update that may change nothing" in text


def test_a_renamed_workspace_replaces_nothing_that_reads_its_id():
    renamed = edit(NEW_WORKSPACE, "displayName: Team C", "displayName: Team C (US)")
    diff = diff_topologies(model(NEW_WORKSPACE), model(renamed))
    us = diff.stacks["platform-us"]
    assert us.of("replaced") == us.of("rotated") == us.of("removed") == []
    assert "langsmith/WorkspaceRecord" in {c.type for c in us.of("changed")}
