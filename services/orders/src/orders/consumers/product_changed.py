"""product.created / updated / deactivated / price_changed -> orders's copy of the product (newer versions win)."""

from __future__ import annotations

from orders.adapters import copies
from orders.consumers._payload import well_formed
from salessync.db import Tx
from salessync.events import Event

EVENT_TYPES = ("product.created", "product.updated", "product.deactivated", "product.price_changed")


async def handle(tx: Tx, event: Event) -> None:
    with well_formed(event.type):
        await copies.upsert_product(await tx.raw(), event.tenant_id, event.payload)
