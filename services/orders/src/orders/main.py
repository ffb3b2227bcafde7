"""The orders app: only wiring."""

from __future__ import annotations

from fastapi import FastAPI

from orders.api import customer_orders, orders
from orders.consumers import subscriptions
from orders.settings import OrdersSettings
from salessync.app import create_service_app


def create_app(settings: OrdersSettings | None = None) -> FastAPI:
    settings = settings or OrdersSettings()
    return create_service_app(
        settings,
        title="SalesSync orders",
        description="Orders: placing, pricing, numbering, status machine, stock reservation by events.",
        routers=[orders.router, customer_orders.router],
        subscriptions=subscriptions(),
    )
