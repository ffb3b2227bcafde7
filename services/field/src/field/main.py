"""Field's app: only wiring (settings, routers, the consumers of other services' events, the retention task)."""

from __future__ import annotations

import asyncio
import logging

from fastapi import FastAPI

from field.api import inventory, locations, stock_locations, van_loads, visits
from field.consumers import customer_changed, order_placed, order_status_changed, product_changed, user_changed
from field.service_layer.visits import forget_old_locations
from field.settings import FieldSettings
from salessync.app import Runtime, create_service_app
from salessync.consumer import Subscription

log = logging.getLogger("field")


def subscriptions() -> list[Subscription]:
    subs = [Subscription("order.placed", order_placed.handle, batch_handler=order_placed.handle_batch)]
    subs.append(
        Subscription(
            "order.status_changed",
            order_status_changed.handle,
            wants=order_status_changed.wants,
            batch_handler=order_status_changed.handle_batch,
        )
    )
    for module in (product_changed, customer_changed, user_changed):
        subs.extend(Subscription(event_type, module.handle) for event_type in module.EVENT_TYPES)
    return subs


def create_app(settings: FieldSettings | None = None) -> FastAPI:
    settings = settings or FieldSettings()

    async def retention(runtime: Runtime) -> None:
        """Delete agent positions older than `location_retention_days`, hourly."""
        while True:
            try:
                async with runtime.db.transaction() as tx:
                    await forget_old_locations(tx, settings.location_retention_days)
            except Exception as exc:
                log.warning("location retention failed: %s", exc)
            await asyncio.sleep(3600)

    async def on_startup(runtime: Runtime) -> None:
        runtime.tasks.append(asyncio.create_task(retention(runtime), name="location-retention"))

    app = create_service_app(
        settings,
        title="SalesSync field",
        description="Warehouses, vans, stock levels and the stock ledger, van loads, visits, agent locations.",
        routers=[stock_locations.router, inventory.router, van_loads.router, visits.router, locations.router],
        subscriptions=subscriptions(),
        on_startup=on_startup,
    )
    app.state.field_settings = settings
    return app
