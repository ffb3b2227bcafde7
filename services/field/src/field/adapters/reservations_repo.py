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


_CLAIM_MANY_AT_DEFAULT = """
INSERT INTO reservations (tenant_id, order_id, location_id, van_load_id, status, lines, payment_method, cash_amount)
SELECT o.t, o.o, (SELECT id FROM locations WHERE tenant_id = o.t AND is_default AND status = 'active'), NULL,
       'reserved', o.l::jsonb, o.pm, 0
  FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[]) WITH ORDINALITY AS o(t, o, l, pm, n)
 ORDER BY o.n
ON CONFLICT (tenant_id, order_id) DO NOTHING
RETURNING tenant_id, order_id, location_id
"""


async def claim_many_at_default_warehouse(
    raw: Any, orders: list[tuple[uuid.UUID, uuid.UUID, list[tuple[uuid.UUID, int]], str | None]]
) -> dict[tuple[uuid.UUID, uuid.UUID], uuid.UUID | None]:
    """Insert a `reserved` row for each `(tenant, order, lines, payment method)` (each order once) at its
    tenant's default warehouse, found in the same statement. Answers the claimed orders: (tenant, order) -> the
    warehouse, or None when the tenant has none; an order claimed before (a repeated event) is not in it."""
    if not orders:
        return {}
    rows = await raw.fetch(
        _CLAIM_MANY_AT_DEFAULT,
        [t for t, _, _, _ in orders],
        [o for _, o, _, _ in orders],
        [lines_json(lines) for _, _, lines, _ in orders],
        [pm for _, _, _, pm in orders],
    )
    return {(r["tenant_id"], r["order_id"]): r["location_id"] for r in rows}


async def set_statuses(raw: Any, changes: list[tuple[uuid.UUID, uuid.UUID, str, str | None]]) -> None:
    """`set_status` for each `(tenant, order, status, reason)`, in one statement (each order once)."""
    if changes:
        await raw.execute(
            "UPDATE reservations r SET status = c.s, reason = coalesce(c.why, r.reason), updated_at = now() "
            "FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[]) AS c(t, o, s, why) "
            "WHERE r.tenant_id = c.t AND r.order_id = c.o",
            [t for t, _, _, _ in changes],
            [o for _, o, _, _ in changes],
            [st for _, _, st, _ in changes],
            [why for _, _, _, why in changes],
        )


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


_LOCK_MANY = """
SELECT r.tenant_id, r.order_id, r.location_id, r.status, r.lines::text AS lines
  FROM unnest($1::uuid[], $2::uuid[]) AS k(t, o)
  JOIN reservations r ON r.tenant_id = k.t AND r.order_id = k.o
 ORDER BY r.tenant_id, r.order_id
   FOR UPDATE OF r
"""


async def van_loads_of(raw: Any, orders: list[tuple[uuid.UUID, uuid.UUID]]) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """The (tenant, van load) pairs that these orders were sold from and not yet taken back, sorted, read without
    a lock: a reservation's van load is set when it is claimed and never changes, so it can be known before the
    load is locked (a row that leaves `sold` meanwhile costs a needless lock, nothing more)."""
    rows = await raw.fetch(
        "SELECT DISTINCT r.tenant_id, r.van_load_id FROM unnest($1::uuid[], $2::uuid[]) AS k(t, o) "
        "JOIN reservations r ON r.tenant_id = k.t AND r.order_id = k.o "
        "WHERE r.van_load_id IS NOT NULL AND r.status = 'sold' ORDER BY 1, 2",
        [t for t, _ in orders],
        [o for _, o in orders],
    )
    return [(r["tenant_id"], r["van_load_id"]) for r in rows]


async def lock_many(raw: Any, orders: list[tuple[uuid.UUID, uuid.UUID]]) -> list[dict[str, Any]]:
    """The reservation rows of (tenant, order) pairs that have one, locked in (tenant, order) order, each with
    its lines as (product, quantity) pairs."""
    rows = await raw.fetch(_LOCK_MANY, [t for t, _ in orders], [o for _, o in orders])
    return [{**dict(r), "lines": _lines(r["lines"])} for r in rows]


def _lines(raw_json: str) -> list[tuple[uuid.UUID, int]]:
    return [(uuid.UUID(x["product_id"]), int(x["quantity"])) for x in orjson.loads(raw_json)]


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
    found["lines"] = _lines(found["lines"])
    return found
