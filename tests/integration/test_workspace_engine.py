"""A new workspace in one pull request, through the real engine: from an organisation without
the workspace to the workspace, a service key per listener and server, the registered listener
and the releases holding those keys; then a rotation, a key revoked in the UI, and destroy.

The control plane and the platform API are the local fakes (HTTPS, every request and response
checked against the published documents); the cluster is the suite's real kube-apiserver; the
charts are the real ones. The only secret typed is the organisation admin's key (and the
server's license key). The steps build on each other and run in file order.
"""

from __future__ import annotations

import base64
import json

import pytest

from tests.artifacts import charts_root, platform_openapi
from tests.fake_platform import Platform
from tests.helpers import REPO, edit
from tests.integration.conftest import (
    api_clients,
    running_control_plane,
    serving_fake_control_plane,
)
from tests.integration.engine import keep_log, plain, ready_project
from tests.integration.review_matrix import REASONS, compare, compare_code, compare_config, short

pytestmark = pytest.mark.integration

ORG = "0b9b7c1e-3a5d-4f6e-8a7b-9c0d1e2f3a4b"
ADMIN = "lsv2_sk_" + "ad" * 16 + "_0123456789"
LICENSE = "integration-license-not-a-secret-4567"
STACK = "team-c"

TOPOLOGY = """\
version: 1
controlPlane:
  hostBackendUrl: {url}
  smithBackendUrl: {url}
  egressCidrs: [127.0.0.1/32]
  organizationId: {org}
  adminKey: langsmith.adminKey
workspaces:
  team-c:
    displayName: Team C
    handle: team-c
    owner: {stack}
    serviceKeys: {{role: Editor, generation: 1}}
clusters:
  local:
    existing: {{context: integration}}
    ingress: gateway
    gateway: {{name: agents, namespace: gateway-system}}
    addons: {{keda: false, metricsServer: false, gatewayController: false}}
listeners:
  c-dev:
    workspace: team-c
    cluster: local
    namespaces: [c-agents]
agentServers:
  c-search:
    workspace: team-c
    cluster: local
    namespace: c-search
    image: registry.example.com/search:1.0.0
    licenseKey: langgraph.licenseKey
stacks:
  {stack}: {{clusters: [local]}}
"""


@pytest.fixture(scope="module")
def control_plane(tmp_path_factory):
    yield from running_control_plane(tmp_path_factory.mktemp("workspace-cluster"))


@pytest.fixture(scope="module")
def api(control_plane):
    return api_clients(control_plane)


@pytest.fixture(scope="module")
def organisation() -> Platform:
    return Platform(ORG, {ADMIN}, openapi=platform_openapi())


@pytest.fixture(scope="module")
def fake_cp(control_plane, organisation):
    # No workspace key is configured anywhere: the only keys the control plane accepts are
    # the service keys the stack makes through the platform API.
    yield from serving_fake_control_plane(control_plane, {}, platform=organisation)


@pytest.fixture(scope="module")
def topology(fake_cp) -> str:
    return TOPOLOGY.format(url=fake_cp.url, org=ORG, stack=STACK)


@pytest.fixture(scope="module")
def project(control_plane, fake_cp, tmp_path_factory, topology):
    project = ready_project(
        tmp_path_factory.mktemp("workspace-project"),
        stack=STACK,
        kubeconfig=control_plane.kubeconfig,
        ca_file=control_plane.pki.ca_cert,
        topology=topology,
        settings={
            "langsmith-dataplane:chartsDir": str(charts_root()),
            "langsmith-dataplane:skipAwait": "true",
        },
        secrets={"langsmith.adminKey": ADMIN, "langgraph.licenseKey": LICENSE},
    )
    yield project
    keep_log(project)


def live_workspaces(organisation: Platform) -> list[dict]:
    return [w for w in organisation.workspaces.values() if not w["is_deleted"]]


def keys_by_owner(organisation: Platform) -> dict[str, dict]:
    """The service keys by the workload their description names."""
    out = {}
    for key in organisation.service_keys.values():
        for owner in ("listener c-dev", "agent-server c-search"):
            if f": {owner} on" in key["description"]:
                assert owner not in out, f"two keys for {owner}"
                out[owner] = key
    assert len(out) == len(organisation.service_keys), organisation.service_keys
    return out


def secret_value(api, name: str, namespace: str, key: str) -> str:
    _, core = api
    return base64.b64decode(core.read_namespaced_secret(name, namespace).data[key]).decode()


def held_keys(api) -> dict[str, str]:
    """The key each workload's Secret holds, as the cluster has it."""
    return {
        "listener c-dev": secret_value(
            api, "c-dev-langsmith-api-key", "langgraph-c-dev", "langsmith_api_key"
        ),
        "agent-server c-search": secret_value(
            api, "c-search-langgraph-keys", "c-search", "api_key"
        ),
    }


def secret_uids(api) -> dict[str, str]:
    _, core = api
    return {
        name: core.read_namespaced_secret(name, namespace).metadata.uid
        for name, namespace in (
            ("c-dev-langsmith-api-key", "langgraph-c-dev"),
            ("c-search-langgraph-keys", "c-search"),
        )
    }


def helm_revisions(api, release: str) -> int:
    _, core = api
    secrets = core.list_secret_for_all_namespaces(label_selector=f"owner=helm,name={release}")
    return len(secrets.items)


def test_up_creates_the_workspace_its_keys_the_listener_and_the_server(
    project, api, fake_cp, organisation
):
    assert live_workspaces(organisation) == []  # the organisation starts without it
    result = project.up()
    assert "error" not in plain(result.out).lower().split("outputs:")[0]
    [workspace] = live_workspaces(organisation)
    assert (workspace["display_name"], workspace["tenant_handle"]) == ("Team C", "team-c")
    keys = keys_by_owner(organisation)
    assert set(keys) == {"listener c-dev", "agent-server c-search"}
    editor = next(r["id"] for r in organisation_roles() if r["display_name"] == "Editor")
    for key in keys.values():
        assert key["_workspaces"] == [workspace["id"]]  # scoped to exactly this workspace
        assert key["role_id"] == editor
        assert key["description"].endswith("(stack team-c), generation 1")
    # The listener was registered in the new workspace with its own key (the fake control
    # plane accepts only keys scoped to the tenant), and its release holds that key.
    [listener] = fake_cp.state.listeners.values()
    assert listener["_tenant"] == workspace["id"]
    assert held_keys(api) == {owner: key["_secret"] for owner, key in keys.items()}
    registered_with = [
        headers.get("X-Api-Key")
        for method, path, headers in fake_cp.state.requests
        if method == "POST" and path.startswith("/v2/listeners")
    ]
    assert registered_with == [keys["listener c-dev"]["_secret"]]
    outputs = project.outputs()
    assert outputs["workspaces"]["team-c"]["id"] == workspace["id"]
    assert outputs["workspaces"]["team-c"]["source"] == "created"


def organisation_roles() -> list[dict]:
    from tests.fake_platform import ROLES

    return ROLES


def test_a_second_up_changes_nothing(project):
    project.up("--expect-no-changes")


def test_no_key_in_state_or_engine_output(project, organisation):
    state = json.dumps(project.export())
    values = [ADMIN, LICENSE, *(k["_secret"] for k in organisation.service_keys.values())]
    for value in values:
        assert value not in state
        assert all(value not in entry for entry in project.log)


MATRIX = {
    "rotation": ("generation: 1", "generation: 2"),
    "listener rename": ("  c-dev:\n", "  c-main:\n    renamedFrom: c-dev\n"),
    "secret reference": ("licenseKey: langgraph.licenseKey", "licenseKey: langgraph.nextLicense"),
    "image bump": ("search:1.0.0", "search:1.0.1"),
    "watched namespaces": ("namespaces: [c-agents]", "namespaces: [c-agents, c-more]"),
    "role": ("role: Editor", "role: Admin"),
    "workspace rename": ("displayName: Team C", "displayName: Team C (search)"),
    "deletion allowed": ("    owner: ", "    allowDeletion: true\n    owner: "),
}


@pytest.mark.parametrize("change", sorted(MATRIX))
def test_the_review_lists_what_the_preview_does(project, topology, tmp_path, change):
    """Every create, update, replace and delete of the real engine's preview, and nothing
    else, under the same kind in `dataplane diff` (a rotated key is a replacement there)."""
    project.config("langgraph.nextLicense", LICENSE + "-next", secret=True)
    old, new = MATRIX[change]
    engine, review = compare(project, STACK, topology, edit(topology, old, new), tmp_path)
    assert engine, f"{change}: the preview changes nothing"
    assert short(review) == short(engine), json.dumps(
        [short(review), short(engine), REASONS], indent=1
    )


def test_the_review_lists_what_a_stack_config_change_previews(project):
    """A setting the program reads (`skipAwait`: every release's and store's waits), reviewed
    with `diff --git` as CI does: each side simulated with its own stack config."""
    engine, review = compare_config(
        project, STACK, "langsmith-dataplane:skipAwait", "true", "false"
    )
    assert engine, "the preview changes nothing"
    assert short(review) == short(engine), json.dumps(
        [short(review), short(engine), REASONS], indent=1
    )


def test_the_review_lists_what_a_code_change_previews(project, tmp_path):
    """The program changed (the listener release's timeout), reviewed with `diff --git` from a
    repository holding the program: each side planned with its own code."""
    engine, review = compare_code(
        project,
        STACK,
        REPO,
        tmp_path,
        "            timeout=900,\n            depends_on=[*watched",
        "            timeout=1200,\n            depends_on=[*watched",
        "components/listener.py",
    )
    assert short(engine) == {"update": ["kubernetes:helm.sh/v3:Release::c-dev-chart"]}
    assert short(review) == short(engine), json.dumps([short(review), short(engine)], indent=1)


def test_rotation_creates_new_keys_rolls_the_releases_then_revokes_the_old(
    project, api, fake_cp, organisation, topology
):
    old = {owner: key["id"] for owner, key in keys_by_owner(organisation).items()}
    before = helm_revisions(api, "c-dev")
    uids = secret_uids(api)
    fake_cp.state.requests.clear()
    project.write_topology(edit(topology, "generation: 1", "generation: 2"))
    project.up()
    new = keys_by_owner(organisation)
    assert set(new) == set(old)
    assert not set(old.values()) & {k["id"] for k in new.values()}
    assert all(k["description"].endswith("generation 2") for k in new.values())
    assert held_keys(api) == {owner: key["_secret"] for owner, key in new.items()}
    assert helm_revisions(api, "c-dev") == before + 1  # the release rolled with the new key
    # The Secrets were updated in place, never deleted first: no pod starts and finds none.
    assert secret_uids(api) == uids
    # Each new key existed before its old one was revoked.
    order = [
        (method, path.split("?")[0])
        for method, path, _ in fake_cp.state.requests
        if "/service-keys" in path and method in ("POST", "DELETE")
    ]
    for _owner, old_id in old.items():
        revoked = order.index(("DELETE", f"/api/v1/orgs/current/service-keys/{old_id}"))
        assert ("POST", "/api/v1/orgs/current/service-keys") in order[:revoked]
    project.up("--expect-no-changes")


def test_a_role_change_is_made_in_place_and_cuts_nothing_off(
    project, api, fake_cp, organisation, topology
):
    """A new role is the service's PATCH: the same keys, the same values in the Secrets, no
    release rolled, and no key revoked while anything holds it."""
    before = keys_by_owner(organisation)
    held = held_keys(api)
    revisions = helm_revisions(api, "c-dev")
    fake_cp.state.requests.clear()
    current = edit(topology, "generation: 1", "generation: 2")
    project.write_topology(edit(current, "role: Editor", "role: Admin"))
    project.up()
    after = keys_by_owner(organisation)
    assert {o: k["id"] for o, k in after.items()} == {o: k["id"] for o, k in before.items()}
    admin = next(r["id"] for r in organisation_roles() if r["name"] == "WORKSPACE_ADMIN")
    assert all(k["role_id"] == admin for k in after.values())
    assert held_keys(api) == held
    assert helm_revisions(api, "c-dev") == revisions
    writes = [
        (method, path.split("?")[0])
        for method, path, _ in fake_cp.state.requests
        if "/service-keys" in path and method != "GET"
    ]
    assert writes
    assert all(method == "PATCH" for method, _ in writes)
    project.up("--expect-no-changes")
    project.write_topology(current)
    project.up()


def test_a_key_revoked_in_the_ui_is_made_again_by_refresh_and_up(project, api, organisation):
    revoked = keys_by_owner(organisation)["listener c-dev"]
    del organisation.service_keys[revoked["id"]]  # revoked in the UI
    project.run("refresh", "--yes", "--skip-preview")
    project.up()
    again = keys_by_owner(organisation)["listener c-dev"]
    assert again["id"] != revoked["id"]
    assert held_keys(api)["listener c-dev"] == again["_secret"]
    project.up("--expect-no-changes")


def test_destroy_revokes_the_keys_and_keeps_the_workspace(project, fake_cp, organisation):
    result = project.run("destroy", "--yes", "--skip-preview")
    assert organisation.service_keys == {}
    assert fake_cp.state.listeners == {}
    [kept] = live_workspaces(organisation)  # its traces and datasets stay
    assert kept["tenant_handle"] == "team-c"
    # Said in one line of the engine's output, not only as `delete[retain]`.
    assert f"workspace team-c ({kept['id']}) kept in LangSmith with its traces" in plain(result.out)


def test_up_again_recognises_its_own_and_destroy_with_deletion_allowed_deletes_it(
    project, organisation, topology
):
    [kept] = live_workspaces(organisation)
    allowed = edit(topology, "    owner: ", "    allowDeletion: true\n    owner: ")
    project.write_topology(allowed)
    project.up()
    [same] = live_workspaces(organisation)
    # Recognised by the id the stack gave it (not by its handle): not created twice.
    assert same["id"] == kept["id"]
    project.run("destroy", "--yes", "--skip-preview")
    assert live_workspaces(organisation) == []
    assert organisation.service_keys == {}


def test_someone_elses_workspace_is_neither_adopted_nor_deleted_unless_the_topology_says(
    project, organisation, topology
):
    """A workspace of that handle the stack did not make: `up` refuses, naming `adopt`; with
    `adopt: <id>` it is taken over; without `allowDeletion`, destroy keeps it."""
    status, theirs = organisation._create_workspace(
        {"display_name": "Theirs", "tenant_handle": "team-c"}
    )
    assert status == 200
    failed = project.up(check=False)
    assert failed.code != 0
    assert f"adopt: {theirs['id']}" in plain(failed.text)
    assert [w["id"] for w in live_workspaces(organisation)] == [theirs["id"]]
    assert organisation.service_keys == {}
    project.run("refresh", "--yes", "--skip-preview")
    adopting = edit(topology, "    owner: ", f"    adopt: {theirs['id']}\n    owner: ")
    project.write_topology(adopting)
    project.up()
    [taken] = live_workspaces(organisation)
    assert taken["id"] == theirs["id"]
    assert taken["display_name"] == "Team C"  # brought in line with the topology
    assert project.outputs()["workspaces"]["team-c"]["id"] == theirs["id"]
    project.up("--expect-no-changes")
    project.run("destroy", "--yes", "--skip-preview")
    assert [w["id"] for w in live_workspaces(organisation)] == [theirs["id"]]  # kept
