"""`order.placed` → reserve at the default warehouse (or sell from the van) → `stock.reserved` / `stock.rejected`."""

from __future__ import annotations

from field.consumers.copies import tenant_of
from field.domain.orders import order_id_of, parse_placed_order
from field.service_layer import reservations
from salessync.context import request_id_var
from salessync.db import Tx
from salessync.errors import InvalidInput
from salessync.events import Event


async def handle_batch(tx: Tx, events: list[Event]) -> None:
    """A fetched batch, in one transaction: the orders to reserve at a default warehouse together (a few
    statements for the lot), the others (van sales, unreadable orders) one by one, as `handle` would."""
    together: list[reservations.ToReserve] = []
    for event in events:
        tenant_id = tenant_of(event)
        try:
            order = parse_placed_order(event.payload)
        except InvalidInput:
            request_id_var.set(event.correlation_id)
            await handle(tx, event)
            continue
        if order.van_load_id is None:
            together.append(reservations.ToReserve(tenant_id, order, event.event_id, event.correlation_id))
        else:
            request_id_var.set(event.correlation_id)  # the van sale's answer is written with it
            await reservations.reserve_order(tx, tenant_id, order, event.event_id)
    request_id_var.set(None)  # each answer below carries its own order's correlation id
    await reservations.reserve_at_default_warehouses(tx, together)


async def handle(tx: Tx, event: Event) -> None:
    tenant_id = tenant_of(event)
    order_id = order_id_of(event.payload)
    try:
        order = parse_placed_order(event.payload)
    except InvalidInput as exc:
        await reservations.reject_order(tx, tenant_id, order_id, f"invalid order: {exc.detail}", event.event_id)
        return
    await reservations.reserve_order(tx, tenant_id, order, event.event_id)
