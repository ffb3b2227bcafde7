"""Catalog running with its lifespan on a fresh database and the session's NATS; a new tenant per test."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from catalog.main import create_app
from catalog.settings import CatalogSettings
from salessync.embedded import EmbeddedNats, EmbeddedPostgres
from salessync.events import Event, decode_event
from salessync.nats import connect
from salessync.testing.helpers import (
    database_for,
    eventually,
    migrated_database,
    running_app,
    settings_for,
    stream_data,
)
from salessync.testing.tokens import TestKeys, bearer


@pytest.fixture(scope="module")
def catalog_url(embedded_pg: EmbeddedPostgres) -> str:
    return migrated_database(embedded_pg, "catalog")


@pytest.fixture(scope="module")
async def client(
    catalog_url: str, embedded_nats: EmbeddedNats, test_keys: TestKeys
) -> AsyncIterator[httpx.AsyncClient]:
    settings = settings_for(CatalogSettings, database_url=catalog_url, nats_url=embedded_nats.url, keys=test_keys)
    async with running_app(create_app(settings)) as http:
        yield http


@dataclass
class Tenant:
    """One tenant of a test, with a token per role."""

    id: uuid.UUID
    keys: TestKeys

    def as_(self, role: str, **headers: str) -> dict[str, str]:
        return {**bearer(self.keys.mint(tenant_id=self.id, role=role)), **headers}

    @property
    def admin(self) -> dict[str, str]:
        return self.as_("admin")


@pytest.fixture
def tenant(test_keys: TestKeys) -> Tenant:
    return Tenant(uuid.uuid4(), test_keys)


@pytest.fixture
def other_tenant(test_keys: TestKeys) -> Tenant:
    return Tenant(uuid.uuid4(), test_keys)


class EventLog:
    """What the stream holds for one tenant, once catalog's outbox has published everything."""

    def __init__(self, nats_url: str, catalog_url: str) -> None:
        self.nats_url = nats_url
        self.db = database_for(catalog_url, "catalog")

    async def _outbox_empty(self) -> bool:
        async with self.db.transaction() as tx:
            pending = await (await tx.raw()).fetchval("SELECT count(*) FROM outbox")
        return pending == 0

    async def events(self, tenant_id: uuid.UUID) -> list[Event]:
        await eventually(self._outbox_empty, message="catalog's outbox was not published")
        nc = await connect(self.nats_url, "catalog-test")
        try:
            return [decode_event(data) for data in await stream_data(nc.jetstream(), f"salessync.{tenant_id}.>")]
        finally:
            await nc.close()

    async def types(self, tenant_id: uuid.UUID) -> list[str]:
        return [e.type for e in await self.events(tenant_id)]


@pytest.fixture(scope="module")
async def event_log(catalog_url: str, embedded_nats: EmbeddedNats) -> AsyncIterator[EventLog]:
    log = EventLog(embedded_nats.url, catalog_url)
    yield log
    await log.db.dispose()


Body = Callable[..., dict[str, Any]]


@pytest.fixture
def product_body() -> Body:
    def make(code: str = "P-1", **extra: Any) -> dict[str, Any]:
        return {"code": code, "name": f"Product {code}", "price": "10.00", "tax_rate": "0.16", **extra}

    return make


@pytest.fixture
def customer_body() -> Body:
    def make(code: str = "C-1", **extra: Any) -> dict[str, Any]:
        return {"code": code, "name": f"Outlet {code}", "latitude": -1.29, "longitude": 36.82, **extra}

    return make
