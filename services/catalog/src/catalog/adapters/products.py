"""Products in PostgreSQL, through asyncpg: answers rendered as JSON by the database, rows as domain objects."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from catalog.adapters.sql import Filters, Listing, fetch_listing, iso, order_by, translate
from catalog.domain.products import Product

PROJECTION = f"""json_build_object(
  'id', id, 'code', code, 'name', name, 'description', description, 'barcode', barcode,
  'category_id', category_id, 'brand_id', brand_id, 'unit', unit, 'price', price::text, 'cost', cost::text,
  'tax_rate', trim_scale(tax_rate)::text, 'reorder_level', reorder_level, 'status', status, 'version', version,
  'created_at', {iso("created_at")}, 'updated_at', {iso("updated_at")})"""

LISTING = Listing(
    "products",
    (
        ("id", "$.id::text"), ("code", "$.code"), ("name", "$.name"), ("description", "$.description"),
        ("barcode", "$.barcode"), ("category_id", "$.category_id::text"), ("brand_id", "$.brand_id::text"),
        ("unit", "$.unit"), ("price", "$.price::text"), ("cost", "$.cost::text"),
        ("tax_rate", "trim_scale($.tax_rate)::text"), ("reorder_level", "$.reorder_level"), ("status", "$.status"),
        ("version", "$.version"), ("created_at", iso("$.created_at")), ("updated_at", iso("$.updated_at")),
    ),
)  # fmt: skip
"""The same record as `PROJECTION`, for lists."""

FIELDS = ("code", "name", "description", "barcode", "category_id", "brand_id", "unit", "price", "cost", "tax_rate")
COLUMNS = "id, tenant_id, " + ", ".join(FIELDS) + ", reorder_level, status, version"
SORTS = {"name": "name", "code": "code", "price": "price", "created_at": "created_at", "updated_at": "updated_at"}
CONSTRAINT_FIELDS = {
    "uq_products_tenant_code": "code",
    "uq_products_tenant_barcode": "barcode",
    "fk_products_category": "category_id",
    "fk_products_brand": "brand_id",
    "ck_products_price_nonnegative": "price",
    "ck_products_cost_nonnegative": "cost",
    "ck_products_tax_rate_range": "tax_rate",
    "ck_products_reorder_level_nonnegative": "reorder_level",
    "ck_products_status_known": "status",
}


def _values(p: Product) -> list[Any]:
    return [
        p.id, p.tenant_id, p.code, p.name, p.description, p.barcode, p.category_id, p.brand_id, p.unit,
        p.price, p.cost, p.tax_rate, p.reorder_level, p.status, p.version,
    ]  # fmt: skip


async def insert(conn: Any, product: Product) -> str:
    try:
        return str(
            await conn.fetchval(
                f"INSERT INTO products ({COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15) "
                f"RETURNING {PROJECTION}::text",
                *_values(product),
            )
        )
    except asyncpg.IntegrityConstraintViolationError as exc:
        raise translate(exc, CONSTRAINT_FIELDS) from exc


async def update(conn: Any, product: Product) -> str:
    sets = ", ".join(f"{c} = ${i}" for i, c in enumerate(COLUMNS.split(", ")[2:], start=3))
    try:
        return str(
            await conn.fetchval(
                f"UPDATE products SET {sets}, updated_at = now() WHERE id = $1 AND tenant_id = $2 RETURNING {PROJECTION}::text",
                *_values(product),
            )
        )
    except asyncpg.IntegrityConstraintViolationError as exc:
        raise translate(exc, CONSTRAINT_FIELDS) from exc


async def get_for_update(conn: Any, tenant_id: uuid.UUID, product_id: uuid.UUID) -> Product | None:
    row = await conn.fetchrow(
        f"SELECT {COLUMNS} FROM products WHERE tenant_id = $1 AND id = $2 FOR UPDATE", tenant_id, product_id
    )
    return None if row is None else Product(**dict(row))


async def get_json(conn: Any, tenant_id: uuid.UUID, product_id: uuid.UUID) -> str | None:
    value = await conn.fetchval(
        f"SELECT {PROJECTION}::text FROM products WHERE tenant_id = $1 AND id = $2", tenant_id, product_id
    )
    return None if value is None else str(value)


async def get(conn: Any, tenant_id: uuid.UUID, product_id: uuid.UUID) -> Product | None:
    row = await conn.fetchrow(f"SELECT {COLUMNS} FROM products WHERE tenant_id = $1 AND id = $2", tenant_id, product_id)
    return None if row is None else Product(**dict(row))


async def list_page(
    conn: Any,
    tenant_id: uuid.UUID,
    *,
    category_id: uuid.UUID | None,
    brand_id: uuid.UUID | None,
    status: str | None,
    search: str | None,
    sort: str,
    page: int,
    limit: int,
) -> bytes:
    filters = Filters(tenant_id)
    filters.add("category_id = ?", category_id)
    filters.add("brand_id = ?", brand_id)
    filters.add("status = ?", status)
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


async def existing_ids(conn: Any, tenant_id: uuid.UUID, ids: list[uuid.UUID]) -> set[uuid.UUID]:
    rows = await conn.fetch("SELECT id FROM products WHERE tenant_id = $1 AND id = ANY($2::uuid[])", tenant_id, ids)
    return {r["id"] for r in rows}
