"""Field's app: only wiring (settings, routers, the consumers of other services' events)."""

from __future__ import annotations

from fastapi import FastAPI

from field.api import inventory, stock_locations
from field.consumers import customer_changed, order_placed, order_status_changed, product_changed, user_changed
from field.settings import FieldSettings
from salessync.app import create_service_app
from salessync.consumer import Subscription


def subscriptions() -> list[Subscription]:
    subs = [Subscription("order.placed", order_placed.handle)]
    subs.append(Subscription("order.status_changed", order_status_changed.handle))
    for module in (product_changed, customer_changed, user_changed):
        subs.extend(Subscription(event_type, module.handle) for event_type in module.EVENT_TYPES)
    return subs


def create_app(settings: FieldSettings | None = None) -> FastAPI:
    settings = settings or FieldSettings()
    app = create_service_app(
        settings,
        title="SalesSync field",
        description="Warehouses, vans, stock levels and the stock ledger, van loads, visits, agent locations.",
        routers=[stock_locations.router, inventory.router],
        subscriptions=subscriptions(),
    )
    app.state.field_settings = settings
    return app
