"""Read side: lists with stats and one order, with the visibility rule (field roles see their own orders)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from orders.adapters import order_reads
from orders.adapters.order_reads import OrderFilter
from orders.domain import policy
from orders.domain.errors import CustomerNotFound, OrderNotFound
from salessync.auth import Principal
from salessync.db import Database
from salessync.pagination import PageParams, page_of


def _own(principal: Principal) -> str | None:
    return str(principal.user_id) if policy.sees_only_own(principal.role) else None


async def list_orders(
    db: Database, principal: Principal, flt: OrderFilter, params: PageParams, sort: str
) -> dict[str, Any]:
    own = _own(principal)
    if own is not None:
        if flt.salesman_id not in (None, own):  # another salesman's orders: none of them are visible
            items, stats = [], order_reads.stats_of([])
            return {**page_of(items, params, 0), "stats": stats}
        flt = replace(flt, salesman_id=own)
    items, stats = await order_reads.list_orders(db, flt, sort=sort, limit=params.limit, offset=params.offset)
    answer = page_of(items, params, stats["count"])
    answer["stats"] = stats
    return answer


async def list_customer_orders(
    db: Database, principal: Principal, flt: OrderFilter, params: PageParams, sort: str
) -> dict[str, Any]:
    async with order_reads.autocommit(db) as raw:
        if not await order_reads.customer_exists(raw, flt.tenant_id, str(flt.customer_id)):
            raise CustomerNotFound(f"no customer {flt.customer_id}")
    return await list_orders(db, principal, flt, params, sort)


async def get_order(db: Database, principal: Principal, order_id: str) -> dict[str, Any]:
    async with db.connect() as tx:
        order = await order_reads.get_order(await tx.raw(), str(principal.tenant_id), order_id, _own(principal))
    if order is None:
        raise OrderNotFound(f"no order {order_id}")
    return order
