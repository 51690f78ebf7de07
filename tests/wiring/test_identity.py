"""Identity: reordering changes nothing, adding touches nothing, renaming replaces nothing."""

from __future__ import annotations

import yaml

from tests.edits import NEW_LISTENER, RENAMED, reverse_everything
from tests.helpers import REFERENCE_TEXT, edit
from tests.sim import listener_releases, simulated_text


def inventory(sim) -> dict[str, object]:
    return {r.urn: r.inputs for r in sim.resources}


def test_reordering_every_list_and_mapping_changes_nothing():
    data = yaml.safe_load(REFERENCE_TEXT)
    data["listeners"]["a-dev"]["namespaces"] = ["team-a", "team-a-batch"]
    data["controlPlane"]["egressCidrs"] = ["198.51.100.1/32", "198.51.100.2/32"]
    data["egress"]["allow"].append(
        {"name": "search", "cidrs": ["192.0.2.0/24", "198.18.0.0/15"], "ports": [443, 80]}
    )
    original = yaml.safe_dump(data, sort_keys=False)
    reordered = yaml.safe_dump(reverse_everything(data), sort_keys=False)
    assert original != reordered
    for stack in data["stacks"]:
        before, after = simulated_text(original, stack), simulated_text(reordered, stack)
        assert inventory(before) == inventory(after), stack


def test_adding_a_listener_only_adds():
    before = inventory(simulated_text(REFERENCE_TEXT, "dev"))
    after = inventory(
        simulated_text(edit(REFERENCE_TEXT, "  a-single:\n", NEW_LISTENER + "  a-single:\n"), "dev")
    )
    assert set(before) < set(after)
    for urn, inputs in before.items():
        assert after[urn] == inputs, urn
    added = set(after) - set(before)
    assert all("c-dev" in urn.split("::")[-1] for urn in added), sorted(added)
    assert len(added) > 20  # namespaces, stores, secrets, release, registration, policies


def test_adding_a_listener_that_sorts_first_changes_nothing_else():
    """No listener owns the CRD any more, so a new first-by-name listener only adds."""
    early = NEW_LISTENER.replace("c-dev", "a-aa-dev")
    before = inventory(simulated_text(REFERENCE_TEXT, "dev"))
    after = inventory(
        simulated_text(edit(REFERENCE_TEXT, "  a-single:\n", early + "  a-single:\n"), "dev")
    )
    for urn, inputs in before.items():
        assert after[urn] == inputs, urn
    assert not [
        r.inputs["name"]
        for r in listener_releases(
            simulated_text(edit(REFERENCE_TEXT, "  a-single:\n", early + "  a-single:\n"), "dev")
        )
        if r.inputs["values"]["operator"]["createCRDs"]
    ]


def test_renamed_from_keeps_every_object_and_aliases_the_old_names():
    before = simulated_text(REFERENCE_TEXT, "dev")
    after = simulated_text(edit(REFERENCE_TEXT, *RENAMED), "dev")
    old = inventory(before)
    renamed = [r for r in after.resources if "team-b-dev" in r.name]
    assert renamed
    for resource in renamed:
        old_urn = resource.urn.replace("team-b-dev", "b-dev")
        assert old_urn in old, old_urn
        assert resource.inputs == old[old_urn], resource.urn  # same objects: nothing replaced
    [component] = [
        r
        for r in after.resources
        if r.type == "langsmith:index:Listener" and r.name == "team-b-dev"
    ]
    assert component.aliases == ["b-dev"]
    policies = [r for r in renamed if r.type.endswith("NetworkPolicy")]
    assert policies
    assert all(r.aliases == [r.name.replace("team-b-dev", "b-dev")] for r in policies)
    # Every other resource is untouched.
    for resource in after.resources:
        if "team-b-dev" not in resource.name:
            assert old[resource.urn] == resource.inputs, resource.urn


def test_release_keeps_its_name_and_namespace_after_a_rename():
    after = simulated_text(edit(REFERENCE_TEXT, *RENAMED), "dev")
    release = next(r for r in listener_releases(after) if r.name == "team-b-dev-chart")
    assert release.inputs["name"] == "b-dev"
    assert release.inputs["namespace"] == "langgraph-b-dev"
