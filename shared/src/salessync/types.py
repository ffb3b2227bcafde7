"""Wire types shared by the services' schemas: money as a two-place decimal string."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from pydantic import PlainSerializer

CENT = Decimal("0.01")


def to_cents(value: Decimal) -> Decimal:
    """Round half-up to cents (API.md: every amount)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


Money = Annotated[Decimal, PlainSerializer(lambda v: f"{to_cents(v):.2f}", return_type=str, when_used="json")]
