"""Reads of stock levels, the ledger and reservations (hot lists: plain SQL, one count and one page)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from salessync.pagination import limit_offset


@dataclass(frozen=True, slots=True)
class Scope:
    """Who asks: a salesman sees only the stock of vans assigned to him."""

    tenant_id: uuid.UUID
    salesman_id: uuid.UUID | None = None


_LEVEL_FROM = """
  FROM stock_levels s
  JOIN locations l ON l.tenant_id = s.tenant_id AND l.id = s.location_id
  LEFT JOIN products p ON p.tenant_id = s.tenant_id AND p.id = s.product_id
 WHERE s.tenant_id = $1
   AND ($2::uuid IS NULL OR s.location_id = $2)
   AND ($3::uuid IS NULL OR s.product_id = $3)
   AND ($4::uuid IS NULL OR l.assigned_salesman_id = $4)
   AND (NOT $5::bool OR (COALESCE(s.reorder_level, p.reorder_level, 0) > 0
                         AND s.on_hand - s.reserved <= COALESCE(s.reorder_level, p.reorder_level, 0)))
"""

_LEVEL_COLUMNS = """
s.location_id, l.name AS location_name, l.kind AS location_kind, s.product_id, p.code AS product_code,
p.name AS product_name, p.unit, s.on_hand, s.reserved, s.on_hand - s.reserved AS available,
COALESCE(s.reorder_level, p.reorder_level, 0) AS reorder_level, s.reorder_level IS NOT NULL AS reorder_level_overridden,
s.is_low AS low_stock, s.updated_at
"""


async def list_levels(
    raw: Any,
    scope: Scope,
    *,
    location_id: uuid.UUID | None,
    product_id: uuid.UUID | None,
    low_stock: bool,
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    args = (scope.tenant_id, location_id, product_id, scope.salesman_id, low_stock)
    total = await raw.fetchval(f"SELECT count(*) {_LEVEL_FROM}", *args)
    rows = await raw.fetch(
        f"SELECT {_LEVEL_COLUMNS} {_LEVEL_FROM} ORDER BY l.name, p.name, s.product_id, s.location_id "
        + limit_offset(limit, offset),
        *args,
    )
    return [dict(r) for r in rows], int(total)


_MOVE_FROM = """
  FROM stock_movements m
  JOIN locations l ON l.tenant_id = m.tenant_id AND l.id = m.location_id
 WHERE m.tenant_id = $1
   AND ($2::uuid IS NULL OR m.location_id = $2)
   AND ($3::uuid IS NULL OR m.product_id = $3)
   AND ($4::text IS NULL OR m.kind = $4)
   AND ($5::text IS NULL OR m.cause_type = $5)
   AND ($6::uuid IS NULL OR m.cause_id = $6)
   AND ($7::timestamptz IS NULL OR m.at >= $7)
   AND ($8::timestamptz IS NULL OR m.at < $8)
   AND ($9::uuid IS NULL OR l.assigned_salesman_id = $9)
"""


async def list_movements(
    raw: Any,
    scope: Scope,
    *,
    location_id: uuid.UUID | None,
    product_id: uuid.UUID | None,
    kind: str | None,
    cause_type: str | None,
    cause_id: uuid.UUID | None,
    date_from: datetime | None,
    date_to: datetime | None,
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    args = (
        scope.tenant_id,
        location_id,
        product_id,
        kind,
        cause_type,
        cause_id,
        date_from,
        date_to,
        scope.salesman_id,
    )
    total = await raw.fetchval(f"SELECT count(*) {_MOVE_FROM}", *args)
    rows = await raw.fetch(
        "SELECT m.id, m.location_id, l.name AS location_name, m.product_id, m.quantity, m.kind, m.cause_type, "
        f"m.cause_id, m.reason, m.actor_id, m.at {_MOVE_FROM} ORDER BY m.id DESC " + limit_offset(limit, offset),
        *args,
    )
    return [dict(r) for r in rows], int(total)


_RES_FROM = """
  FROM reservations r
  LEFT JOIN locations l ON l.tenant_id = r.tenant_id AND l.id = r.location_id
 WHERE r.tenant_id = $1
   AND ($2::uuid IS NULL OR r.location_id = $2)
   AND ($3::text IS NULL OR r.status = $3)
   AND ($4::uuid IS NULL OR r.order_id = $4)
   AND ($5::uuid IS NULL OR l.assigned_salesman_id = $5)
"""


async def list_reservations(
    raw: Any,
    scope: Scope,
    *,
    location_id: uuid.UUID | None,
    status: str | None,
    order_id: uuid.UUID | None,
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    args = (scope.tenant_id, location_id, status, order_id, scope.salesman_id)
    total = await raw.fetchval(f"SELECT count(*) {_RES_FROM}", *args)
    rows = await raw.fetch(
        "SELECT r.order_id, r.location_id, l.name AS location_name, r.van_load_id, r.status, r.lines::text AS lines, "
        f"r.reason, r.created_at, r.updated_at {_RES_FROM} ORDER BY r.created_at DESC, r.order_id "
        + limit_offset(limit, offset),
        *args,
    )
    items = []
    for r in rows:
        item = dict(r)
        item["lines"] = orjson.loads(item["lines"])
        items.append(item)
    return items, int(total)
