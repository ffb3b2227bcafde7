"""`product.created|updated|deactivated|price_changed` → field's product copy (names, units, reorder levels)."""

from __future__ import annotations

from field.adapters import copies_repo
from field.consumers.copies import product_snapshot, tenant_of
from salessync.db import Tx
from salessync.events import Event

EVENT_TYPES = ("product.created", "product.updated", "product.deactivated", "product.price_changed")


async def handle(tx: Tx, event: Event) -> None:
    await copies_repo.upsert_product(await tx.raw(), tenant_of(event), product_snapshot(event.payload))
