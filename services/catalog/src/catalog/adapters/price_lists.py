"""Price lists and their per-product prices in PostgreSQL."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import asyncpg

from catalog.adapters.sql import Filters, Sort, fetch_page, in_use, iso, order_by, translate
from catalog.domain.price_lists import PriceList

PROJECTION = f"""json_build_object('id', id, 'name', name, 'currency', currency, 'valid_from', valid_from,
  'valid_to', valid_to, 'status', status, 'version', version,
  'item_count', (SELECT count(*) FROM price_list_items i WHERE i.tenant_id = p.tenant_id AND i.price_list_id = p.id),
  'created_at', {iso("created_at")}, 'updated_at', {iso("updated_at")})"""
ITEM_PROJECTION = """json_build_object('product_id', product_id, 'code', code, 'name', name,
  'price', price::text, 'product_price', product_price::text)"""
COLUMNS = "id, tenant_id, name, currency, valid_from, valid_to, status, version"
SORTS = {"name": "name", "created_at": "created_at", "valid_from": "valid_from"}
CONSTRAINT_FIELDS = {
    "uq_price_lists_tenant_name": "name",
    "ck_price_lists_valid_range": "valid_to",
    "ck_price_lists_status_known": "status",
    "fk_price_list_items_product": "prices",
}


def _values(p: PriceList) -> list[Any]:
    return [p.id, p.tenant_id, p.name, p.currency, p.valid_from, p.valid_to, p.status, p.version]


async def insert(conn: Any, price_list: PriceList) -> None:
    try:
        await conn.execute(
            f"INSERT INTO price_lists ({COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)", *_values(price_list)
        )
    except asyncpg.IntegrityConstraintViolationError as exc:
        raise translate(exc, CONSTRAINT_FIELDS) from exc


async def update(conn: Any, price_list: PriceList) -> None:
    sets = ", ".join(f"{c} = ${i}" for i, c in enumerate(COLUMNS.split(", ")[2:], start=3))
    try:
        await conn.execute(
            f"UPDATE price_lists SET {sets}, updated_at = now() WHERE id = $1 AND tenant_id = $2", *_values(price_list)
        )
    except asyncpg.IntegrityConstraintViolationError as exc:
        raise translate(exc, CONSTRAINT_FIELDS) from exc


async def replace_prices(
    conn: Any, tenant_id: uuid.UUID, price_list_id: uuid.UUID, prices: list[tuple[uuid.UUID, Decimal]]
) -> None:
    await conn.execute(
        "DELETE FROM price_list_items WHERE tenant_id = $1 AND price_list_id = $2", tenant_id, price_list_id
    )
    if prices:
        try:
            await conn.execute(
                "INSERT INTO price_list_items (tenant_id, price_list_id, product_id, price) "
                "SELECT $1, $2, u.product_id, u.price FROM unnest($3::uuid[], $4::numeric[]) AS u(product_id, price)",
                tenant_id,
                price_list_id,
                [p for p, _ in prices],
                [v for _, v in prices],
            )
        except asyncpg.IntegrityConstraintViolationError as exc:
            raise translate(exc, CONSTRAINT_FIELDS) from exc


async def prices(conn: Any, tenant_id: uuid.UUID, price_list_id: uuid.UUID) -> list[tuple[uuid.UUID, Decimal]]:
    rows = await conn.fetch(
        "SELECT product_id, price FROM price_list_items WHERE tenant_id = $1 AND price_list_id = $2 ORDER BY product_id",
        tenant_id,
        price_list_id,
    )
    return [(r["product_id"], r["price"]) for r in rows]


async def get(conn: Any, tenant_id: uuid.UUID, price_list_id: uuid.UUID, *, lock: bool = False) -> PriceList | None:
    suffix = " FOR UPDATE" if lock else ""
    row = await conn.fetchrow(
        f"SELECT {COLUMNS} FROM price_lists WHERE tenant_id = $1 AND id = $2{suffix}", tenant_id, price_list_id
    )
    return None if row is None else PriceList(**dict(row))


async def get_json(conn: Any, tenant_id: uuid.UUID, price_list_id: uuid.UUID) -> str | None:
    value = await conn.fetchval(
        f"SELECT {PROJECTION}::text FROM price_lists p WHERE tenant_id = $1 AND id = $2", tenant_id, price_list_id
    )
    return None if value is None else str(value)


async def exists(conn: Any, tenant_id: uuid.UUID, price_list_id: uuid.UUID) -> bool:
    return bool(
        await conn.fetchval("SELECT true FROM price_lists WHERE tenant_id = $1 AND id = $2", tenant_id, price_list_id)
    )


async def delete(conn: Any, tenant_id: uuid.UUID, price_list_id: uuid.UUID) -> bool:
    try:
        deleted = await conn.fetchval(
            "DELETE FROM price_lists WHERE tenant_id = $1 AND id = $2 RETURNING true", tenant_id, price_list_id
        )
    except asyncpg.ForeignKeyViolationError as exc:
        raise in_use(exc) from exc
    return bool(deleted)


async def list_page(conn: Any, tenant_id: uuid.UUID, *, status: str | None, sort: str, page: int, limit: int) -> bytes:
    filters = Filters(tenant_id)
    filters.add("status = ?", status)
    return await fetch_page(
        conn,
        table="price_lists",
        projection=PROJECTION,
        filters=filters,
        order=order_by(sort, SORTS),
        page=page,
        limit=limit,
    )


async def items_page(conn: Any, tenant_id: uuid.UUID, price_list_id: uuid.UUID, *, page: int, limit: int) -> bytes:
    filters = Filters(tenant_id)
    filters.add("price_list_id = ?", price_list_id)
    table = (
        "(SELECT i.tenant_id, i.price_list_id, i.product_id AS id, i.product_id, i.price, p.code, p.name, "
        "p.price AS product_price FROM price_list_items i JOIN products p ON p.id = i.product_id "
        "AND p.tenant_id = i.tenant_id) items"
    )
    return await fetch_page(
        conn,
        table=table,
        projection=ITEM_PROJECTION,
        filters=filters,
        order=Sort("code", "ASC"),
        page=page,
        limit=limit,
    )


async def price_for(
    conn: Any, tenant_id: uuid.UUID, product_id: uuid.UUID, customer_id: uuid.UUID | None
) -> dict[str, Any] | None:
    """In one round trip: the product's price and tax rate, whether the customer exists, the customer's price
    list (if any) and that list's price for the product (if it has one)."""
    row = await conn.fetchrow(
        """SELECT p.price, p.tax_rate, c.id AS customer_id, l.id AS list_id, l.name AS list_name, l.currency,
                  l.valid_from, l.valid_to, l.status AS list_status, l.version AS list_version, i.price AS list_price
             FROM products p
             LEFT JOIN customers c ON c.tenant_id = p.tenant_id AND c.id = $3
             LEFT JOIN price_lists l ON l.tenant_id = p.tenant_id AND l.id = c.price_list_id
             LEFT JOIN price_list_items i ON i.tenant_id = p.tenant_id AND i.price_list_id = l.id AND i.product_id = p.id
            WHERE p.tenant_id = $1 AND p.id = $2""",
        tenant_id,
        product_id,
        customer_id,
    )
    return None if row is None else dict(row)
