"""Customers in PostgreSQL, through asyncpg: answers rendered as JSON by the database, rows as domain objects."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from catalog.adapters.sql import Filters, Listing, fetch_listing, iso, order_by, translate
from catalog.domain.customers import Customer

PROJECTION = f"""json_build_object(
  'id', id, 'code', code, 'name', name, 'type', type, 'contact_name', contact_name, 'phone', phone,
  'email', email, 'address', address, 'latitude', latitude, 'longitude', longitude,
  'geofence_radius_m', geofence_radius_m, 'route', route, 'credit_limit', credit_limit::text,
  'payment_terms_days', payment_terms_days, 'price_list_id', price_list_id, 'status', status, 'version', version,
  'created_at', {iso("created_at")}, 'updated_at', {iso("updated_at")})"""

LISTING = Listing(
    "customers",
    (
        ("id", "$.id::text"), ("code", "$.code"), ("name", "$.name"), ("type", "$.type"),
        ("contact_name", "$.contact_name"), ("phone", "$.phone"), ("email", "$.email"), ("address", "$.address"),
        ("latitude", "$.latitude"), ("longitude", "$.longitude"), ("geofence_radius_m", "$.geofence_radius_m"),
        ("route", "$.route"), ("credit_limit", "$.credit_limit::text"),
        ("payment_terms_days", "$.payment_terms_days"), ("price_list_id", "$.price_list_id::text"),
        ("status", "$.status"), ("version", "$.version"), ("created_at", iso("$.created_at")),
        ("updated_at", iso("$.updated_at")),
    ),
)  # fmt: skip
"""The same record as `PROJECTION`, for lists."""

FIELDS = (
    "code", "name", "type", "contact_name", "phone", "email", "address", "latitude", "longitude",
    "geofence_radius_m", "route", "credit_limit", "payment_terms_days", "price_list_id", "status", "version",
)  # fmt: skip
COLUMNS = "id, tenant_id, " + ", ".join(FIELDS)
SORTS = {"name": "name", "code": "code", "created_at": "created_at", "updated_at": "updated_at", "route": "route"}
CONSTRAINT_FIELDS = {
    "uq_customers_tenant_code": "code",
    "fk_customers_price_list": "price_list_id",
    "ck_customers_latitude_range": "latitude",
    "ck_customers_longitude_range": "longitude",
    "ck_customers_geofence_positive": "geofence_radius_m",
    "ck_customers_credit_limit_nonnegative": "credit_limit",
    "ck_customers_payment_terms_nonnegative": "payment_terms_days",
    "ck_customers_status_known": "status",
}


def _values(c: Customer) -> list[Any]:
    return [c.id, c.tenant_id, *(getattr(c, f) for f in FIELDS)]


def _placeholders(n: int) -> str:
    return ", ".join(f"${i}" for i in range(1, n + 1))


async def insert(conn: Any, customer: Customer) -> str:
    values = _values(customer)
    try:
        return str(
            await conn.fetchval(
                f"INSERT INTO customers ({COLUMNS}) VALUES ({_placeholders(len(values))}) RETURNING {PROJECTION}::text",
                *values,
            )
        )
    except asyncpg.IntegrityConstraintViolationError as exc:
        raise translate(exc, CONSTRAINT_FIELDS) from exc


async def update(conn: Any, customer: Customer) -> str:
    sets = ", ".join(f"{c} = ${i}" for i, c in enumerate(FIELDS, start=3))
    try:
        return str(
            await conn.fetchval(
                f"UPDATE customers SET {sets}, updated_at = now() WHERE id = $1 AND tenant_id = $2 RETURNING {PROJECTION}::text",
                *_values(customer),
            )
        )
    except asyncpg.IntegrityConstraintViolationError as exc:
        raise translate(exc, CONSTRAINT_FIELDS) from exc


async def get_for_update(conn: Any, tenant_id: uuid.UUID, customer_id: uuid.UUID) -> Customer | None:
    row = await conn.fetchrow(
        f"SELECT {COLUMNS} FROM customers WHERE tenant_id = $1 AND id = $2 FOR UPDATE", tenant_id, customer_id
    )
    return None if row is None else Customer(**dict(row))


async def get(conn: Any, tenant_id: uuid.UUID, customer_id: uuid.UUID) -> Customer | None:
    row = await conn.fetchrow(
        f"SELECT {COLUMNS} FROM customers WHERE tenant_id = $1 AND id = $2", tenant_id, customer_id
    )
    return None if row is None else Customer(**dict(row))


async def get_json(conn: Any, tenant_id: uuid.UUID, customer_id: uuid.UUID) -> str | None:
    value = await conn.fetchval(
        f"SELECT {PROJECTION}::text FROM customers WHERE tenant_id = $1 AND id = $2", tenant_id, customer_id
    )
    return None if value is None else str(value)


async def list_page(
    conn: Any,
    tenant_id: uuid.UUID,
    *,
    type_: str | None,
    status: str | None,
    route: str | None,
    price_list_id: uuid.UUID | None,
    search: str | None,
    sort: str,
    page: int,
    limit: int,
) -> bytes:
    filters = Filters(tenant_id)
    filters.add("type = ?", type_)
    filters.add("status = ?", status)
    filters.add("route = ?", route)
    filters.add("price_list_id = ?", price_list_id)
    filters.search(search)
    order = order_by(sort, SORTS)
    return await fetch_listing(
        conn,
        LISTING,
        filters=filters,
        order=order,
        page=page,
        limit=limit,
        counted=True,
    )
