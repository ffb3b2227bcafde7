"""The orders app: only wiring."""

from __future__ import annotations

from fastapi import FastAPI

from orders.api import customer_orders, orders
from orders.consumers import subscriptions
from orders.service_layer.placing import number_stranded_orders
from orders.settings import OrdersSettings
from salessync.app import Runtime, create_service_app


async def on_startup(runtime: Runtime) -> None:
    """Orders placed but not numbered when a process stopped get their number and `order.placed` now."""
    await number_stranded_orders(runtime.db)


def create_app(settings: OrdersSettings | None = None) -> FastAPI:
    settings = settings or OrdersSettings()
    return create_service_app(
        settings,
        title="SalesSync orders",
        description="Orders: placing, pricing, numbering, status machine, stock reservation by events.",
        routers=[orders.router, customer_orders.router],
        subscriptions=subscriptions(),
        on_startup=on_startup,
    )
