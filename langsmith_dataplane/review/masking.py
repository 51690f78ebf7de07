"""Secret masking for everything the review commands print or write."""

from __future__ import annotations

from typing import Any

from langsmith_dataplane.simulation import Secret, Unknown

SECRET = "[secret]"
UNKNOWN = "[unknown]"


def mask(value: Any) -> Any:
    """Recorded inputs -> plain data, secrets as "[secret]" and unknowns as "[unknown]"."""
    if isinstance(value, Secret):
        return SECRET
    if isinstance(value, Unknown):
        return UNKNOWN
    if isinstance(value, dict):
        return {k: mask(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask(v) for v in value]
    return value


def reveal(value: Any) -> Any:
    """Recorded inputs -> plain data with secret values, for comparisons only (never printed)."""
    if isinstance(value, Secret):
        return reveal(value.value)
    if isinstance(value, dict):
        return {k: reveal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [reveal(v) for v in value]
    return value
