"""Reservations for orders: reserve all lines at one location or none, release, sell, take back.

Each step is idempotent by order: the reservation row (one per order) says what was done already.
A cancellation that arrives before its order leaves a `released` row, so the late order reserves nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from field.adapters import reservations_repo as repo
from field.adapters import stock_repo, van_sales_repo
from field.adapters.stock_repo import Cause
from field.domain.orders import PlacedOrder, ReservationResult
from field.domain.stock import Key, Level, StockChange, plan_changes
from field.service_layer import van_sales
from field.service_layer.stock import PRODUCER, add_low_stock_events, try_move_stock
from salessync.db import Tx
from salessync.events import Event, new_event


def _merged(order: PlacedOrder) -> list[tuple[uuid.UUID, int]]:
    totals: dict[uuid.UUID, int] = {}
    for line in order.lines:
        totals[line.product_id] = totals.get(line.product_id, 0) + line.quantity
    return sorted(totals.items())


async def reserve_order(
    tx: Tx, tenant_id: uuid.UUID, order: PlacedOrder, causation_id: str | None = None
) -> ReservationResult:
    """Answer an order: `stock.reserved` (all lines held, or sold at once from a van) or `stock.rejected`."""
    if order.van_load_id is None:
        [result] = await reserve_at_default_warehouses(tx, [ToReserve(tenant_id, order, causation_id)])
        return result
    lines = _merged(order)
    result = await van_sales.sell_from_van(tx, tenant_id, order, lines)
    if result.status != "duplicate":
        await tx.add_event(_answer_event(tenant_id, order, lines, result, causation_id))
    return result


@dataclass(frozen=True, slots=True)
class ToReserve:
    """An order to reserve, and the ids of the event that asked (its answer's causation and correlation ids;
    without a correlation id the answer takes the current request id, as every new event does)."""

    tenant_id: uuid.UUID
    order: PlacedOrder
    causation_id: str | None = None
    correlation_id: str | None = None


async def reserve_at_default_warehouses(tx: Tx, orders: list[ToReserve]) -> list[ReservationResult]:
    """Reserve each order at its tenant's default warehouse, all lines or none, as if
    one after the other (an order sees the units the ones before it took), in a few statements for the lot: one
    claims every order, one per tenant locks the levels they touch, one writes the new levels, one refuses the
    refused, one writes every answer to the outbox. A batch of `order.placed` cost three round trips an order.
    An order already claimed (a repeated event, or twice in `orders`) is a `duplicate` and gets no answer."""
    raw = await tx.raw()
    firsts: dict[tuple[uuid.UUID, uuid.UUID], PlacedOrder] = {}
    for item in orders:
        firsts.setdefault((item.tenant_id, item.order.order_id), item.order)
    lines_of = {key: _merged(order) for key, order in firsts.items()}
    claimed = await repo.claim_many_at_default_warehouse(
        raw, [(t, oid, lines_of[(t, oid)], order.payment_method) for (t, oid), order in firsts.items()]
    )
    levels: dict[uuid.UUID, dict[Key, Level]] = {}
    for tenant_id in sorted({t for t, _ in claimed}):
        keys = sorted({(loc, p) for (t, oid), loc in claimed.items() if t == tenant_id and loc
                       for p, _ in lines_of[(t, oid)]})  # fmt: skip
        levels[tenant_id] = await stock_repo.lock_levels(raw, tenant_id, keys)
    changed: dict[uuid.UUID, set[Key]] = {}
    went_low: dict[uuid.UUID, list[Level]] = {}
    refused: list[tuple[uuid.UUID, uuid.UUID, str, str | None]] = []
    answers: list[Event] = []
    results: list[ReservationResult] = []
    for item in orders:
        tenant_id, order = item.tenant_id, item.order
        key = (tenant_id, order.order_id)
        if key not in claimed:
            results.append(ReservationResult("duplicate"))
            continue
        location_id = claimed.pop(key)  # a second event of the same order in `orders` is a duplicate
        lines = lines_of[key]
        if location_id is None:
            result = ReservationResult("rejected", reason="no default warehouse")
        else:
            changes = [StockChange(location_id, p, reserved=q) for p, q in lines]
            plan = plan_changes(levels[tenant_id], changes)
            if plan.ok:
                levels[tenant_id] = plan.levels
                changed.setdefault(tenant_id, set()).update(c.key for c in changes)
                went_low.setdefault(tenant_id, []).extend(plan.went_low)
                result = ReservationResult("reserved", location_id)
            else:
                result = ReservationResult("rejected", location_id, "insufficient_stock", plan.shortages)
        if result.status == "rejected":
            refused.append((tenant_id, order.order_id, "rejected", result.reason))
        answers.append(_answer_event(tenant_id, order, lines, result, item.causation_id, item.correlation_id))
        results.append(result)
    for tenant_id, moved in changed.items():
        await stock_repo.write_levels(raw, tenant_id, [levels[tenant_id][k] for k in sorted(moved)])
    await repo.set_statuses(raw, refused)
    await tx.add_events(answers)
    for tenant_id, levels_low in went_low.items():
        await add_low_stock_events(tx, tenant_id, levels_low)
    return results


def _answer_event(
    tenant_id: uuid.UUID,
    order: PlacedOrder,
    lines: list[tuple[uuid.UUID, int]],
    result: ReservationResult,
    causation_id: str | None,
    correlation_id: str | None = None,
) -> Event:
    payload: dict[str, Any]
    if result.status == "rejected":
        requested = dict(lines)
        payload = {
            "order_id": str(order.order_id),
            "location_id": str(result.location_id) if result.location_id else None,
            "reason": result.reason,
            "shortages": [
                {
                    "product_id": str(s.product_id),
                    "requested": requested.get(s.product_id, s.requested),
                    "available": s.available,
                }
                for s in result.shortages
            ],
        }
        event_type = "stock.rejected"
    else:
        payload = {
            "order_id": str(order.order_id),
            "location_id": str(result.location_id),
            "van_load_id": str(order.van_load_id) if order.van_load_id else None,
            "sold": result.status == "sold",
            "lines": [{"product_id": str(p), "quantity": q} for p, q in lines],
        }
        event_type = "stock.reserved"
    return new_event(
        event_type,
        tenant_id=tenant_id,
        aggregate_id=order.order_id,
        producer=PRODUCER,
        payload=payload,
        causation_id=causation_id,
        correlation_id=correlation_id,
    )


async def reject_order(
    tx: Tx, tenant_id: uuid.UUID, order_id: uuid.UUID, reason: str, causation_id: str | None = None
) -> bool:
    """An order field cannot read: record the refusal once and answer `stock.rejected`."""
    raw = await tx.raw()
    if not await repo.claim(raw, tenant_id, order_id, location_id=None, van_load_id=None, status="rejected", lines=[]):
        return False
    await repo.set_status(raw, tenant_id, order_id, "rejected", reason)
    await tx.add_event(
        new_event(
            "stock.rejected",
            tenant_id=tenant_id,
            aggregate_id=order_id,
            producer=PRODUCER,
            payload={"order_id": str(order_id), "location_id": None, "reason": reason, "shortages": []},
            causation_id=causation_id,
        )
    )
    return True


async def lock_for_settling(
    tx: Tx, orders: list[tuple[uuid.UUID, uuid.UUID]], releasing: list[tuple[uuid.UUID, uuid.UUID]]
) -> None:
    """Take at once, and in the order every stock writer takes them (van loads, then reservation rows, then
    levels by tenant, location and product), the locks that settling these orders one after the other would
    take as each came: the van loads that returned van sales were sold from, then a release of an order not
    reserved yet claims its row as released first (as `release_order` would), then every reservation row is
    locked, then every level a reserved or sold one holds. Settled one by one without this, a batch held the
    levels of its first order while waiting for those of its second, which another batch or a stock command held
    in the other order: PostgreSQL broke the deadlock by failing one of them."""
    raw = await tx.raw()
    settling = sorted(set(orders))
    await _lock_van_loads(raw, settling)
    for tenant_id, order_id in sorted(set(releasing)):
        await repo.claim(raw, tenant_id, order_id, location_id=None, van_load_id=None, status="released", lines=[])
    levels: dict[uuid.UUID, set[Key]] = {}
    for row in await repo.lock_many(raw, settling):
        if row["status"] in ("reserved", "sold"):
            keys = levels.setdefault(row["tenant_id"], set())
            keys.update((row["location_id"], product) for product, _ in row["lines"])
    for tenant_id in sorted(levels):
        await stock_repo.lock_levels(raw, tenant_id, sorted(levels[tenant_id]))


async def release_order(tx: Tx, tenant_id: uuid.UUID, order_id: uuid.UUID, actor_id: uuid.UUID | None = None) -> str:
    """Give back a cancelled order's reserved units; answers what the reservation is now."""
    raw = await tx.raw()
    if await repo.claim(raw, tenant_id, order_id, location_id=None, van_load_id=None, status="released", lines=[]):
        return "released"
    row = await repo.get_for_update(raw, tenant_id, order_id)
    assert row is not None
    if row["status"] != "reserved":
        return str(row["status"])
    changes = [StockChange(row["location_id"], p, reserved=-q) for p, q in row["lines"]]
    await _must_apply(tx, tenant_id, changes, Cause("order", order_id, actor_id))
    await repo.set_status(raw, tenant_id, order_id, "released")
    return "released"


async def deliver_order(tx: Tx, tenant_id: uuid.UUID, order_id: uuid.UUID, actor_id: uuid.UUID | None = None) -> str:
    """Turn a delivered order's reservation into `sale` movements (on_hand and reserved both go down)."""
    raw = await tx.raw()
    row = await repo.get_for_update(raw, tenant_id, order_id)
    if row is None or row["status"] != "reserved":
        return row["status"] if row else "unknown"
    changes = [StockChange(row["location_id"], p, on_hand=-q, reserved=-q, kind="sale") for p, q in row["lines"]]
    await _must_apply(tx, tenant_id, changes, Cause("order", order_id, actor_id))
    await repo.set_status(raw, tenant_id, order_id, "sold")
    return "sold"


async def take_back_order(tx: Tx, tenant_id: uuid.UUID, order_id: uuid.UUID, actor_id: uuid.UUID | None = None) -> str:
    """A returned order's units come back where they were sold from (`return` movements). A van sale's load is
    locked before its reservation and levels, as a van sale and the van load commands lock it."""
    raw = await tx.raw()
    await _lock_van_loads(raw, [(tenant_id, order_id)])
    row = await repo.get_for_update(raw, tenant_id, order_id)
    if row is None or row["status"] != "sold":
        return row["status"] if row else "unknown"
    changes = [StockChange(row["location_id"], p, on_hand=q, kind="return") for p, q in row["lines"]]
    await _must_apply(tx, tenant_id, changes, Cause("order", order_id, actor_id))
    if row["van_load_id"] is not None:
        await van_sales.undo_van_sale(tx, tenant_id, row)
    await repo.set_status(raw, tenant_id, order_id, "returned")
    return "returned"


async def _lock_van_loads(raw: Any, orders: list[tuple[uuid.UUID, uuid.UUID]]) -> None:
    """Lock the van loads these orders were sold from (first in every field writer's lock order)."""
    for tenant_id, load_id in await repo.van_loads_of(raw, orders):
        await van_sales_repo.lock_load(raw, tenant_id, load_id)


async def _must_apply(tx: Tx, tenant_id: uuid.UUID, changes: list[StockChange], cause: Cause) -> None:
    applied = await try_move_stock(tx, tenant_id, changes, cause)
    if not applied.plan.ok:  # the reservation row holds these units, so this means corrupted levels
        raise RuntimeError(f"reservation of order {cause.id} does not match the stock levels")
