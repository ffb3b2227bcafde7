"""Plain-SQL helpers shared by the repositories: reads without a transaction, list filters with `$n`
parameters, search as word prefixes, sort parsing, and the mapping of constraint violations to domain errors."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from catalog.domain.errors import DuplicateValue, InUse, UnknownReference
from salessync.db import Database
from salessync.errors import DomainError, InvalidInput

_WORD = re.compile(r"\w+")
MAX_SEARCH_WORDS = 8


def iso(column: str) -> str:
    """A timestamptz rendered by PostgreSQL as ISO-8601 UTC (`2026-11-25T16:14:00.123456Z`)."""
    return f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"


@asynccontextmanager
async def read_connection(db: Database) -> AsyncIterator[Any]:
    """A pooled asyncpg connection for reads, outside any transaction: one round trip per statement."""
    async with db.engine.connect() as conn:
        fairy = await conn.get_raw_connection()
        yield fairy.driver_connection


def search_query(search: str) -> str | None:
    """`"Coca cola 50"` -> `"coca:* & cola:* & 50:*"` (every word as a prefix, all required); None if no word.

    Only `\\w` runs become lexemes, so nothing a user types can break the tsquery syntax.
    """
    words = _WORD.findall(search.lower())[:MAX_SEARCH_WORDS]
    if not words:
        return None
    return " & ".join(f"{w}:*" for w in words)


class Filters:
    """`WHERE` clauses with numbered parameters; the tenant is always `$1`."""

    def __init__(self, tenant_id: uuid.UUID) -> None:
        self.args: list[Any] = [tenant_id]
        self.clauses: list[str] = ["tenant_id = $1"]

    def add(self, clause: str, value: Any) -> None:
        """`clause` holds one `?` for `value`; a None value adds nothing."""
        if value is None:
            return
        self.args.append(value)
        self.clauses.append(clause.replace("?", f"${len(self.args)}"))

    def search(self, text: str | None) -> None:
        if text:
            query = search_query(text)
            if query is None:
                self.clauses.append("false")
            else:
                self.add("search_vec @@ to_tsquery('simple', ?)", query)

    @property
    def sql(self) -> str:
        return " AND ".join(self.clauses)


def order_by(sort: str, columns: Mapping[str, str]) -> str:
    """`-price` -> `price DESC, id DESC`; the id breaks ties so pages never overlap."""
    descending = sort.startswith("-")
    name = sort.lstrip("-+")
    column = columns.get(name)
    if column is None:
        raise InvalidInput("sort", f"unknown sort field; use one of {', '.join(sorted(columns))}, optionally with '-'")
    direction = "DESC" if descending else "ASC"
    return f"{column} {direction}, id {direction}"


def page_json(items: str, page: int, limit: int, total: int) -> bytes:
    """The list answer (API.md) around an `items` array already rendered as JSON by PostgreSQL."""
    pages = (total + limit - 1) // limit if total else 0
    return b'{"items":%s,"page":%d,"limit":%d,"total":%d,"pages":%d}' % (items.encode(), page, limit, total, pages)


async def fetch_page(
    conn: Any, *, table: str, projection: str, filters: Filters, order: str, page: int, limit: int
) -> bytes:
    """One page as JSON built inside PostgreSQL, and the total (counted only when the page does not tell it)."""
    n = len(filters.args)
    sql = (
        f"SELECT count(*)::int AS n, coalesce(json_agg(j ORDER BY rn), '[]'::json)::text AS items FROM ("
        f"SELECT {projection} AS j, row_number() OVER () AS rn FROM ("
        f"SELECT * FROM {table} WHERE {filters.sql} ORDER BY {order} LIMIT ${n + 1} OFFSET ${n + 2}) p) x"
    )
    offset = (page - 1) * limit
    row = await conn.fetchrow(sql, *filters.args, limit, offset)
    count = row["n"]
    if count < limit and (count > 0 or offset == 0):
        total = offset + count
    else:
        total = await conn.fetchval(f"SELECT count(*) FROM {table} WHERE {filters.sql}", *filters.args)
    return page_json(row["items"], page, limit, total)


def translate(exc: asyncpg.PostgresError, fields: Mapping[str, str]) -> DomainError:
    """A constraint violation as the domain error naming the field; `fields` maps constraint names to fields."""
    constraint = getattr(exc, "constraint_name", None) or ""
    field = fields.get(constraint, constraint or "body")
    if isinstance(exc, asyncpg.UniqueViolationError):
        return DuplicateValue(field)
    if isinstance(exc, asyncpg.ForeignKeyViolationError):
        return UnknownReference(field)
    if isinstance(exc, asyncpg.CheckViolationError):
        return InvalidInput(field, "is out of range")
    raise exc


# Foreign keys whose violation on DELETE means "something still refers to this row".
IN_USE = {
    "fk_categories_parent": "the category has child categories",
    "fk_products_category": "products refer to this category",
    "fk_products_brand": "products refer to this brand",
    "fk_customers_price_list": "customers use this price list",
}


def in_use(exc: asyncpg.ForeignKeyViolationError) -> InUse:
    """A DELETE refused because another row still refers to this one."""
    constraint = getattr(exc, "constraint_name", None) or ""
    return InUse(IN_USE.get(constraint, "other records refer to this one"))
