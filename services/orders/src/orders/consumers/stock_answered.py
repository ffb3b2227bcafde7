"""stock.reserved / stock.rejected from field: confirm (a van sale: confirm and deliver) or reject the order."""

from __future__ import annotations

from orders.service_layer import status_changes
from salessync.db import Tx
from salessync.events import Event


async def handle_reserved(tx: Tx, event: Event) -> None:
    await status_changes.apply_stock_reserved(tx, event)


async def handle_reserved_batch(tx: Tx, events: list[Event]) -> None:
    await status_changes.apply_stock_reserved_many(tx, events)


async def handle_rejected(tx: Tx, event: Event) -> None:
    await status_changes.apply_stock_rejected(tx, event)


async def handle_rejected_batch(tx: Tx, events: list[Event]) -> None:
    await status_changes.apply_stock_rejected_many(tx, events)
