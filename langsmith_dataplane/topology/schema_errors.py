"""Turn pydantic validation errors into positioned, human messages.

Pydantic reports `loc=('clusters', 'dev', 'eks', 'nodegroups')` and "Extra inputs are not
permitted"; a platform engineer wants `topology.yaml:23:7: error: unknown key 'nodegroups' in
clusters.dev.eks (did you mean 'nodeGroups'?)`. This module walks the schema along `loc` to find
the allowed keys for did-you-mean suggestions and uses the source map for line and column.
"""

from __future__ import annotations

import types
import typing
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from langsmith_dataplane.diagnostics import Diagnostic
from langsmith_dataplane.suggest import suggester
from langsmith_dataplane.topology.loader import describe_value
from langsmith_dataplane.topology.source_map import Path, SourceMap


def _unwrap_optional(annotation: Any) -> Any:
    origin = get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return _unwrap_optional(args[0])
    if origin is typing.Annotated:
        return _unwrap_optional(get_args(annotation)[0])
    return annotation


def _model_at(root: type[BaseModel], path: Path) -> type[BaseModel] | None:
    """The model class that validates the mapping at `path`, if it is a model."""
    current: Any = root
    parts = list(path)
    while parts:
        current = _unwrap_optional(current)
        part = parts.pop(0)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = next(
                (f for name, f in current.model_fields.items() if (f.alias or name) == part),
                None,
            )
            if field is None:
                return None
            current = field.annotation
        elif get_origin(current) is dict:
            current = get_args(current)[1]
        elif get_origin(current) is list:
            current = get_args(current)[0]
        else:
            return None
    current = _unwrap_optional(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return current
    return None


def allowed_keys(model: type[BaseModel]) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]


def dotted(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "the top level"


def _did_you_mean(word: str, choices: list[str]) -> str:
    return suggester(tuple(choices)).did_you_mean(word)


def _got(source: SourceMap, path: Path, value: Any) -> str:
    """Describe a value, adding how it was written when YAML read it as something else."""
    raw = source.raw.get(path)
    if raw is None:
        return describe_value(value)
    unquoted = not raw[1] and raw[0]
    if unquoted and not isinstance(value, str) and raw[0] != str(value):
        return f"{describe_value(value)} (written {raw[0]})"
    return describe_value(value)


def _message(root: type[BaseModel], source: SourceMap, error: ErrorDetails) -> tuple[str, str]:
    """The message for one pydantic error, and whether to point at the 'key' or the 'value'."""
    kind = error["type"]
    loc: Path = tuple(error["loc"])
    where = dotted(loc[:-1])
    value = error.get("input")
    if kind == "extra_forbidden":
        model = _model_at(root, loc[:-1])
        hint = _did_you_mean(str(loc[-1]), allowed_keys(model)) if model else ""
        if model and not hint:
            hint = f" (expected one of: {', '.join(allowed_keys(model))})"
        return f"unknown key '{loc[-1]}' in {where}{hint}", "key"
    if kind == "missing":
        return f"missing required key '{loc[-1]}' in {where}", "key"
    if kind == "string_type":
        got = _got(source, loc, value)
        hint = ""
        raw = source.raw.get(loc)
        if raw is not None and not raw[1]:
            hint = f'; quote it: "{raw[0]}"'
        return f"{dotted(loc)} must be a string, got {got}{hint}", "value"
    expected = {
        "int_type": "an integer",
        "int_from_float": "a whole number",
        "bool_type": "true or false",
        "dict_type": "a mapping",
        "model_type": "a mapping",
        "model_attributes_type": "a mapping",
        "list_type": "a list",
        "float_type": "a number",
    }.get(kind)
    if expected:
        return f"{dotted(loc)} must be {expected}, got {_got(source, loc, value)}", "value"
    if kind == "literal_error":
        choices = str(error.get("ctx", {}).get("expected", ""))
        options = [c.strip().strip("'") for c in choices.replace(" or ", ",").split(",")]
        options = [o for o in options if o]
        hint = ""
        if isinstance(value, str) and value not in options:
            hint = _did_you_mean(value, options)
        expected = choices if len(options) == 1 else f"one of {choices}"
        return f"{dotted(loc)} must be {expected}, got {_got(source, loc, value)}{hint}", "value"
    if kind == "too_short":
        minimum = error.get("ctx", {}).get("min_length", 1)
        noun = "item" if minimum == 1 else "items"
        return f"{dotted(loc)} needs at least {minimum} {noun}", "value"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        ctx = error.get("ctx", {})
        bound = {
            "greater_than_equal": f">= {ctx.get('ge')}",
            "less_than_equal": f"<= {ctx.get('le')}",
            "greater_than": f"> {ctx.get('gt')}",
            "less_than": f"< {ctx.get('lt')}",
        }[kind]
        return f"{dotted(loc)} must be {bound}, got {value}", "value"
    if kind == "value_error":
        message = str(error["msg"]).removeprefix("Value error, ")
        return f"{dotted(loc)} {message}", "key"
    return f"{dotted(loc)}: {error['msg']}", "value"


def _misspelt(errors: list[ErrorDetails], root: type[BaseModel]) -> set[Path]:
    """Paths of missing keys that an unknown sibling key is a misspelling of.

    `nodegroups:` instead of `nodeGroups:` is one mistake; reporting "missing nodeGroups" beside
    "unknown key 'nodegroups' (did you mean 'nodeGroups'?)" would only add noise.
    """
    out: set[Path] = set()
    for item in errors:
        if item["type"] != "extra_forbidden":
            continue
        loc = tuple(item["loc"])
        model = _model_at(root, loc[:-1])
        if model is None:
            continue
        match = suggester(tuple(allowed_keys(model))).suggest(str(loc[-1]))
        if match:
            out.add((*loc[:-1], match))
    return out


def diagnostics_from(
    error: ValidationError, root: type[BaseModel], source: SourceMap
) -> list[Diagnostic]:
    errors = error.errors(include_url=False)
    misspelt = _misspelt(errors, root)
    out = []
    for item in errors:
        loc = tuple(item["loc"])
        if item["type"] == "missing" and loc in misspelt:
            continue
        message, at = _message(root, source, item)
        out.append(source.diagnostic(loc, message, at=at, rule="schema"))
    return out
