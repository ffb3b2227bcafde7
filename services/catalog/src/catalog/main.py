"""Catalog: products, categories, brands, price lists and customers. Only wiring here."""

from __future__ import annotations

from fastapi import FastAPI

from catalog.adapters.page_cache import PageCache
from catalog.api import customers, price_lists, products, taxonomy
from catalog.settings import CatalogSettings
from salessync.app import create_service_app


def create_app(settings: CatalogSettings | None = None) -> FastAPI:
    settings = settings or CatalogSettings()
    app = create_service_app(
        settings,
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
