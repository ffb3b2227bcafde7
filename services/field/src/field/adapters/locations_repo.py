"""Warehouses and vans: one `locations` table, `kind` warehouse or van (a van is a stock location too)."""

from __future__ import annotations

import uuid
from typing import Any

from salessync.pagination import limit_offset

_COLUMNS = """
l.id, l.kind, l.name, l.code, l.address, l.is_default, l.registration, l.assigned_salesman_id,
u.name AS assigned_salesman_name, l.status, l.version, l.created_at, l.updated_at
"""
_FROM = "FROM locations l LEFT JOIN users u ON u.tenant_id = l.tenant_id AND u.id = l.assigned_salesman_id"


async def lock_tenant_locations(raw: Any, tenant_id: uuid.UUID) -> None:
    """Serialise changes of a tenant's default warehouse (a transaction-scoped database lock)."""
    await raw.execute("SELECT pg_advisory_xact_lock(hashtext('field.locations.' || $1::uuid::text))", tenant_id)


async def has_default(raw: Any, tenant_id: uuid.UUID) -> bool:
    return bool(await raw.fetchval("SELECT true FROM locations WHERE tenant_id = $1 AND is_default", tenant_id))


async def default_warehouse_id(raw: Any, tenant_id: uuid.UUID) -> uuid.UUID | None:
    value: uuid.UUID | None = await raw.fetchval(
        "SELECT id FROM locations WHERE tenant_id = $1 AND is_default AND status = 'active'", tenant_id
    )
    return value


async def clear_default(raw: Any, tenant_id: uuid.UUID) -> None:
    await raw.execute(
        "UPDATE locations SET is_default = false, version = version + 1, updated_at = now() "
        "WHERE tenant_id = $1 AND is_default",
        tenant_id,
    )


async def insert(raw: Any, tenant_id: uuid.UUID, values: dict[str, Any]) -> None:
    columns = ["tenant_id", *values]
    placeholders = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    await raw.execute(
        f"INSERT INTO locations ({', '.join(columns)}) VALUES ({placeholders})", tenant_id, *values.values()
    )


async def update(raw: Any, tenant_id: uuid.UUID, location_id: uuid.UUID, values: dict[str, Any]) -> None:
    sets = ", ".join(f"{name} = ${i}" for i, name in enumerate(values, start=3))
    await raw.execute(
        f"UPDATE locations SET {sets}, version = version + 1, updated_at = now() WHERE tenant_id = $1 AND id = $2",
        tenant_id,
        location_id,
        *values.values(),
    )


async def get(
    raw: Any, tenant_id: uuid.UUID, location_id: uuid.UUID, kind: str | None = None, *, lock: bool = False
) -> dict[str, Any] | None:
    sql = f"SELECT {_COLUMNS} {_FROM} WHERE l.tenant_id = $1 AND l.id = $2 AND ($3::text IS NULL OR l.kind = $3)"
    if lock:
        sql += " FOR UPDATE OF l"
    row = await raw.fetchrow(sql, tenant_id, location_id, kind)
    return dict(row) if row else None


async def get_many(raw: Any, tenant_id: uuid.UUID, ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
    rows = await raw.fetch(
        f"SELECT {_COLUMNS} {_FROM} WHERE l.tenant_id = $1 AND l.id = ANY($2::uuid[])", tenant_id, ids
    )
    return {r["id"]: dict(r) for r in rows}


async def list_page(
    raw: Any,
    tenant_id: uuid.UUID,
    kind: str,
    *,
    search: str | None,
    status: str | None,
    salesman_id: uuid.UUID | None,
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    where = (
        "l.tenant_id = $1 AND l.kind = $2 AND ($3::text IS NULL OR l.status = $3) "
        "AND ($4::uuid IS NULL OR l.assigned_salesman_id = $4) "
        "AND ($5::text IS NULL OR lower(l.name) LIKE $5 OR lower(coalesce(l.code, '')) LIKE $5 "
        "     OR lower(coalesce(l.registration, '')) LIKE $5)"
    )
    pattern = f"%{search.lower()}%" if search else None
    args = (tenant_id, kind, status, salesman_id, pattern)
    total = await raw.fetchval(f"SELECT count(*) FROM locations l WHERE {where}", *args)
    rows = await raw.fetch(
        f"SELECT {_COLUMNS} {_FROM} WHERE {where} ORDER BY l.name, l.id " + limit_offset(limit, offset), *args
    )
    return [dict(r) for r in rows], int(total)


async def stock_held(raw: Any, tenant_id: uuid.UUID, location_id: uuid.UUID) -> int:
    return int(
        await raw.fetchval(
            "SELECT coalesce(sum(on_hand + reserved), 0) FROM stock_levels WHERE tenant_id = $1 AND location_id = $2",
            tenant_id,
            location_id,
        )
    )


async def has_history(raw: Any, tenant_id: uuid.UUID, location_id: uuid.UUID) -> bool:
    return bool(
        await raw.fetchval(
            "SELECT true FROM stock_movements WHERE tenant_id = $1 AND location_id = $2 LIMIT 1", tenant_id, location_id
        )
    )


async def delete(raw: Any, tenant_id: uuid.UUID, location_id: uuid.UUID) -> None:
    await raw.execute("DELETE FROM stock_levels WHERE tenant_id = $1 AND location_id = $2", tenant_id, location_id)
    await raw.execute("DELETE FROM locations WHERE tenant_id = $1 AND id = $2", tenant_id, location_id)
