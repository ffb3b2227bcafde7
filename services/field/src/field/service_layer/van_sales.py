"""A van sale (`order.placed` with `van_load_id`): sold from that van at once, counted on its load."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from field.adapters import reservations_repo, van_sales_repo
from field.adapters.stock_repo import Cause
from field.domain.orders import PlacedOrder, ReservationResult
from field.domain.stock import StockChange
from field.service_layer.stock import try_move_stock
from salessync.db import Tx


async def sell_from_van(
    tx: Tx, tenant_id: uuid.UUID, order: PlacedOrder, lines: list[tuple[uuid.UUID, int]]
) -> ReservationResult:
    """Sell every line from the load's van or nothing; the load must be in the field and the salesman's."""
    assert order.van_load_id is not None
    raw = await tx.raw()
    load = await van_sales_repo.lock_load(raw, tenant_id, order.van_load_id)
    van_id = load["van_id"] if load else None
    claimed = await reservations_repo.claim(
        raw,
        tenant_id,
        order.order_id,
        location_id=van_id,
        van_load_id=order.van_load_id,
        status="sold",
        lines=lines,
        payment_method=order.payment_method,
        cash_amount=order.cash_amount,
    )
    if not claimed:
        return ReservationResult("duplicate")
    reason = None
    if load is None:
        reason = "van_load_not_found"
    elif load["status"] != "in_field":
        reason = "van_load_not_in_field"
    elif order.salesman_id != load["salesman_id"]:
        reason = "van_load_of_another_salesman"
    if reason is None:
        changes = [StockChange(van_id, p, on_hand=-q, kind="sale") for p, q in lines]  # type: ignore[arg-type]
        applied = await try_move_stock(tx, tenant_id, changes, Cause("order", order.order_id, order.salesman_id))
        if applied.plan.ok:
            await van_sales_repo.add_sale(raw, tenant_id, order.van_load_id, lines, order.cash_amount)
            return ReservationResult("sold", van_id)
        result = ReservationResult("rejected", van_id, "insufficient_stock", applied.plan.shortages)
    else:
        result = ReservationResult("rejected", van_id, reason)
    await reservations_repo.set_status(raw, tenant_id, order.order_id, "rejected", result.reason)
    return result


async def undo_van_sale(tx: Tx, tenant_id: uuid.UUID, reservation: dict[str, Any]) -> None:
    """A returned van-sale order while its load is still in the field: the load forgets the sale."""
    raw = await tx.raw()
    load = await van_sales_repo.lock_load(raw, tenant_id, reservation["van_load_id"])
    if load is not None and load["status"] == "in_field":
        await van_sales_repo.remove_sale(
            raw, tenant_id, load["id"], reservation["lines"], reservation["cash_amount"] or Decimal("0")
        )
