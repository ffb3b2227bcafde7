"""Catalog: products, categories, brands, price lists and customers. Only wiring here."""

from __future__ import annotations

from fastapi import FastAPI

from catalog.adapters.page_cache import PageCache
from catalog.adapters.sql import open_read_pool
from catalog.api import customers, price_lists, products, taxonomy
from catalog.settings import CatalogSettings
from salessync.app import Hook, Runtime, create_service_app


def read_pool_hooks(settings: CatalogSettings) -> tuple[Hook, Hook]:
    async def start(runtime: Runtime) -> None:
        if settings.read_pool_size:
            url = settings.database.url.get_secret_value()
            runtime.extras["read_pool"] = open_read_pool(url, settings.service_name, settings.read_pool_size)

    async def stop(runtime: Runtime) -> None:
        pool = runtime.extras.pop("read_pool", None)
        if pool is not None:
            await pool.dispose()

    return start, stop


def create_app(settings: CatalogSettings | None = None) -> FastAPI:
    settings = settings or CatalogSettings()
    on_startup, on_shutdown = read_pool_hooks(settings)
    app = create_service_app(
        settings,
        on_startup=on_startup,
        on_shutdown=on_shutdown,
        title="SalesSync catalog",
        description="Products, categories, brands, price lists and customers (outlets) of a tenant.",
        routers=[
            products.router,
            taxonomy.categories_router,
            taxonomy.brands_router,
            price_lists.router,
            customers.router,
        ],
    )
    app.state.page_cache = PageCache(settings.list_cache_mb * 2**20)
    return app
