"""Field's copies of other services' records, kept from their events (newest version wins)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any


async def upsert_product(raw: Any, tenant_id: uuid.UUID, p: dict[str, Any]) -> None:
    await raw.execute(
        """
        INSERT INTO products (tenant_id, id, code, name, unit, reorder_level, status, version)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        ON CONFLICT (tenant_id, id) DO UPDATE
           SET code = EXCLUDED.code, name = EXCLUDED.name, unit = EXCLUDED.unit,
               reorder_level = EXCLUDED.reorder_level, status = EXCLUDED.status, version = EXCLUDED.version
         WHERE products.version <= EXCLUDED.version
        """,
        tenant_id,
        p["id"],
        p["code"],
        p["name"],
        p["unit"],
        p["reorder_level"],
        p["status"],
        p["version"],
    )


async def upsert_customer(raw: Any, tenant_id: uuid.UUID, c: dict[str, Any]) -> None:
    await raw.execute(
        """
        INSERT INTO customers (tenant_id, id, name, latitude, longitude, geofence_radius_m, status, version)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        ON CONFLICT (tenant_id, id) DO UPDATE
           SET name = EXCLUDED.name, latitude = EXCLUDED.latitude, longitude = EXCLUDED.longitude,
               geofence_radius_m = EXCLUDED.geofence_radius_m, status = EXCLUDED.status, version = EXCLUDED.version
         WHERE customers.version <= EXCLUDED.version
        """,
        tenant_id,
        c["id"],
        c["name"],
        c["latitude"],
        c["longitude"],
        c["geofence_radius_m"],
        c["status"],
        c["version"],
    )


async def upsert_user(raw: Any, tenant_id: uuid.UUID, u: dict[str, Any], event_at: datetime) -> None:
    await raw.execute(
        """
        INSERT INTO users (tenant_id, id, name, role, status, event_at) VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (tenant_id, id) DO UPDATE
           SET name = EXCLUDED.name, role = EXCLUDED.role, status = EXCLUDED.status, event_at = EXCLUDED.event_at
         WHERE users.event_at <= EXCLUDED.event_at
        """,
        tenant_id,
        u["id"],
        u["name"],
        u["role"],
        u["status"],
        event_at,
    )


async def get_customer(raw: Any, tenant_id: uuid.UUID, customer_id: uuid.UUID) -> dict[str, Any] | None:
    row = await raw.fetchrow(
        "SELECT id, name, latitude, longitude, geofence_radius_m, status FROM customers WHERE tenant_id = $1 AND id = $2",
        tenant_id,
        customer_id,
    )
    return dict(row) if row else None


async def get_user(raw: Any, tenant_id: uuid.UUID, user_id: uuid.UUID) -> dict[str, Any] | None:
    row = await raw.fetchrow(
        "SELECT id, name, role, status FROM users WHERE tenant_id = $1 AND id = $2", tenant_id, user_id
    )
    return dict(row) if row else None


def as_decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))
