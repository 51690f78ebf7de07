"""The stack settings the program reads, all in the project's own config namespace.

They are declared in `Pulumi.yaml` (type, description, default), which Pulumi allows only for
the project's namespace. Before, they lived under `langsmith:`; a stack that still sets one gets
an error naming the old key and the command that moves it, never a silent default.
"""

from __future__ import annotations

from collections.abc import Callable

NAMESPACE = "langsmith-dataplane"
OLD_NAMESPACE = "langsmith"

TOPOLOGY = "topology"
CHARTS_DIR = "chartsDir"
CHART_PATH = "chartPath"
AGENT_SERVER_CHART_PATH = "agentServerChartPath"
WAIT_FOR_REVISIONS = "waitForRevisions"
SKIP_AWAIT = "skipAwait"
REVISION_TIMEOUT = "revisionTimeout"
KEYS = (
    TOPOLOGY,
    CHARTS_DIR,
    CHART_PATH,
    AGENT_SERVER_CHART_PATH,
    WAIT_FOR_REVISIONS,
    SKIP_AWAIT,
    REVISION_TIMEOUT,
)

DEFAULT_TOPOLOGY = "topology.yaml"
BOOLEANS = (WAIT_FOR_REVISIONS, SKIP_AWAIT)  # `type: boolean` in Pulumi.yaml
INTEGERS = (REVISION_TIMEOUT,)  # `type: integer`
REVISION_TIMEOUT_RANGE = (1, 86_400)


def revision_timeout_problem(timeout: int | None) -> str | None:
    """Why the program refuses a `revisionTimeout`, or None."""
    low, high = REVISION_TIMEOUT_RANGE
    if timeout is None or low <= timeout <= high:
        return None
    return (
        f"{setting(REVISION_TIMEOUT)} is {timeout}: give the seconds to wait for a revision, "
        f"{low} to {high}"
    )


def setting(key: str) -> str:
    """`langsmith-dataplane:<key>`: how a setting is written on the command line."""
    return f"{NAMESPACE}:{key}"


def moved_settings_message(stack: str, old_value: Callable[[str], str | None]) -> str | None:
    """What to run when the stack still sets a `langsmith:` setting, or None."""
    moved = [key for key in KEYS if old_value(key) is not None]
    if not moved:
        return None
    commands = "\n".join(
        f"  pulumi config -s {stack} rm {OLD_NAMESPACE}:{key} && "
        f"pulumi config -s {stack} set {setting(key)} <value>"
        for key in moved
    )
    names = ", ".join(f"{OLD_NAMESPACE}:{key}" for key in moved)
    return (
        f"stack {stack} sets {names}: these settings moved to the project's namespace "
        f"({NAMESPACE}:) and the old keys are no longer read. Move them:\n{commands}"
    )
