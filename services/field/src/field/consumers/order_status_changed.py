"""`order.status_changed`: cancelled → release the reservation, delivered → sale, returned → stock back."""

from __future__ import annotations

import uuid

from field.consumers.copies import tenant_of
from field.domain.orders import order_id_of
from field.service_layer import reservations
from salessync.db import Tx
from salessync.events import Event

STEPS = {
    "cancelled": reservations.release_order,
    "rejected": reservations.release_order,
    "delivered": reservations.deliver_order,
    "returned": reservations.take_back_order,
}


def wants(event: Event) -> bool:
    """Only these statuses move stock; the rest (most often `confirmed`) are acked without a transaction."""
    payload = event.payload if isinstance(event.payload, dict) else {}
    return str(payload.get("to_status")) in STEPS


async def handle_batch(tx: Tx, events: list[Event]) -> None:
    """A fetched batch in its one transaction: every lock its events will take is taken first, in one order
    (`reservations.lock_for_settling`), then each event is handled in turn as `handle` does."""
    settling = [(tenant_of(e), order_id_of(e.payload), STEPS.get(str(e.payload.get("to_status")))) for e in events]
    await reservations.lock_for_settling(
        tx,
        [(t, o) for t, o, step in settling if step is not None],
        releasing=[(t, o) for t, o, step in settling if step is reservations.release_order],
    )
    for event in events:
        await handle(tx, event)


async def handle(tx: Tx, event: Event) -> None:
    step = STEPS.get(str(event.payload.get("to_status")))
    if step is None:
        return
    actor = event.payload.get("actor_id")
    actor_id = uuid.UUID(str(actor)) if actor else None
    await step(tx, tenant_of(event), order_id_of(event.payload), actor_id)
