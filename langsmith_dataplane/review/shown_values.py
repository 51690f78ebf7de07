"""Old and new values of a changed input, as a reviewer may see them.

What is not secret is shown as it is (`redis:7.4.2 -> redis:7.4.3`); a secret never is. Under
the mocks every secret the program looks up is a placeholder that carries the name of the config
value it stands for (`simulation.placeholder_for`), so a secret whose *reference* changed (which
config value a `secretEnv`, `apiKey` or `adminKey` names) is shown by that name, never by value.
"""

from __future__ import annotations

import json
import re
from typing import Any

from langsmith_dataplane.simulation import PLACEHOLDER_API_KEY, Secret, Unknown

ABSENT = "(none)"
LIMIT = 72  # characters of one shown value
SECRET = "[secret]"
_REFERENCE = re.compile(re.escape(PLACEHOLDER_API_KEY) + r"\[([A-Za-z0-9_.:-]{1,200})\]")


class _Label(str):
    """A secret leaf as shown: its references by name (a str, so it prints as itself)."""


def secret_label(value: Any) -> _Label:
    """`[secret openai.key]` when the value stands for config values, else `[secret]`."""
    names = sorted(set(_REFERENCE.findall(json.dumps(value, default=str))))
    return _Label(f"[secret {', '.join(names)}]" if names else SECRET)


def shown(value: Any, secret: bool = False) -> Any:
    """Recorded inputs -> what may be printed: each secret leaf by its label, unknowns as
    `[unknown]`; the tree keeps its shape, so a path into a secret dict still resolves."""
    if isinstance(value, Secret):
        return shown(value.value, True)
    if isinstance(value, Unknown):
        return "[unknown]"
    if isinstance(value, dict):
        return {k: shown(v, secret) for k, v in value.items()}
    if isinstance(value, list):
        return secret_label(value) if secret else [shown(v) for v in value]
    return secret_label(value) if secret else value


def at_path(tree: Any, path: str) -> Any:
    """The value at a dotted path of `diff._differences` (ABSENT where it does not exist).
    Keys may hold dots themselves (`langsmith.com/secrets-checksum`): the longest key that
    starts the rest of the path is taken."""
    node, rest = tree, ("" if path == "(value)" else path)
    while rest:
        if not isinstance(node, dict):
            return ABSENT
        key = max(
            (k for k in map(str, node) if rest == k or rest.startswith(f"{k}.")),
            key=len,
            default=None,
        )
        if key is None:
            return ABSENT
        node, rest = node[key], rest[len(key) + 1 :]
    return node


def _text(value: Any) -> str:
    if value is ABSENT:
        return ABSENT
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return " ".join(text.split())


def _cut(text: str, start: int) -> str:
    """At most LIMIT characters, from a little before `start` (where old and new part)."""
    if len(text) <= LIMIT:
        return text
    begin = max(0, min(start - 24, len(text) - LIMIT + 3))
    head = "..." if begin else ""
    body = text[begin:]
    return head + (body if len(head + body) <= LIMIT else body[: LIMIT - len(head) - 3] + "...")


def pair(old: Any, new: Any) -> tuple[str, str]:
    """Old and new, each one short line cut where they start to differ."""
    a, b = _text(old), _text(new)
    common = next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )
    a, b = _cut(a, common), _cut(b, common)
    if a == b and isinstance(new, _Label):
        b = f"{b[:-1]}, new value]"  # the same reference, another value (a made key)
    return a, b


def old_and_new(
    old_inputs: Any, new_inputs: Any, paths: tuple[str, ...]
) -> tuple[tuple[str, str, str], ...]:
    """(path, old, new) for each changed path, secrets by reference only."""
    old, new = shown(old_inputs), shown(new_inputs)
    return tuple((p, *pair(at_path(old, p), at_path(new, p))) for p in paths)
