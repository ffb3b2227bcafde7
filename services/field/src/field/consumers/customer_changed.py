"""`customer.created|updated|deactivated` → field's customer copy (position and geofence for check-ins)."""

from __future__ import annotations

from field.adapters import copies_repo
from field.consumers.copies import customer_snapshot, tenant_of
from salessync.db import Tx
from salessync.events import Event

EVENT_TYPES = ("customer.created", "customer.updated", "customer.deactivated")


async def handle(tx: Tx, event: Event) -> None:
    await copies_repo.upsert_customer(await tx.raw(), tenant_of(event), customer_snapshot(event.payload))
