"""The orders app: only wiring."""

from __future__ import annotations

import asyncio
import logging

from fastapi import FastAPI

from orders.api import customer_orders, orders
from orders.consumers import subscriptions
from orders.service_layer.placing import number_stranded_orders
from orders.settings import OrdersSettings
from salessync.app import Runtime, create_service_app

log = logging.getLogger("orders")


SWEEP_EVERY_S = 30.0


async def number_stranded_forever(runtime: Runtime) -> None:
    """Orders placed but not numbered (a process stopped, or a request was cancelled, between placing and
    numbering) get their number and `order.placed` at start and then within a minute or so."""
    while True:
        try:
            await number_stranded_orders(runtime.db)
        except Exception:
            log.exception("numbering stranded orders failed")
        await asyncio.sleep(SWEEP_EVERY_S)


async def on_startup(runtime: Runtime) -> None:
    runtime.tasks.append(asyncio.create_task(number_stranded_forever(runtime), name="number-stranded-orders"))


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
