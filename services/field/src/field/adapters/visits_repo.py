"""Visits, agent positions and the tenant's geofence policy (plain SQL)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import orjson

from salessync.pagination import limit_offset

_COLUMNS = """
v.id, v.customer_id, c.name AS customer_name, v.agent_id, u.name AS agent_name, v.planned_at, v.purpose, v.status,
v.checked_in_at, v.check_in_latitude AS latitude, v.check_in_longitude AS longitude, v.accuracy_m, v.device_time,
v.distance_m, v.out_of_geofence, v.checked_out_at, v.outcome, v.notes, v.photos::text AS photos, v.cancel_reason,
v.created_by, v.created_at, v.updated_at, v.version
"""
_FROM = """
FROM visits v
LEFT JOIN customers c ON c.tenant_id = v.tenant_id AND c.id = v.customer_id
LEFT JOIN users u ON u.tenant_id = v.tenant_id AND u.id = v.agent_id
"""


def _shape(row: Any) -> dict[str, Any]:
    visit = dict(row)
    visit["photos"] = orjson.loads(visit["photos"])
    for name in ("latitude", "longitude", "accuracy_m", "distance_m"):
        if visit[name] is not None:
            visit[name] = float(visit[name])
    if visit["checked_in_at"] and visit["checked_out_at"]:
        visit["duration_s"] = int((visit["checked_out_at"] - visit["checked_in_at"]).total_seconds())
    else:
        visit["duration_s"] = None
    return visit


async def insert(raw: Any, tenant_id: uuid.UUID, values: dict[str, Any]) -> None:
    columns = ["tenant_id", *values]
    placeholders = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    await raw.execute(f"INSERT INTO visits ({', '.join(columns)}) VALUES ({placeholders})", tenant_id, *values.values())


async def update(raw: Any, tenant_id: uuid.UUID, visit_id: uuid.UUID, values: dict[str, Any]) -> None:
    sets = ", ".join(f"{name} = ${i}" for i, name in enumerate(values, start=3))
    await raw.execute(
        f"UPDATE visits SET {sets}, version = version + 1, updated_at = now() WHERE tenant_id = $1 AND id = $2",
        tenant_id,
        visit_id,
        *values.values(),
    )


async def get(raw: Any, tenant_id: uuid.UUID, visit_id: uuid.UUID, *, lock: bool = False) -> dict[str, Any] | None:
    sql = f"SELECT {_COLUMNS} {_FROM} WHERE v.tenant_id = $1 AND v.id = $2"
    row = await raw.fetchrow(sql + (" FOR UPDATE OF v" if lock else ""), tenant_id, visit_id)
    return _shape(row) if row else None


async def list_page(
    raw: Any,
    tenant_id: uuid.UUID,
    *,
    agent_id: uuid.UUID | None,
    customer_id: uuid.UUID | None,
    status: str | None,
    day: date | None,
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    where = (
        " WHERE v.tenant_id = $1 AND ($2::uuid IS NULL OR v.agent_id = $2) AND ($3::uuid IS NULL OR v.customer_id = $3)"
        " AND ($4::text IS NULL OR v.status = $4)"
        " AND ($5::date IS NULL OR (v.planned_at >= $5::date AND v.planned_at < $5::date + 1))"
    )
    args = (tenant_id, agent_id, customer_id, status, day)
    total = await raw.fetchval("SELECT count(*) FROM visits v" + where, *args)
    rows = await raw.fetch(
        f"SELECT {_COLUMNS} {_FROM} {where} ORDER BY v.planned_at, v.id " + limit_offset(limit, offset), *args
    )
    return [_shape(r) for r in rows], int(total)


async def geofence_policy(raw: Any, tenant_id: uuid.UUID) -> str | None:
    value: str | None = await raw.fetchval(
        "SELECT geofence_policy FROM tenant_policies WHERE tenant_id = $1", tenant_id
    )
    return value


async def set_geofence_policy(raw: Any, tenant_id: uuid.UUID, policy: str) -> None:
    await raw.execute(
        "INSERT INTO tenant_policies (tenant_id, geofence_policy) VALUES ($1, $2) ON CONFLICT (tenant_id) "
        "DO UPDATE SET geofence_policy = EXCLUDED.geofence_policy, updated_at = now()",
        tenant_id,
        policy,
    )


async def record_position(
    raw: Any, tenant_id: uuid.UUID, agent_id: uuid.UUID, lat: float, lon: float, accuracy: float, at: datetime
) -> None:
    await raw.execute(
        "INSERT INTO agent_locations (tenant_id, agent_id, latitude, longitude, accuracy_m, recorded_at) "
        "VALUES ($1, $2, $3, $4, $5, $6)",
        tenant_id,
        agent_id,
        lat,
        lon,
        accuracy,
        at,
    )


async def latest_positions(raw: Any, tenant_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = await raw.fetch(
        """
        SELECT DISTINCT ON (a.agent_id) a.agent_id, u.name AS agent_name, a.latitude::float8 AS latitude,
               a.longitude::float8 AS longitude, a.accuracy_m::float8 AS accuracy_m, a.recorded_at
          FROM agent_locations a
          LEFT JOIN users u ON u.tenant_id = a.tenant_id AND u.id = a.agent_id
         WHERE a.tenant_id = $1
         ORDER BY a.agent_id, a.recorded_at DESC, a.id DESC
        """,
        tenant_id,
    )
    return [dict(r) for r in rows]


async def forget_positions_before(raw: Any, cutoff: datetime) -> int:
    status: str = await raw.execute("DELETE FROM agent_locations WHERE recorded_at < $1", cutoff)
    return int(status.rsplit(" ", 1)[-1])
