"""Price list commands (every change publishes the whole list) and the price that applies to a customer."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from catalog.adapters import price_lists, products
from catalog.domain.errors import RecordNotFound, UnknownReference
from catalog.domain.price_lists import AppliedPrice, PriceList, applicable_price, check_unique_products
from catalog.domain.records import apply_changes, bump, check_version
from catalog.service_layer.commands import Change, Create, Remove
from catalog.service_layer.events import publish
from salessync.db import Tx

Prices = Sequence[tuple[uuid.UUID, Decimal]]


async def create_price_list(tx: Tx, cmd: Create) -> str:
    conn = await tx.raw()
    fields = dict(cmd.fields)
    prices: Prices = fields.pop("prices", ())
    price_list = PriceList(id=cmd.record_id, tenant_id=cmd.tenant_id, **fields)
    price_list.check_validity_range()
    await _check_prices(conn, cmd.tenant_id, prices)
    await price_lists.insert(conn, price_list)
    await price_lists.replace_prices(conn, cmd.tenant_id, price_list.id, list(prices))
    stored = await price_lists.prices(conn, cmd.tenant_id, price_list.id)
    await publish(tx, cmd.tenant_id, price_list.id, [("price_list.created", price_list.snapshot(stored))])
    return await price_lists.get_json(conn, cmd.tenant_id, price_list.id) or ""


async def change_price_list(tx: Tx, cmd: Change) -> str:
    """Change the list's terms and/or (with `prices` in the changes) replace its prices, as one new version."""
    conn = await tx.raw()
    current = await _locked(conn, cmd.tenant_id, cmd.record_id)
    check_version(current.version, cmd.expected_version)
    changes = dict(cmd.changes)
    new_prices: Prices | None = changes.pop("prices", None)
    updated, changed = apply_changes(current, changes)
    old_prices = await price_lists.prices(conn, cmd.tenant_id, current.id)
    prices_changed = new_prices is not None and sorted(new_prices) != sorted(old_prices)
    if not changed and not prices_changed:
        return await price_lists.get_json(conn, cmd.tenant_id, current.id) or ""
    if not changed:
        updated = bump(current)
    updated.check_validity_range()
    if prices_changed and new_prices is not None:
        await _check_prices(conn, cmd.tenant_id, new_prices)
        await price_lists.replace_prices(conn, cmd.tenant_id, current.id, list(new_prices))
    await price_lists.update(conn, updated)
    stored = await price_lists.prices(conn, cmd.tenant_id, current.id)
    await publish(tx, cmd.tenant_id, current.id, [("price_list.updated", updated.snapshot(stored))])
    return await price_lists.get_json(conn, cmd.tenant_id, current.id) or ""


async def delete_price_list(tx: Tx, cmd: Remove) -> None:
    """Delete a list and its prices; one still assigned to customers is 409 `in_use`."""
    conn = await tx.raw()
    if not await price_lists.delete(conn, cmd.tenant_id, cmd.record_id):
        raise RecordNotFound("price list not found")
    await publish(tx, cmd.tenant_id, cmd.record_id, [("price_list.deleted", {"id": str(cmd.record_id)})])


async def price_for(
    conn: Any, tenant_id: uuid.UUID, product_id: uuid.UUID, customer_id: uuid.UUID | None, today: date
) -> AppliedPrice:
    """The price that applies to `customer_id` (or the product's own price without a customer)."""
    row = await price_lists.price_for(conn, tenant_id, product_id, customer_id)
    if row is None:
        raise RecordNotFound("product not found")
    if customer_id is not None and row["customer_id"] is None:
        raise RecordNotFound("customer not found")
    price_list = None
    if row["list_id"] is not None:
        price_list = PriceList(
            id=row["list_id"],
            tenant_id=tenant_id,
            name=row["list_name"],
            currency=row["currency"],
            valid_from=row["valid_from"],
            valid_to=row["valid_to"],
            status=row["list_status"],
            version=row["list_version"],
        )
    return applicable_price(
        product_price=row["price"],
        tax_rate=row["tax_rate"],
        price_list=price_list,
        list_price=row["list_price"],
        today=today,
    )


async def _check_prices(conn: Any, tenant_id: uuid.UUID, prices: Prices) -> None:
    ids = [pid for pid, _ in prices]
    check_unique_products(ids)
    known = await products.existing_ids(conn, tenant_id, ids) if ids else set()
    for i, pid in enumerate(ids):
        if pid not in known:
            raise UnknownReference(f"prices[{i}].product_id")


async def _locked(conn: Any, tenant_id: uuid.UUID, price_list_id: uuid.UUID) -> PriceList:
    found = await price_lists.get(conn, tenant_id, price_list_id, lock=True)
    if found is None:
        raise RecordNotFound("price list not found")
    return found
