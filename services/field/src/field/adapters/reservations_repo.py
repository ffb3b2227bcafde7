"""Reservations per order (a hot path, plain SQL): one row per order makes every reservation step idempotent."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import orjson

_CLAIM = """
INSERT INTO reservations (tenant_id, order_id, location_id, van_load_id, status, lines, payment_method, cash_amount)
VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8)
ON CONFLICT (tenant_id, order_id) DO NOTHING
RETURNING true
"""


def lines_json(lines: list[tuple[uuid.UUID, int]]) -> str:
    return orjson.dumps([{"product_id": str(p), "quantity": q} for p, q in lines]).decode()


async def claim(
    raw: Any,
    tenant_id: uuid.UUID,
    order_id: uuid.UUID,
    *,
    location_id: uuid.UUID | None,
    van_load_id: uuid.UUID | None,
    status: str,
    lines: list[tuple[uuid.UUID, int]],
    payment_method: str | None = None,
    cash_amount: Decimal = Decimal("0"),
) -> bool:
    """Insert the order's reservation row; False when the order already has one (a repeated event)."""
    return bool(
        await raw.fetchval(
            _CLAIM,
            tenant_id,
            order_id,
            location_id,
            van_load_id,
            status,
            lines_json(lines),
            payment_method,
            cash_amount,
        )
    )


_CLAIM_AT_DEFAULT = """
INSERT INTO reservations (tenant_id, order_id, location_id, van_load_id, status, lines, payment_method, cash_amount)
SELECT $1, $2, (SELECT id FROM locations WHERE tenant_id = $1 AND is_default AND status = 'active'), NULL,
       'reserved', $3::jsonb, $4, 0
ON CONFLICT (tenant_id, order_id) DO NOTHING
RETURNING true AS claimed, location_id
"""


async def claim_at_default_warehouse(
    raw: Any,
    tenant_id: uuid.UUID,
    order_id: uuid.UUID,
    lines: list[tuple[uuid.UUID, int]],
    payment_method: str | None,
) -> tuple[bool, uuid.UUID | None]:
    """Insert the order's `reserved` row at the tenant's default warehouse, found in the same statement.
    Answers (False, None) for a repeated event, else (True, the warehouse or None when the tenant has none)."""
    row = await raw.fetchrow(_CLAIM_AT_DEFAULT, tenant_id, order_id, lines_json(lines), payment_method)
    if row is None:
        return False, None
    return True, row["location_id"]


async def set_status(
    raw: Any, tenant_id: uuid.UUID, order_id: uuid.UUID, status: str, reason: str | None = None
) -> None:
    await raw.execute(
        "UPDATE reservations SET status = $3, reason = coalesce($4, reason), updated_at = now() "
        "WHERE tenant_id = $1 AND order_id = $2",
        tenant_id,
        order_id,
        status,
        reason,
    )


async def get_for_update(raw: Any, tenant_id: uuid.UUID, order_id: uuid.UUID) -> dict[str, Any] | None:
    row = await raw.fetchrow(
        "SELECT order_id, location_id, van_load_id, status, lines::text AS lines, payment_method, cash_amount "
        "FROM reservations WHERE tenant_id = $1 AND order_id = $2 FOR UPDATE",
        tenant_id,
        order_id,
    )
    if row is None:
        return None
    found = dict(row)
    found["lines"] = [(uuid.UUID(x["product_id"]), int(x["quantity"])) for x in orjson.loads(found["lines"])]
    return found
