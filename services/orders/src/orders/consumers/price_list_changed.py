"""price_list.created / updated -> orders's copy of the list and its prices; price_list.deleted -> tombstone."""

from __future__ import annotations

from orders.adapters import copies
from orders.consumers._payload import well_formed
from salessync.db import Tx
from salessync.events import Event

EVENT_TYPES = ("price_list.created", "price_list.updated")


async def handle(tx: Tx, event: Event) -> None:
    with well_formed(event.type):
        await copies.upsert_price_list(await tx.raw(), event.tenant_id, event.payload)


async def handle_deleted(tx: Tx, event: Event) -> None:
    with well_formed(event.type):
        await copies.delete_price_list(await tx.raw(), event.tenant_id, event.payload["id"])
