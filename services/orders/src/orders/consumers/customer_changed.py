"""customer.created / updated / deactivated -> orders's copy of the customer (credit limit, price list)."""

from __future__ import annotations

from orders.adapters import copies
from orders.consumers._payload import well_formed
from salessync.db import Tx
from salessync.events import Event

EVENT_TYPES = ("customer.created", "customer.updated", "customer.deactivated")


async def handle(tx: Tx, event: Event) -> None:
    with well_formed(event.type):
        await copies.upsert_customer(await tx.raw(), event.tenant_id, event.payload)
