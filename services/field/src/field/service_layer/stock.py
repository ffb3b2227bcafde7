"""Moving stock inside a command's transaction: the engine, the `stock.low` alerts and the refusal."""

from __future__ import annotations

import uuid

from field.adapters import stock_repo
from field.adapters.stock_repo import Applied, Cause
from field.domain.errors import InsufficientStock
from field.domain.stock import Level, StockChange
from salessync.db import Tx
from salessync.events import Event, new_event

PRODUCER = "field"


async def try_move_stock(
    tx: Tx, tenant_id: uuid.UUID, changes: list[StockChange], cause: Cause, if_applied: Event | None = None
) -> Applied:
    """Apply all changes or none; answers the plan (with shortages when refused) and emits `stock.low`.
    `if_applied` is published (through the outbox, written by the same statement) only when the changes apply."""
    raw = await tx.raw()
    applied = await stock_repo.apply_changes(raw, tenant_id, changes, cause, if_applied)
    if if_applied is not None and applied.plan.ok:
        tx.events.append(if_applied)  # its outbox row is written; this wakes the relay on commit
    for level in applied.plan.went_low:
        await add_low_stock_event(tx, tenant_id, level)
    return applied


async def add_low_stock_event(tx: Tx, tenant_id: uuid.UUID, level: Level) -> None:
    """`stock.low` for a level that crossed to or below its reorder level (rare: once per crossing)."""
    names = await stock_repo.names_for_alerts(await tx.raw(), tenant_id, [level])
    location_name, product_name = names.get(level.key, ("", ""))
    await tx.add_event(
        new_event(
            "stock.low",
            tenant_id=tenant_id,
            aggregate_id=level.product_id,
            producer=PRODUCER,
            payload={
                "location_id": str(level.location_id),
                "location_name": location_name,
                "product_id": str(level.product_id),
                "product_name": product_name,
                "on_hand": level.on_hand,
                "available": level.available,
                "reorder_level": level.reorder_level,
            },
        )
    )


async def move_stock(tx: Tx, tenant_id: uuid.UUID, changes: list[StockChange], cause: Cause) -> Applied:
    """Like `try_move_stock`, but a shortage is `InsufficientStock` (409) and the transaction rolls back."""
    applied = await try_move_stock(tx, tenant_id, changes, cause)
    if applied.plan.shortages:
        shortages = [s.as_dict() for s in applied.plan.shortages]
        first = applied.plan.shortages[0]
        raise InsufficientStock(
            f"only {first.available} available of product {first.product_id} at location {first.location_id}",
            available=first.available,
            shortages=shortages,
        )
    return applied
