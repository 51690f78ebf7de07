"""Rules of Cloud SaaS deployments, on the shipped promotion example: file:line:col for each."""

from __future__ import annotations

import pytest

from tests.helpers import REPO, edit, errors_of, line_of, only_error, valid

EXAMPLE = (REPO / "examples/promotion.yaml").read_text()


def test_the_example_holds_all_three_models():
    model = valid(EXAMPLE).model
    assert set(model.cloud_deployments) == {"support-bot-dev"}
    assert model.listeners
    assert model.agent_servers
    assert model.stacks["dev"].clusters == []


@pytest.mark.parametrize(
    "bad",
    [
        "http://github.com/example-org/support-bot",
        "https://gitlab.com/example-org/support-bot",
        "https://github.com/example-org/support-bot.git",
        "https://github.com/example-org/support-bot/tree/main",
        "https://token@github.com/example-org/support-bot",
        "https://github.com/example-org",
        "https://github.com/example-org/support-bot.GIT",
        "https://github.com/example-org-/support-bot",
        "https://github.com/example--org/support-bot",
        "https://github.com/-example/support-bot",
        "https://github.com/example-org/..",
    ],
)
def test_the_repository_is_a_github_com_url(bad):
    text = edit(
        EXAMPLE, "repository: https://github.com/example-org/support-bot", f"repository: {bad}"
    )
    error = only_error(text)
    assert error.rule == "cloud-deployment"
    assert (error.line, error.col) == (line_of(text, "repository:"), 19)


@pytest.mark.parametrize(
    "bad",
    [
        "-main",
        "feature..x",
        "refs/heads/main",
        "main branch",
        "main.lock",
        "a~1",
        "/main",
        "@",
        "feature/.hidden",
        "release.lock/x",
        "a//b",
        "main.",
        "x@{1}",
        "refs/tags/.v1",
    ],
)
def test_the_ref_is_a_branch_or_a_tag(bad):
    text = edit(EXAMPLE, "ref: main", f"ref: '{bad}'")
    error = only_error(text)
    assert error.rule == "cloud-deployment"
    assert error.line == line_of(text, "      ref:")


@pytest.mark.parametrize(
    "good", ["main", "feature/x.y", "release-2.3", "refs/tags/v2.3.0-rc.1", "user@host", "a.b/c"]
)
def test_valid_refs_and_repositories_still_plan(good):
    text = edit(EXAMPLE, "ref: main", f"ref: '{good}'")
    if good.startswith("refs/tags/"):
        text = edit(text, "buildOnPush: true", "buildOnPush: false")
    valid(edit(text, "example-org/support-bot", "ex-ample9/support.bot_2"))


@pytest.mark.parametrize("bad", [r"example\x1borg", "x" * 101])
def test_an_integration_name_is_printable_and_bounded(bad):
    text = edit(EXAMPLE, "integration: example-org", f'integration: "{bad}"')
    error = only_error(text)
    assert error.rule == "cloud-deployment"
    assert "at most 100 printable characters" in error.message
    assert error.line == line_of(text, "integration:")


def test_a_tag_never_builds_on_push():
    text = edit(EXAMPLE, "ref: main", "ref: refs/tags/v2.3.0")
    error = only_error(text)
    assert error.rule == "cloud-deployment"
    assert (error.line, error.col) == (line_of(text, "buildOnPush: true"), 20)
    assert "is a tag" in error.message
    assert valid(edit(text, "buildOnPush: true", "buildOnPush: false"))


@pytest.mark.parametrize("bad", ["/langgraph.json", "../langgraph.json", "conf/langgraph.yaml"])
def test_the_config_path_is_relative_json(bad):
    text = edit(EXAMPLE, "configPath: langgraph.json", f"configPath: {bad}")
    error = only_error(text)
    assert error.line == line_of(text, "configPath:")


def test_unknown_workspace_and_stack_suggest():
    text = edit(EXAMPLE, "    stack: dev\n", "    stack: dve\n")
    text = edit(
        text, "    workspace: support\n    stack: dve", "    workspace: suport\n    stack: dve"
    )
    messages = {e.message for e in errors_of(text) if e.rule == "cloud-deployment"}
    assert "unknown stack 'dve' (did you mean 'dev'?)" in messages
    assert "unknown workspace 'suport' (did you mean 'support'?)" in messages


@pytest.mark.parametrize(
    "name", ["LANGSMITH_API_KEY", "PORT", "1BAD", "LANGCHAIN_PROJECT", "LOG_JSON", "LSD_ENV"]
)
def test_env_names_the_platform_owns_are_refused(name):
    text = edit(EXAMPLE, "env: {LOG_LEVEL: debug}", f"env: {{{name}: x}}")
    error = only_error(text)
    assert error.rule == "cloud-deployment"
    assert f"variable '{name}'" in error.message


def test_a_secret_env_value_is_a_reference_never_echoed():
    leaked = "sk-proj-0123456789abcdefghijklmnopqrstuvwxyzABCD"
    text = edit(
        EXAMPLE,
        "secretEnv: {OPENAI_API_KEY: openai.devKey}",
        f"secretEnv: {{OPENAI_API_KEY: {leaked}}}",
    )
    errors = errors_of(text)
    assert errors
    assert all(leaked not in e.message for e in errors)


def test_a_name_shared_with_a_hybrid_deployment_of_the_workspace_is_refused():
    text = edit(EXAMPLE, "  support-bot-dev:\n", "  support-bot:\n")
    error = only_error(text)
    assert error.rule == "cloud-deployment-name"
    assert (error.line, error.col) == (line_of(text, "  support-bot:"), 3)
    assert "listener 'support-prod''s deployment" in error.message


def test_a_stack_owning_nothing_is_refused():
    text = edit(EXAMPLE, "  dev: {}\n", "  dev: {}\n  spare: {}\n")
    error = only_error(text)
    assert error.rule == "stack-empty"
    assert (error.line, error.col) == (line_of(text, "  spare:"), 3)


def test_a_name_shared_with_an_agent_servers_tracing_project_is_refused():
    text = edit(EXAMPLE, "  support-bot-dev:\n", "  support-search:\n")
    error = only_error(text)
    assert error.rule == "cloud-deployment-name"
    assert "Agent Server 'support-search''s tracing project" in error.message
