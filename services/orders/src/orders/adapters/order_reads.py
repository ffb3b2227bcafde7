"""Reading orders with raw asyncpg, shaped for orjson: money and ids are cast to text in SQL.

Lists run outside a transaction (each statement is its own snapshot): no BEGIN/COMMIT round trips. A list's
stats come from `order_stats` when it is filtered by status or payment status at most (the console's default
list), else from a sum over the filtered orders. A list's items are rendered as JSON by PostgreSQL, one text per
order (`row_to_json`: compact, keys in column order, the same values orjson wrote from the same columns): decoding
a page's thousand values into Python and encoding them again was most of the list's CPU in orders.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import orjson

from salessync.db import Database
from salessync.pagination import limit_offset


def _iso(column: str) -> str:
    """A timestamptz as the services' JSON writes one (`2026-11-26T01:35:00.123456+00:00`), rendered by
    PostgreSQL: a page of 50 orders decoded into datetimes and encoded again cost orders more than the page."""
    return f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"')"


SUMMARY_COLUMNS = (
    """
id::text, number, customer_id::text, customer_name, salesman_id::text, van_load_id::text, status, payment_status,
payment_method, gross_total::text, discount_total::text, tax_total::text, total::text, amount_paid::text,
line_count, credit_override, delivery_date::text, """
    + f"{_iso('created_at')} AS created_at, {_iso('updated_at')} AS updated_at, version"
)

DETAIL_COLUMNS = SUMMARY_COLUMNS + ", notes, rejection_reason"

# Qualified: the select list casts `id` and `total` to text under the same names.
SORTS = {
    "created_at": "orders.created_at, orders.id",
    "-created_at": "orders.created_at DESC, orders.id DESC",
    "number": "orders.number",
    "-number": "orders.number DESC",
    "total": "orders.total, orders.id",
    "-total": "orders.total DESC, orders.id DESC",
}


@asynccontextmanager
async def autocommit(db: Database) -> AsyncIterator[Any]:
    """A pooled asyncpg connection with no transaction open: each read statement is one round trip."""
    async with db.autocommit() as tx:
        yield await tx.raw()


@dataclass(frozen=True, slots=True)
class OrderFilter:
    tenant_id: str
    customer_id: str | None = None
    salesman_id: str | None = None
    status: str | None = None
    payment_status: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    van_load_id: str | None = None
    search: str | None = None

    def summarised(self) -> bool:
        """Only tenant, status and payment status: `order_stats` holds this set's stats (order_writes keeps it)."""
        return not (
            self.customer_id or self.salesman_id or self.van_load_id or self.date_from or self.date_to or self.search
        )

    def where(self, table: str = "") -> tuple[str, list[Any]]:
        """The filter as SQL on `table`'s columns (qualified with it when given) and its arguments."""
        prefix = f"{table}." if table else ""
        clauses = [f"{prefix}tenant_id = $1"]
        args: list[Any] = [self.tenant_id]

        def add(sql: str, value: Any) -> None:
            args.append(value)
            clauses.append(sql.replace("@", prefix).replace("?", f"${len(args)}"))

        if self.customer_id:
            add("@customer_id = ?", self.customer_id)
        if self.salesman_id:
            add("@salesman_id = ?", self.salesman_id)
        if self.status:
            add("@status = ?", self.status)
        if self.payment_status:
            add("@payment_status = ?", self.payment_status)
        if self.van_load_id:
            add("@van_load_id = ?", self.van_load_id)
        if self.date_from:
            add("@created_at >= ?::date", self.date_from)
        if self.date_to:
            add("@created_at < ?::date + 1", self.date_to)
        if self.search:
            add("upper(@number) LIKE ? ESCAPE '\\'", "%" + _escape_like(self.search.strip().upper()) + "%")
        return " AND ".join(clauses), args


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def list_orders(
    db: Database, flt: OrderFilter, *, sort: str, limit: int, offset: int
) -> tuple[orjson.Fragment, dict[str, Any]]:
    """One page (a JSON array, ready to embed in the answer) and the filtered set's stats, in one statement:
    the stats ride along on every row as a JSON array computed once (an InitPlan); a page past the end reads
    them alone. Each row's JSON is built from a projection of the same `orders` row (`LATERAL`), so the page's
    ORDER BY sorts the rows the JSON comes from (the sort keys, such as `total`, are not the text in the JSON)."""
    where, args = flt.where()
    if flt.summarised():  # the per-tenant summary has the answer: no sum over the tenant's orders
        groups = (
            "SELECT status, payment_status, sum(n) AS n, sum(amount) AS amount "
            f"FROM order_stats WHERE {where} GROUP BY status, payment_status HAVING sum(n) > 0"
        )
    else:
        groups = (
            "SELECT status, payment_status, count(*) AS n, sum(total) AS amount "
            f"FROM orders WHERE {where} GROUP BY status, payment_status"
        )
    stats_sql = (
        "(SELECT coalesce(json_agg(json_build_array(status, payment_status, n, amount::text)), '[]')::text "
        f"FROM ({groups}) g)"
    )
    page_where, _ = flt.where("orders")
    page_sql = (
        f"SELECT row_to_json(item)::text, {stats_sql} AS stats "
        f"FROM orders, LATERAL (SELECT {SUMMARY_COLUMNS}) item WHERE {page_where} ORDER BY {SORTS[sort]} "
        + limit_offset(limit, offset)
    )
    async with autocommit(db) as raw:
        rows = await raw.fetch(page_sql, *args)
        stats = rows[0][1] if rows else await raw.fetchval(f"SELECT {stats_sql}", *args)
    items = orjson.Fragment("[" + ",".join([row[0] for row in rows]) + "]")
    return items, stats_of(orjson.loads(stats))


def stats_of(groups: list[list[Any]]) -> dict[str, Any]:
    """The list's `stats` from `[status, payment_status, count, amount as text]` groups."""
    by_status: dict[str, int] = {}
    by_payment: dict[str, int] = {}
    count = 0
    amount = Decimal("0")
    revenue = Decimal("0")
    for status, payment_status, n, total in groups:
        sum_ = Decimal(total)
        count += n
        amount += sum_
        by_status[status] = by_status.get(status, 0) + n
        by_payment[payment_status] = by_payment.get(payment_status, 0) + n
        if status not in ("cancelled", "rejected", "returned"):
            revenue += sum_
    return {
        "count": count,
        "total_amount": f"{amount:.2f}",
        "revenue": f"{revenue:.2f}",
        "average_amount": f"{(amount / count if count else Decimal(0)):.2f}",
        "by_status": by_status,
        "by_payment_status": by_payment,
    }


async def get_order(raw: Any, tenant_id: str, order_id: str, salesman_id: str | None) -> dict[str, Any] | None:
    """One order with its lines and status history; None when absent, another tenant's, or not the salesman's."""
    sql = f"SELECT {DETAIL_COLUMNS} FROM orders WHERE id = $2 AND (tenant_id = $1) IS TRUE"  # see order_writes
    args: list[Any] = [tenant_id, order_id]
    if salesman_id is not None:
        sql += " AND salesman_id = $3"
        args.append(salesman_id)
    row = await raw.fetchrow(sql, *args)
    if row is None:
        return None
    order = dict(row)
    if isinstance(order["rejection_reason"], str):  # the pool's jsonb codec usually decodes it already
        order["rejection_reason"] = orjson.loads(order["rejection_reason"])
    lines = await raw.fetch(
        "SELECT line_no, product_id::text, product_code, product_name, unit, quantity, unit_price::text, "
        "discount_rate::float8 AS discount_rate, tax_rate::float8 AS tax_rate, gross::text, "
        "discount_amount::text, tax_amount::text, line_total::text "
        "FROM order_lines WHERE tenant_id = $1 AND order_id = $2 ORDER BY line_no",
        tenant_id,
        order_id,
    )
    history = await raw.fetch(
        "SELECT field, from_status, to_status, reason, actor_id::text, at FROM order_status_history "
        "WHERE tenant_id = $1 AND order_id = $2 ORDER BY id",
        tenant_id,
        order_id,
    )
    order["lines"] = [dict(x) for x in lines]
    order["status_history"] = [dict(x) for x in history]
    return order


async def customer_exists(raw: Any, tenant_id: str, customer_id: str) -> bool:
    return bool(
        await raw.fetchval("SELECT true FROM customers WHERE tenant_id = $1 AND id = $2", tenant_id, customer_id)
    )
