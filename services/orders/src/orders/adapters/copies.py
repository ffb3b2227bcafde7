"""Orders's copies of catalog's records: upserts from events (stale versions ignored) and the reads of placing.

Raw asyncpg: these run on the hot path (placing) and once per catalog event.
"""

from __future__ import annotations

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


_LOCK_CUSTOMER = """
SELECT c.id::text, c.name, c.status, c.credit_limit, c.price_list_id::text,
       l.status AS list_status, l.valid_from, l.valid_to, coalesce(l.deleted, false) AS list_deleted
FROM customers c
LEFT JOIN price_lists l ON l.tenant_id = c.tenant_id AND l.id = c.price_list_id
WHERE c.tenant_id = $1 AND c.id = $2
FOR NO KEY UPDATE OF c
"""

# the balance reads ix_orders_open_by_customer (same predicate), never a scan of the whole tenant
_FOR_ORDER = """
SELECT p.id::text, p.code, p.name, p.unit, p.price, p.tax_rate, p.status, lp.price AS list_price,
       (SELECT coalesce(sum(o.total), 0) FROM orders o
         WHERE o.tenant_id = $1 AND o.customer_id = $2
           AND o.status NOT IN ('cancelled', 'rejected') AND o.payment_status <> 'paid') AS open_balance
FROM (SELECT 1) AS one
LEFT JOIN products p ON p.tenant_id = $1 AND p.id = ANY($3::uuid[])
LEFT JOIN price_list_prices lp ON lp.tenant_id = $1 AND lp.price_list_id = $4 AND lp.product_id = p.id
"""


async def lock_customer(raw: Any, tenant_id: str, customer_id: str) -> tuple[Customer | None, dict[str, Any] | None]:
    """The customer (row-locked until commit, so credit checks of one customer run one at a time) and the
    header of its price list."""
    row = await raw.fetchrow(_LOCK_CUSTOMER, tenant_id, customer_id)
    if row is None:
        return None, None
    customer = Customer(row["id"], row["name"], row["status"], row["credit_limit"], row["price_list_id"])
    header = None
    if row["list_status"] is not None and not row["list_deleted"]:
        header = {
            "id": row["price_list_id"],
            "status": row["list_status"],
            "from": row["valid_from"],
            "to": row["valid_to"],
        }
    return customer, header


async def load_for_order(
    raw: Any, tenant_id: str, customer_id: str, product_ids: list[str], list_header: dict[str, Any] | None
) -> tuple[dict[str, Product], PriceList | None, Decimal]:
    """The products asked for, the customer's list prices for them and the customer's open balance, read after
    the customer's lock so the balance includes every order committed before it."""
    rows = await raw.fetch(_FOR_ORDER, tenant_id, customer_id, product_ids, list_header["id"] if list_header else None)
    products: dict[str, Product] = {}
    prices: dict[str, Decimal] = {}
    for r in rows:
        if r["id"] is None:
            continue
        products[r["id"]] = Product(r["id"], r["code"], r["name"], r["unit"], r["price"], r["tax_rate"], r["status"])
        if r["list_price"] is not None:
            prices[r["id"]] = r["list_price"]
    balance = rows[0]["open_balance"] if rows else Decimal("0")
    price_list = None
    if list_header is not None:
        price_list = PriceList(list_header["id"], list_header["status"], list_header["from"], list_header["to"], prices)
    return products, price_list, balance
