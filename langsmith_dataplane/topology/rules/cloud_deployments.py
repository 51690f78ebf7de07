"""Cloud SaaS deployments: references, the GitHub source, names shared with hybrid deployments."""

from __future__ import annotations

import re
from collections.abc import Iterator

from langsmith_dataplane.diagnostics import Diagnostic
from langsmith_dataplane.suggest import suggester
from langsmith_dataplane.topology.rules.deployments import env_name_problem
from langsmith_dataplane.topology.rules.registry import RFC1123_PATTERN, RuleContext, rule
from langsmith_dataplane.topology.rules.secrets import looks_like_credential

# What LangChain's GitHub App builds from: a repository on github.com, nothing else in the URL.
# An owner is what GitHub allows in a login: 1-39 letters, digits and single hyphens, neither
# first nor last; a repository name 1-100 of [A-Za-z0-9._-], not `.` or `..`, no `.git`.
GITHUB_REPOSITORY = re.compile(
    r"https://github\.com/(?P<owner>[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38})/(?P<repo>[A-Za-z0-9._-]{1,100})"
)
INTEGRATION_MAX = 100
TAG_PREFIX = "refs/tags/"
_REF_FORBIDDEN = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]")
_CONFIG_PATH = re.compile(r"[A-Za-z0-9._/-]+\.json")
NAME_MAX = 63


def without_userinfo(url: str) -> str:
    """The URL as a message may show it: a user or token before '@' is never repeated."""
    scheme, sep, rest = url.partition("://")
    authority, slash, path = rest.partition("/")
    if sep and "@" in authority:
        return f"{scheme}://[credentials removed]@{authority.rsplit('@', 1)[1]}{slash}{path}"
    return url


def repository_problem(url: str) -> str | None:
    match = GITHUB_REPOSITORY.fullmatch(url)
    repo = match.group("repo") if match else ""
    if (
        match is None
        or len(match.group("owner")) > 39
        or repo in (".", "..")
        or repo.lower().endswith(".git")
    ):
        return (
            "must be https://github.com/<owner>/<repo> (no .git, path, query or credentials): "
            "LangChain builds Cloud SaaS deployments from github.com repositories"
        )
    return None


def ref_problem(ref: str) -> str | None:
    """The whole of `git check-ref-format`, component by component (none empty, none starting
    with '.' or ending in '.lock'; no '..', '@{', control characters, space or '~^:?*[\\'; not
    '@' alone; no trailing '.'), and no leading '-' (an option to git)."""
    name = ref.removeprefix(TAG_PREFIX)
    if ref.startswith("refs/") and not ref.startswith(TAG_PREFIX):
        return "is a full ref: give a branch by its name (main) or a tag as refs/tags/<tag>"
    components = name.split("/")
    if (
        not name
        or name == "@"
        or len(ref) > 255
        or name.startswith("-")
        or name.endswith(".")
        or ".." in name
        or "@{" in name
        or _REF_FORBIDDEN.search(name)
        or any(not part or part.startswith(".") or part.endswith(".lock") for part in components)
    ):
        return (
            "is not a git branch or tag name (git check-ref-format: no spaces, '..', '@{', "
            "'~^:?*[\\', empty parts, a part starting with '.' or ending in '.lock', '@' alone, "
            "a leading '-' or a trailing '.')"
        )
    return None


def config_path_problem(path: str) -> str | None:
    parts = path.split("/")
    if not _CONFIG_PATH.fullmatch(path) or path.startswith("/") or ".." in parts or "" in parts:
        return "must be a relative path in the repository to a .json file (no '..')"
    return None


@rule("cloud-deployment")
def cloud_deployments_can_be_created(ctx: RuleContext) -> Iterator[Diagnostic]:
    """A Cloud SaaS deployment names a known workspace and stack, a github.com repository, a
    branch or `refs/tags/<tag>` (never with `buildOnPush`), a relative `configPath`, and
    variables that are valid, not reserved and not in both `env` and `secretEnv`.

    LangChain builds from the repository at the ref; tags are immutable, so they never build on
    push.
    """
    t = ctx.topology
    workspaces, stacks = suggester(tuple(t.workspaces)), suggester(tuple(t.stacks))
    for name, cloud in t.cloud_deployments.items():
        path = ("cloudDeployments", name)
        if len(name) > NAME_MAX or not RFC1123_PATTERN.fullmatch(name):
            yield ctx.error(
                path,
                f"Cloud deployment name '{name}' must be at most {NAME_MAX} lowercase letters, "
                "digits or '-' (it names the deployment's URL and tracing project)",
                at="key",
            )
        if cloud.workspace not in t.workspaces:
            hint = workspaces.hint(cloud.workspace)
            yield ctx.error((*path, "workspace"), f"unknown workspace '{cloud.workspace}'{hint}")
        if cloud.stack not in t.stacks:
            yield ctx.error(
                (*path, "stack"), f"unknown stack '{cloud.stack}'{stacks.hint(cloud.stack)}"
            )
        source = cloud.github
        if problem := repository_problem(source.repository):
            yield ctx.error(
                (*path, "github", "repository"),
                f"repository '{without_userinfo(source.repository)}' {problem}",
            )
        if problem := ref_problem(source.ref):
            yield ctx.error((*path, "github", "ref"), f"ref '{source.ref}' {problem}")
        elif source.ref.startswith(TAG_PREFIX) and source.build_on_push:
            yield ctx.error(
                (*path, "github", "buildOnPush"),
                f"ref '{source.ref}' is a tag, and a tag never changes: buildOnPush must be false "
                "(change the ref in the topology to deploy another tag)",
            )
        if problem := config_path_problem(source.config_path):
            yield ctx.error(
                (*path, "github", "configPath"), f"configPath '{source.config_path}' {problem}"
            )
        if not source.integration.strip():
            yield ctx.error(
                (*path, "github", "integration"), "integration must name the GitHub integration"
            )
        elif looks_like_credential(source.integration):
            yield ctx.error(
                (*path, "github", "integration"),
                "integration looks like a credential, not the GitHub account the LangSmith "
                "GitHub App is installed on: remove it from the file and revoke it",
            )
        elif len(source.integration) > INTEGRATION_MAX or any(
            not ch.isprintable() for ch in source.integration
        ):
            yield ctx.error(
                (*path, "github", "integration"),
                f"integration must be the GitHub account the LangSmith GitHub App is installed "
                f"on, or the integration's id: at most {INTEGRATION_MAX} printable characters",
            )
        for field, values in (("env", cloud.env), ("secretEnv", cloud.secret_env)):
            for env in values:
                if problem := env_name_problem(env):
                    yield ctx.error((*path, field, env), f"variable '{env}' {problem}", at="key")
        for env in sorted(set(cloud.env) & set(cloud.secret_env)):
            yield ctx.error(
                (*path, "secretEnv", env),
                f"variable '{env}' is in both 'env' and 'secretEnv'",
                at="key",
            )


@rule("cloud-deployment-name")
def names_unique_across_models(ctx: RuleContext) -> Iterator[Diagnostic]:
    """A Cloud deployment's name is not also a hybrid deployment's name, nor a standalone Agent
    Server's tracing project, in its workspace.

    LangSmith names deployments, and the tracing projects they make, per workspace, whatever
    runs them.
    """
    taken: dict[tuple[str, str], str] = {}
    for lname, listener in sorted(ctx.topology.listeners.items()):
        for dname in listener.deployments:
            taken.setdefault((listener.workspace, dname), f"listener '{lname}''s deployment")
    for sname, server in sorted(ctx.topology.agent_servers.items()):
        project = server.tracing_project or sname
        taken.setdefault((server.workspace, project), f"Agent Server '{sname}''s tracing project")
    for name, cloud in sorted(ctx.topology.cloud_deployments.items()):
        owner = taken.get((cloud.workspace, name))
        if owner is not None:
            yield ctx.error(
                ("cloudDeployments", name),
                f"Cloud deployment '{name}' has the name of {owner} in workspace "
                f"'{cloud.workspace}': LangSmith names deployments and their tracing projects "
                f"per workspace, whatever runs them; rename one (e.g. '{name}-cloud')",
                at="key",
            )


RULES = (cloud_deployments_can_be_created, names_unique_across_models)
