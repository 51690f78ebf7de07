"""What a stack's config file makes the program do, for the review's simulation.

`pulumi up` reads `skipAwait`, `waitForRevisions` and `revisionTimeout` from the stack's config
(`entrypoint.options_from_config`), and they are inputs of the releases, the stores and the
deployments: a review that simulated every stack with the defaults would call a change of one
"no change" while the preview updates every release. So each side is simulated with its own
stack's values. A value the program would refuse is the defaults here; `stack_checks` reports
it as a failed review. The chart settings (`chartsDir`, `chartPath`, ...) are listed by key, as
every changed key is, and not simulated: they name directories of the deploying machine, which
the reviewing one may not have. Moving a chart between local copies is no change of input
(`chart_staging`); switching between a repository and local copies is one, of every release it
serves, which the review does not list.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langsmith_dataplane import settings
from langsmith_dataplane.review.stack_checks import as_bool, as_int
from langsmith_dataplane.wiring.options import ProgramOptions

StackValues = Mapping[str, Mapping[str, Any]]  # stack -> its config file's values
SideOptions = dict[str, ProgramOptions]  # stack -> the options it runs with


def options_for(values: Mapping[str, Any]) -> ProgramOptions:
    """The options `pulumi up` would build from one stack's config values."""
    defaults = ProgramOptions()

    def get(key: str) -> Any:
        return values.get(settings.setting(key))

    skip = as_bool(get(settings.SKIP_AWAIT))
    wait = as_bool(get(settings.WAIT_FOR_REVISIONS))
    timeout = as_int(get(settings.REVISION_TIMEOUT))
    if timeout is not None and settings.revision_timeout_problem(timeout):
        timeout = None
    return ProgramOptions(
        skip_await=defaults.skip_await if skip is None else skip,
        wait_for_revisions=defaults.wait_for_revisions if wait is None else wait,
        revision_timeout=defaults.revision_timeout if timeout is None else float(timeout),
    )


def options_by_stack(configs: StackValues) -> SideOptions:
    return {stack: options_for(values) for stack, values in configs.items()}
