"""Orders's copies of catalog's records: upserts from events (stale versions ignored) and the reads of placing.

Raw asyncpg: these run on the hot path (placing) and once per catalog event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from orders.domain.placing import Customer, Product
from orders.domain.pricing import PriceList

_UPSERT_PRODUCT = """
INSERT INTO products AS p (tenant_id, id, code, name, unit, price, tax_rate, status, version)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (tenant_id, id) DO UPDATE SET
    code = EXCLUDED.code, name = EXCLUDED.name, unit = EXCLUDED.unit, price = EXCLUDED.price,
    tax_rate = EXCLUDED.tax_rate, status = EXCLUDED.status, version = EXCLUDED.version
WHERE p.version < EXCLUDED.version
"""

_UPSERT_CUSTOMER = """
INSERT INTO customers AS c (tenant_id, id, name, status, credit_limit, price_list_id, version)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (tenant_id, id) DO UPDATE SET
    name = EXCLUDED.name, status = EXCLUDED.status, credit_limit = EXCLUDED.credit_limit,
    price_list_id = EXCLUDED.price_list_id, version = EXCLUDED.version
WHERE c.version < EXCLUDED.version
"""

_UPSERT_PRICE_LIST = """
INSERT INTO price_lists AS l (tenant_id, id, name, valid_from, valid_to, status, version)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (tenant_id, id) DO UPDATE SET
    name = EXCLUDED.name, valid_from = EXCLUDED.valid_from, valid_to = EXCLUDED.valid_to,
    status = EXCLUDED.status, version = EXCLUDED.version
WHERE l.version < EXCLUDED.version AND NOT l.deleted
RETURNING true
"""


async def upsert_product(raw: Any, tenant_id: str, p: dict[str, Any]) -> None:
    await raw.execute(
        _UPSERT_PRODUCT,
        tenant_id,
        p["id"],
        p["code"],
        p["name"],
        p.get("unit") or "",
        Decimal(str(p["price"])),
        Decimal(str(p["tax_rate"])),
        p["status"],
        int(p["version"]),
    )


async def upsert_customer(raw: Any, tenant_id: str, c: dict[str, Any]) -> None:
    limit = c.get("credit_limit")
    await raw.execute(
        _UPSERT_CUSTOMER,
        tenant_id,
        c["id"],
        c["name"],
        c["status"],
        None if limit is None else Decimal(str(limit)),
        c.get("price_list_id"),
        int(c["version"]),
    )


async def upsert_price_list(raw: Any, tenant_id: str, pl: dict[str, Any]) -> None:
    """Upsert the list and, when it was newer, replace its prices with the snapshot's."""
    newer = await raw.fetchval(
        _UPSERT_PRICE_LIST,
        tenant_id,
        pl["id"],
        pl.get("name") or "",
        _date(pl.get("valid_from")),
        _date(pl.get("valid_to")),
        pl["status"],
        int(pl["version"]),
    )
    if not newer:
        return
    await raw.execute("DELETE FROM price_list_prices WHERE tenant_id = $1 AND price_list_id = $2", tenant_id, pl["id"])
    prices = pl.get("prices") or []
    await raw.execute(
        "INSERT INTO price_list_prices (tenant_id, price_list_id, product_id, price) "
        "SELECT $1, $2, u.product_id, u.price FROM unnest($3::uuid[], $4::numeric[]) AS u(product_id, price)",
        tenant_id,
        pl["id"],
        [x["product_id"] for x in prices],
        [Decimal(str(x["price"])) for x in prices],
    )


async def delete_price_list(raw: Any, tenant_id: str, price_list_id: str) -> None:
    """A tombstone, so a late `price_list.updated` cannot bring the list back."""
    await raw.execute(
        "INSERT INTO price_lists (tenant_id, id, status, version, deleted) VALUES ($1, $2, 'deleted', 0, true) "
        "ON CONFLICT (tenant_id, id) DO UPDATE SET deleted = true, status = 'deleted'",
        tenant_id,
        price_list_id,
    )
    await raw.execute(
        "DELETE FROM price_list_prices WHERE tenant_id = $1 AND price_list_id = $2", tenant_id, price_list_id
    )


def _date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


# What an order is priced against: its customer `c` (with its price list header `l`), its products `p` and their
# list prices `lp`, one row per product (one row with no product when none is found).
_FOR_ORDER_COLUMNS = """
c.id::text AS customer_id, c.name AS customer_name, c.status AS customer_status, c.credit_limit,
c.price_list_id::text, c.version AS customer_version, c.open_balance,
l.status AS list_status, l.valid_from, l.valid_to, coalesce(l.deleted, false) AS list_deleted,
p.id::text, p.code, p.name, p.unit, p.price, p.tax_rate, p.status, lp.price AS list_price
"""
_LIST_JOIN = """
LEFT JOIN price_lists l ON l.tenant_id = c.tenant_id AND l.id = c.price_list_id
"""
_LIST_PRICE_JOIN = """
LEFT JOIN price_list_prices lp
       ON lp.tenant_id = c.tenant_id AND lp.price_list_id = c.price_list_id AND lp.product_id = p.id
"""
_FOR_ORDER = f"""
SELECT {_FOR_ORDER_COLUMNS}
FROM customers c {_LIST_JOIN}
LEFT JOIN products p ON p.tenant_id = c.tenant_id AND p.id = ANY($3::uuid[]) {_LIST_PRICE_JOIN}
WHERE c.tenant_id = $1 AND c.id = $2
"""
_FOR_ORDER_LOCKED = _FOR_ORDER + "FOR NO KEY UPDATE OF c\n"


@dataclass(frozen=True, slots=True)
class ForOrder:
    """What an order is priced against. `open_balance` and `version` are the customer row's as read: the placing
    statement writes only if the row still holds them (order_writes.insert_order)."""

    customer: Customer
    products: dict[str, Product]
    price_list: PriceList | None
    open_balance: Decimal
    version: int


async def read_for_order(
    raw: Any, tenant_id: str, customer_id: str, product_ids: list[str], *, lock: bool
) -> ForOrder | None:
    """The customer with its open balance and price list header, the products asked for and their list prices,
    in one statement; None when orders has no such customer. With `lock` the customer row stays locked until
    the transaction ends, so the balance read is the one written against."""
    rows = await raw.fetch(_FOR_ORDER_LOCKED if lock else _FOR_ORDER, tenant_id, customer_id, product_ids)
    return _for_order(rows)


# The read of several orders of one tenant at once (group commit, service_layer/placement_groups): the same
# rows as _FOR_ORDER for each, numbered by `k`, the order's place in the arrays. Never locks: the placing
# statement guards each order by the version and balance read here.
_FOR_ORDERS = f"""
SELECT r.k, {_FOR_ORDER_COLUMNS}
FROM unnest($2::int[], $3::uuid[]) AS r(k, customer_id)
JOIN customers c ON c.tenant_id = $1 AND c.id = r.customer_id {_LIST_JOIN}
LEFT JOIN (unnest($4::int[], $5::uuid[]) AS q(k, product_id)
           JOIN products p ON p.tenant_id = $1 AND p.id = q.product_id) ON q.k = r.k {_LIST_PRICE_JOIN}
"""


async def read_for_orders(raw: Any, tenant_id: str, wanted: list[tuple[str, list[str]]]) -> list[ForOrder | None]:
    """`read_for_order` (unlocked) of several orders of one tenant in one statement: for each (customer id,
    product ids) of `wanted`, in order, what it is priced against, or None when orders has no such customer."""
    rows = await raw.fetch(
        _FOR_ORDERS,
        tenant_id,
        list(range(len(wanted))),
        [customer_id for customer_id, _ in wanted],
        [k for k, (_, product_ids) in enumerate(wanted) for _ in product_ids],
        [product_id for _, product_ids in wanted for product_id in product_ids],
    )
    by_order: list[list[Any]] = [[] for _ in wanted]
    for row in rows:
        by_order[row["k"]].append(row)
    return [_for_order(found) for found in by_order]


def _for_order(rows: list[Any]) -> ForOrder | None:
    if not rows:
        return None
    first = rows[0]
    customer = Customer(
        first["customer_id"],
        first["customer_name"],
        first["customer_status"],
        first["credit_limit"],
        first["price_list_id"],
    )
    products: dict[str, Product] = {}
    prices: dict[str, Decimal] = {}
    for r in rows:
        if r["id"] is None:
            continue
        products[r["id"]] = Product(r["id"], r["code"], r["name"], r["unit"], r["price"], r["tax_rate"], r["status"])
        if r["list_price"] is not None:
            prices[r["id"]] = r["list_price"]
    price_list = None
    if first["list_status"] is not None and not first["list_deleted"]:
        price_list = PriceList(
            first["price_list_id"], first["list_status"], first["valid_from"], first["valid_to"], prices
        )
    return ForOrder(customer, products, price_list, first["open_balance"], first["customer_version"])
