"""Wire forms of decimal values, shared by snapshots and answers: money with two places, rates trimmed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from salessync.types import to_cents


def money(value: Decimal) -> str:
    """`Decimal("25.8")` -> `"25.80"` (API.md: money is a two-place decimal string)."""
    return f"{to_cents(value):.2f}"


def rate(value: Decimal) -> str:
    """`Decimal("0.1600")` -> `"0.16"`, `Decimal("0")` -> `"0"` (the same text as PostgreSQL's trim_scale)."""
    text = format(value.normalize(), "f")
    return text


def optional_str(value: Any) -> str | None:
    return None if value is None else str(value)
