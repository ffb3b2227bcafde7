"""What field reads from orders' events: the order's lines, parsed and checked without trusting them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from field.domain.stock import Shortage
from salessync.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class OrderLine:
    product_id: uuid.UUID
    quantity: int


@dataclass(frozen=True, slots=True)
class PlacedOrder:
    order_id: uuid.UUID
    salesman_id: uuid.UUID | None
    van_load_id: uuid.UUID | None
    payment_method: str
    total: Decimal
    lines: list[OrderLine]

    @property
    def cash_amount(self) -> Decimal:
        return self.total if self.payment_method == "cash" else Decimal("0")


def _uuid(value: Any, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError) as exc:
        raise InvalidInput(field, "must be a UUID") from exc


def _optional_uuid(value: Any, field: str) -> uuid.UUID | None:
    return None if value in (None, "") else _uuid(value, field)


def order_id_of(payload: dict[str, Any]) -> uuid.UUID:
    return _uuid(payload.get("order_id"), "order_id")


def parse_lines(raw_lines: Any) -> list[OrderLine]:
    if not isinstance(raw_lines, list) or not raw_lines:
        raise InvalidInput("lines", "an order needs at least one line")
    lines = []
    for i, line in enumerate(raw_lines):
        if not isinstance(line, dict):
            raise InvalidInput(f"lines[{i}]", "must be an object")
        quantity = line.get("quantity")
        if isinstance(quantity, str):
            try:
                quantity = Decimal(quantity)
            except InvalidOperation as exc:
                raise InvalidInput(f"lines[{i}].quantity", "must be a whole number") from exc
        if isinstance(quantity, bool) or not isinstance(quantity, int | float | Decimal) or quantity != int(quantity):
            raise InvalidInput(f"lines[{i}].quantity", "must be a whole number")
        if int(quantity) <= 0:
            raise InvalidInput(f"lines[{i}].quantity", "must be greater than 0")
        lines.append(OrderLine(_uuid(line.get("product_id"), f"lines[{i}].product_id"), int(quantity)))
    return lines


def parse_placed_order(payload: dict[str, Any]) -> PlacedOrder:
    try:
        total = Decimal(str(payload.get("total") or "0"))
    except InvalidOperation as exc:
        raise InvalidInput("total", "must be a decimal") from exc
    return PlacedOrder(
        order_id=order_id_of(payload),
        salesman_id=_optional_uuid(payload.get("salesman_id"), "salesman_id"),
        van_load_id=_optional_uuid(payload.get("van_load_id"), "van_load_id"),
        payment_method=str(payload.get("payment_method") or "credit"),
        total=total,
        lines=parse_lines(payload.get("lines")),
    )


@dataclass(frozen=True, slots=True)
class ReservationResult:
    """How field answered an order: reserved, sold (a van sale), rejected, or duplicate (answered before)."""

    status: str
    location_id: uuid.UUID | None = None
    reason: str | None = None
    shortages: list[Shortage] = field(default_factory=list)
