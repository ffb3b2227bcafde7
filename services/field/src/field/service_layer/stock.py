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


async def try_move_stock(tx: Tx, tenant_id: uuid.UUID, changes: list[StockChange], cause: Cause) -> Applied:
    """Apply all changes or none; answers the plan (with shortages when refused) and emits `stock.low`."""
    applied = await stock_repo.apply_changes(await tx.raw(), tenant_id, changes, cause)
    await add_low_stock_events(tx, tenant_id, applied.plan.went_low)
    return applied


async def add_low_stock_events(tx: Tx, tenant_id: uuid.UUID, levels: list[Level]) -> None:
    """`stock.low` for each level that crossed to or below its reorder level (rare: once per crossing), with
    the names of its location and product read in one statement."""
    if not levels:
        return
    names = await stock_repo.names_for_alerts(await tx.raw(), tenant_id, levels)
    await tx.add_events([_low_stock(tenant_id, level, *names.get(level.key, ("", ""))) for level in levels])


def _low_stock(tenant_id: uuid.UUID, level: Level, location_name: str, product_name: str) -> Event:
    return new_event(
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
