"""Scalar values of a topology file: YAML 1.1 resolution as PyYAML's safe loader does it, with
only the canonical spellings of numbers and booleans accepted."""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

_STR_TAG = "tag:yaml.org,2002:str"
# The only spellings of plain numbers and booleans taken as such. YAML 1.1 also reads `0x1bb`,
# `0o17`, `017`, `1_000` and `7:23` (sexagesimal) as integers, `yes`/`on`/`True` as booleans
# and `1e3` or `.inf` as floats: a surprise in a reviewed file, so those are errors.
_CANONICAL = {
    "tag:yaml.org,2002:int": re.compile(r"^-?(0|[1-9][0-9]*)$"),
    "tag:yaml.org,2002:float": re.compile(r"^-?[0-9]+\.[0-9]+$"),
    "tag:yaml.org,2002:bool": re.compile(r"^(true|false)$"),
}
_KINDS = {
    "tag:yaml.org,2002:int": ("an integer", "a decimal number"),
    "tag:yaml.org,2002:float": ("a number", "a plain decimal like 1.5"),
    "tag:yaml.org,2002:bool": ("a boolean", "true or false"),
}


class UnreadableScalarError(ValueError):
    """A value that cannot be read, in words for the user (the caller adds the position)."""


class ScalarReader:
    """Reads scalar events. Plain scalars repeat (sizes, versions, `true`), so each spelling is
    resolved once: only immutable values (str, int, float, bool, None, dates) come out of
    plain scalars, so sharing them is safe."""

    def __init__(self) -> None:
        self.resolver = Resolver()
        self.constructor = SafeConstructor()
        self.plain: dict[str, Any] = {}

    def read(self, event: yaml.ScalarEvent) -> Any:
        tag = event.tag
        if tag is None and not event.implicit[0]:
            return event.value  # quoted or block text: a string, as the resolver would say
        if tag is None and event.value in self.plain:
            return self.plain[event.value]
        value = self._resolve(event)
        if tag is None:
            self.plain[event.value] = value
        return value

    def _resolve(self, event: yaml.ScalarEvent) -> Any:
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.resolver.resolve(ScalarNode, event.value, event.implicit)
        if tag == _STR_TAG:
            return event.value
        canonical = _CANONICAL.get(tag)
        if event.implicit[0] and canonical is not None and not canonical.fullmatch(event.value):
            kind, spelling = _KINDS[tag]
            raise UnreadableScalarError(
                f'YAML 1.1 reads {event.value!r} as {kind}: quote it ("{event.value}") if '
                f"it is text, or write {spelling}"
            )
        marks: tuple[Any, Any] = (event.start_mark, event.end_mark)  # libyaml's or PyYAML's
        node = ScalarNode(tag, event.value, *marks, event.style)
        try:
            return self.constructor.construct_object(node)
        except ConstructorError as exc:
            raise UnreadableScalarError(f"cannot read this value: {exc.problem}") from None
        except (ValueError, OverflowError) as exc:
            raise UnreadableScalarError(f"cannot read this value: {exc}") from None
