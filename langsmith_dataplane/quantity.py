"""Kubernetes resource quantities ('500m', '2Gi'), parsed as the API server parses them.

The parser is the official Kubernetes Python client's `kubernetes.utils.quantity`. That module
is self-contained, but importing it through its package pulls in the whole generated client
(about 1.6 s), which `validate` cannot afford; so the one file is loaded on its own. On top of
the client's parser, which accepts a few spellings the API server refuses, the value must match
the API server's quantity grammar (apimachinery `resource.ParseQuantity`).
"""

from __future__ import annotations

import importlib.util
import re
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from types import ModuleType
from typing import cast

# apimachinery's grammar: <signedNumber><suffix>, suffix one of the binary SI, decimal SI or
# decimal exponent forms. A fullmatch, so a trailing newline never passes.
_GRAMMAR = re.compile(
    r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
    r"(?:Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?"
)
MAX_LENGTH = 64


class QuantityError(ValueError):
    """Not a Kubernetes quantity; the message says what one looks like."""


@cache
def _client_parser() -> ModuleType:
    spec = importlib.util.find_spec("kubernetes")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("the 'kubernetes' package is not installed (it parses quantities)")
    path = Path(next(iter(spec.submodule_search_locations))) / "utils" / "quantity.py"
    module_spec = importlib.util.spec_from_file_location("_kubernetes_quantity", path)
    if module_spec is None or module_spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


@lru_cache(maxsize=4096)  # topologies repeat a few quantities thousands of times
def parse_quantity(text: str) -> Decimal:
    """The quantity's value (cores, bytes); raises `QuantityError` for anything else."""
    if len(text) > MAX_LENGTH or not _GRAMMAR.fullmatch(text):
        raise QuantityError(
            "is not a Kubernetes quantity (a number with an optional suffix such as "
            "'500m', '2', '512Mi' or '2Gi')"
        )
    try:
        return cast(Decimal, _client_parser().parse_quantity(text))
    except ValueError as exc:  # the client raises ValueError for what it cannot read
        raise QuantityError(f"is not a Kubernetes quantity ({exc})") from None


def positive_quantity_problem(text: str) -> str | None:
    """Why `text` cannot be a resource request or limit, or None."""
    try:
        value = parse_quantity(text)
    except QuantityError as exc:
        return str(exc)
    if value <= 0:
        return "must be greater than zero"
    return None


def format_quantity(value: Decimal, *, binary: bool) -> str:
    """A canonical quantity for `value`: whole `Mi` for memory, whole millicores for CPU."""
    if binary:
        mebibytes = (value / (1 << 20)).to_integral_value(rounding="ROUND_CEILING")
        return f"{int(mebibytes)}Mi"
    millicores = (value * 1000).to_integral_value(rounding="ROUND_CEILING")
    return f"{int(millicores)}m"


def doubled(text: str, *, binary: bool) -> str:
    """Twice a quantity: the default limit for a request."""
    return format_quantity(parse_quantity(text) * 2, binary=binary)
