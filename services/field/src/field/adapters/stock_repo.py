"""The stock engine in plain SQL (a hot path): lock levels in (location, product) order, write new levels and
ledger rows in the caller's transaction. Never a process lock: row locks make it safe across replicas."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from field.domain.stock import Key, Level, Plan, StockChange, plan_changes

_ENSURE = """
INSERT INTO stock_levels (tenant_id, location_id, product_id)
SELECT $1, l, p FROM unnest($2::uuid[], $3::uuid[]) AS t(l, p)
ON CONFLICT DO NOTHING
"""

# One primary-key lookup per wanted level, locked in the order of the (sorted) keys: a join or IN over the
# tenant's levels was planned as a scan of all of them (every location and product) for each reservation.
_LOCK = """
SELECT s.*
  FROM unnest($2::uuid[], $3::uuid[]) WITH ORDINALITY AS t(l, p, n)
 CROSS JOIN LATERAL (
       SELECT s.location_id, s.product_id, s.on_hand, s.reserved, s.is_low,
              COALESCE(s.reorder_level, p.reorder_level, 0) AS reorder_level
         FROM stock_levels s
         LEFT JOIN products p ON p.tenant_id = s.tenant_id AND p.id = s.product_id
        WHERE s.tenant_id = $1 AND s.location_id = t.l AND s.product_id = t.p
          FOR UPDATE OF s
       ) s
 ORDER BY t.n
"""

_UPDATE = """
UPDATE stock_levels s
   SET on_hand = v.on_hand, reserved = v.reserved, is_low = v.is_low, updated_at = now()
  FROM unnest($2::uuid[], $3::uuid[], $4::int[], $5::int[], $6::bool[]) AS v(l, p, on_hand, reserved, is_low)
 WHERE s.tenant_id = $1 AND s.location_id = v.l AND s.product_id = v.p
"""

_LEDGER = """
INSERT INTO stock_movements (tenant_id, location_id, product_id, quantity, kind, cause_type, cause_id, reason,
                             actor_id)
SELECT $1, l, p, q, k, $6, $7, $8, $9 FROM unnest($2::uuid[], $3::uuid[], $4::int[], $5::text[]) AS t(l, p, q, k)
RETURNING id, location_id, product_id, quantity, kind, at
"""


@dataclass(frozen=True, slots=True)
class Cause:
    type: str  # adjustment, transfer, order, van_load, seed
    id: uuid.UUID | None
    actor_id: uuid.UUID | None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Applied:
    plan: Plan
    movements: list[dict[str, Any]]


async def lock_levels(raw: Any, tenant_id: uuid.UUID, keys: list[Key]) -> dict[Key, Level]:
    """The existing levels of `keys` (sorted: the order every writer locks them in), locked."""
    rows = await raw.fetch(_LOCK, tenant_id, [k[0] for k in keys], [k[1] for k in keys])
    return {
        (r["location_id"], r["product_id"]): Level(
            r["location_id"], r["product_id"], r["on_hand"], r["reserved"], r["reorder_level"], r["is_low"]
        )
        for r in rows
    }


async def write_levels(raw: Any, tenant_id: uuid.UUID, levels: list[Level]) -> None:
    """Write levels locked by `lock_levels` (on hand, reserved, low flag)."""
    if levels:
        await raw.execute(
            _UPDATE,
            tenant_id,
            [lv.location_id for lv in levels],
            [lv.product_id for lv in levels],
            [lv.on_hand for lv in levels],
            [lv.reserved for lv in levels],
            [lv.is_low for lv in levels],
        )


async def apply_changes(raw: Any, tenant_id: uuid.UUID, changes: list[StockChange], cause: Cause) -> Applied:
    """Lock, check and apply `changes` all or none. With shortages nothing is written (the plan says why)."""
    keys = sorted({c.key for c in changes})
    incoming = sorted({c.key for c in changes if c.on_hand > 0})
    if incoming:
        await raw.execute(_ENSURE, tenant_id, [k[0] for k in incoming], [k[1] for k in incoming])
    current = await lock_levels(raw, tenant_id, keys)
    plan = plan_changes(current, changes)
    if not plan.ok:
        return Applied(plan, [])
    await write_levels(raw, tenant_id, [plan.levels[k] for k in keys])
    moved = [c for c in changes if c.on_hand != 0]
    movements: list[dict[str, Any]] = []
    if moved:
        rows = await raw.fetch(
            _LEDGER,
            tenant_id,
            [c.location_id for c in moved],
            [c.product_id for c in moved],
            [c.on_hand for c in moved],
            [c.kind for c in moved],
            cause.type,
            cause.id,
            cause.reason,
            cause.actor_id,
        )
        movements = [dict(r) for r in rows]
    return Applied(plan, movements)


async def names_for_alerts(raw: Any, tenant_id: uuid.UUID, levels: list[Level]) -> dict[Key, tuple[str, str]]:
    """Location and product names for `stock.low` payloads (rare: only when a level goes low)."""
    rows = await raw.fetch(
        """
        SELECT t.l AS location_id, t.p AS product_id, loc.name AS location_name, pr.name AS product_name
          FROM unnest($2::uuid[], $3::uuid[]) AS t(l, p)
          LEFT JOIN locations loc ON loc.tenant_id = $1 AND loc.id = t.l
          LEFT JOIN products pr ON pr.tenant_id = $1 AND pr.id = t.p
        """,
        tenant_id,
        [lv.location_id for lv in levels],
        [lv.product_id for lv in levels],
    )
    return {(r["location_id"], r["product_id"]): (r["location_name"] or "", r["product_name"] or "") for r in rows}
