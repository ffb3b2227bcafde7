"""`user.created|updated|deactivated` → field's user copy (names of salesmen and agents); the last event wins."""

from __future__ import annotations

from field.adapters import copies_repo
from field.consumers.copies import occurred_at, tenant_of, user_snapshot
from salessync.db import Tx
from salessync.events import Event

EVENT_TYPES = ("user.created", "user.updated", "user.deactivated")


async def handle(tx: Tx, event: Event) -> None:
    await copies_repo.upsert_user(await tx.raw(), tenant_of(event), user_snapshot(event.payload), occurred_at(event))
