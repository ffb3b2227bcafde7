"""Van loads and their lines: read into the `VanLoad` aggregate (locked) and written back."""

from __future__ import annotations

import uuid
from typing import Any

from field.domain.van_load import VanLoad, VanLoadLine
from salessync.pagination import limit_offset

_ROW = """
SELECT v.id, v.van_id, van.registration AS van_registration, v.salesman_id, u.name AS salesman_name,
       v.warehouse_id, v.status, v.cash_float, v.cash_sales, v.counted_cash, v.expected_cash, v.cash_variance,
       v.result, v.note, v.planned_by, v.approved_by, v.created_at, v.loaded_at, v.departed_at, v.returned_at,
       v.reconciled_at, v.approved_at, v.cancelled_at, v.version, v.updated_at
  FROM van_loads v
  LEFT JOIN locations van ON van.tenant_id = v.tenant_id AND van.id = v.van_id
  LEFT JOIN users u ON u.tenant_id = v.tenant_id AND u.id = v.salesman_id
"""

_STAMP = {
    "loaded": "loaded_at",
    "in_field": "departed_at",
    "returned": "returned_at",
    "reconciled": "reconciled_at",
    "cancelled": "cancelled_at",
}


async def insert(raw: Any, tenant_id: uuid.UUID, load: VanLoad, planned_by: uuid.UUID) -> None:
    await raw.execute(
        "INSERT INTO van_loads (id, tenant_id, van_id, salesman_id, warehouse_id, status, cash_float, planned_by) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        load.id,
        tenant_id,
        load.van_id,
        load.salesman_id,
        load.warehouse_id,
        load.status,
        load.cash_float,
        planned_by,
    )
    await _write_lines(raw, tenant_id, load)


async def _write_lines(raw: Any, tenant_id: uuid.UUID, load: VanLoad) -> None:
    lines = list(load.lines.values())
    await raw.execute(
        """
        INSERT INTO van_load_lines (tenant_id, van_load_id, product_id, planned, loaded, sold, returned, damaged)
        SELECT $1, $2, p, a, b, c, d, e
          FROM unnest($3::uuid[], $4::int[], $5::int[], $6::int[], $7::int[], $8::int[]) AS t(p, a, b, c, d, e)
        ON CONFLICT (tenant_id, van_load_id, product_id) DO UPDATE
           SET planned = EXCLUDED.planned, loaded = EXCLUDED.loaded, sold = EXCLUDED.sold,
               returned = EXCLUDED.returned, damaged = EXCLUDED.damaged
        """,
        tenant_id,
        load.id,
        [line.product_id for line in lines],
        [line.planned for line in lines],
        [line.loaded for line in lines],
        [line.sold for line in lines],
        [line.returned for line in lines],
        [line.damaged for line in lines],
    )


async def get_row(raw: Any, tenant_id: uuid.UUID, load_id: uuid.UUID) -> dict[str, Any] | None:
    row = await raw.fetchrow(_ROW + " WHERE v.tenant_id = $1 AND v.id = $2", tenant_id, load_id)
    return dict(row) if row else None


async def get_lines(raw: Any, tenant_id: uuid.UUID, load_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = await raw.fetch(
        "SELECT l.product_id, p.name AS product_name, l.planned, l.loaded, l.sold, l.returned, l.damaged "
        "FROM van_load_lines l LEFT JOIN products p ON p.tenant_id = l.tenant_id AND p.id = l.product_id "
        "WHERE l.tenant_id = $1 AND l.van_load_id = $2 ORDER BY l.product_id",
        tenant_id,
        load_id,
    )
    return [dict(r) for r in rows]


async def lock(raw: Any, tenant_id: uuid.UUID, load_id: uuid.UUID) -> VanLoad | None:
    row = await raw.fetchrow(
        "SELECT id, van_id, salesman_id, warehouse_id, status, cash_float, cash_sales, counted_cash, result, "
        "approved_at FROM van_loads WHERE tenant_id = $1 AND id = $2 FOR UPDATE",
        tenant_id,
        load_id,
    )
    if row is None:
        return None
    lines = await raw.fetch(
        "SELECT product_id, planned, loaded, sold, returned, damaged FROM van_load_lines "
        "WHERE tenant_id = $1 AND van_load_id = $2",
        tenant_id,
        load_id,
    )
    return VanLoad(
        id=row["id"],
        van_id=row["van_id"],
        salesman_id=row["salesman_id"],
        warehouse_id=row["warehouse_id"],
        status=row["status"],
        cash_float=row["cash_float"],
        cash_sales=row["cash_sales"],
        counted_cash=row["counted_cash"],
        result=row["result"],
        approved=row["approved_at"] is not None,
        lines={r["product_id"]: VanLoadLine(**dict(r)) for r in lines},
    )


async def save(raw: Any, tenant_id: uuid.UUID, load: VanLoad, **fields: Any) -> None:
    """Write the aggregate's status, counts and the given columns back; stamps the time of the new status."""
    values = {"status": load.status, "counted_cash": load.counted_cash, "result": load.result, **fields}
    stamp = _STAMP.get(load.status)
    sets = [f"{name} = ${i}" for i, name in enumerate(values, start=3)]
    if stamp:
        sets.append(f"{stamp} = coalesce({stamp}, now())")
    await raw.execute(
        f"UPDATE van_loads SET {', '.join(sets)}, version = version + 1, updated_at = now() "
        "WHERE tenant_id = $1 AND id = $2",
        tenant_id,
        load.id,
        *values.values(),
    )
    await _write_lines(raw, tenant_id, load)


async def list_page(
    raw: Any,
    tenant_id: uuid.UUID,
    *,
    van_id: uuid.UUID | None,
    salesman_id: uuid.UUID | None,
    status: str | None,
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    where = (
        " WHERE v.tenant_id = $1 AND ($2::uuid IS NULL OR v.van_id = $2) "
        "AND ($3::uuid IS NULL OR v.salesman_id = $3) AND ($4::text IS NULL OR v.status = $4)"
    )
    args = (tenant_id, van_id, salesman_id, status)
    total = await raw.fetchval("SELECT count(*) FROM van_loads v" + where, *args)
    rows = await raw.fetch(_ROW + where + " ORDER BY v.created_at DESC, v.id " + limit_offset(limit, offset), *args)
    return [dict(r) for r in rows], int(total)
