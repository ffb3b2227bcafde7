"""`order.placed` → reserve at the default warehouse (or sell from the van) → `stock.reserved` / `stock.rejected`."""

from __future__ import annotations

from field.consumers.copies import tenant_of
from field.domain.orders import order_id_of, parse_placed_order
from field.service_layer import reservations
from salessync.db import Tx
from salessync.errors import InvalidInput
from salessync.events import Event


async def handle(tx: Tx, event: Event) -> None:
    tenant_id = tenant_of(event)
    order_id = order_id_of(event.payload)
    try:
        order = parse_placed_order(event.payload)
    except InvalidInput as exc:
        await reservations.reject_order(tx, tenant_id, order_id, f"invalid order: {exc.detail}", event.event_id)
        return
    await reservations.reserve_order(tx, tenant_id, order, event.event_id)
