"""Categories and brands in PostgreSQL (one small table each, the same shape of queries)."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from catalog.adapters.sql import Filters, fetch_page, in_use, iso, order_by, translate
from catalog.domain.categories import Brand, Category

CATEGORY_PROJECTION = f"""json_build_object('id', id, 'name', name, 'parent_id', parent_id,
  'description', description, 'version', version,
  'created_at', {iso("created_at")}, 'updated_at', {iso("updated_at")})"""
BRAND_PROJECTION = f"""json_build_object('id', id, 'name', name, 'description', description, 'version', version,
  'created_at', {iso("created_at")}, 'updated_at', {iso("updated_at")})"""

TABLES = {
    "categories": (Category, "id, tenant_id, name, parent_id, description, version", CATEGORY_PROJECTION),
    "brands": (Brand, "id, tenant_id, name, description, version", BRAND_PROJECTION),
}
CONSTRAINT_FIELDS = {
    "uq_categories_tenant_name": "name",
    "uq_brands_tenant_name": "name",
    "fk_categories_parent": "parent_id",
}
SORTS = {"name": "name", "created_at": "created_at"}


def _spec(table: str) -> tuple[type, str, str]:
    return TABLES[table]


async def insert(conn: Any, table: str, record: Category | Brand) -> str:
    _, columns, projection = _spec(table)
    values = [getattr(record, c) for c in columns.split(", ")]
    placeholders = ", ".join(f"${i}" for i in range(1, len(values) + 1))
    try:
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) RETURNING {projection}::text"
        return str(await conn.fetchval(sql, *values))
    except asyncpg.IntegrityConstraintViolationError as exc:
        raise translate(exc, CONSTRAINT_FIELDS) from exc


async def update(conn: Any, table: str, record: Category | Brand) -> str:
    _, columns, projection = _spec(table)
    names = columns.split(", ")
    sets = ", ".join(f"{c} = ${i}" for i, c in enumerate(names[2:], start=3))
    try:
        sql = f"UPDATE {table} SET {sets}, updated_at = now() WHERE id = $1 AND tenant_id = $2 RETURNING {projection}::text"
        return str(await conn.fetchval(sql, *[getattr(record, c) for c in names]))
    except asyncpg.IntegrityConstraintViolationError as exc:
        raise translate(exc, CONSTRAINT_FIELDS) from exc


async def get_for_update(conn: Any, table: str, tenant_id: uuid.UUID, record_id: uuid.UUID) -> Any:
    cls, columns, _ = _spec(table)
    row = await conn.fetchrow(
        f"SELECT {columns} FROM {table} WHERE tenant_id = $1 AND id = $2 FOR UPDATE", tenant_id, record_id
    )
    return None if row is None else cls(**dict(row))


async def get_json(conn: Any, table: str, tenant_id: uuid.UUID, record_id: uuid.UUID) -> str | None:
    _, _, projection = _spec(table)
    value = await conn.fetchval(
        f"SELECT {projection}::text FROM {table} WHERE tenant_id = $1 AND id = $2", tenant_id, record_id
    )
    return None if value is None else str(value)


async def exists(conn: Any, table: str, tenant_id: uuid.UUID, record_id: uuid.UUID) -> bool:
    return bool(await conn.fetchval(f"SELECT true FROM {table} WHERE tenant_id = $1 AND id = $2", tenant_id, record_id))


async def delete(conn: Any, table: str, tenant_id: uuid.UUID, record_id: uuid.UUID) -> bool:
    try:
        deleted = await conn.fetchval(
            f"DELETE FROM {table} WHERE tenant_id = $1 AND id = $2 RETURNING true", tenant_id, record_id
        )
    except asyncpg.ForeignKeyViolationError as exc:
        raise in_use(exc) from exc
    return bool(deleted)


async def ancestors(conn: Any, tenant_id: uuid.UUID, category_id: uuid.UUID) -> list[uuid.UUID]:
    """The category's ancestors, nearest first (bounded, so a corrupt tree cannot loop forever)."""
    rows = await conn.fetch(
        """WITH RECURSIVE up(id, parent_id, depth) AS (
             SELECT id, parent_id, 0 FROM categories WHERE tenant_id = $1 AND id = $2
             UNION ALL
             SELECT c.id, c.parent_id, up.depth + 1 FROM categories c JOIN up ON c.id = up.parent_id
              WHERE c.tenant_id = $1 AND up.depth < 1000)
           SELECT parent_id FROM up WHERE parent_id IS NOT NULL ORDER BY depth""",
        tenant_id,
        category_id,
    )
    return [r["parent_id"] for r in rows]


async def lock_tree(conn: Any, tenant_id: uuid.UUID) -> None:
    """Serialise changes of one tenant's category tree, so two concurrent moves cannot close a cycle."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext('catalog.categories.' || ($1::uuid)::text))", tenant_id)


async def list_page(
    conn: Any,
    table: str,
    tenant_id: uuid.UUID,
    *,
    search: str | None,
    parent_id: uuid.UUID | None,
    sort: str,
    page: int,
    limit: int,
) -> bytes:
    _, _, projection = _spec(table)
    filters = Filters(tenant_id)
    filters.add("parent_id = ?", parent_id)
    if search:
        filters.add("lower(name) LIKE ? ESCAPE '\\'", "%" + like_escape(search.lower()) + "%")
    return await fetch_page(
        conn, table=table, projection=projection, filters=filters, order=order_by(sort, SORTS), page=page, limit=limit
    )


def like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
