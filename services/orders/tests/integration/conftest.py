"""The orders app on a real PostgreSQL and NATS, one per module, with a clean schema and a fresh tenant per test.

`World` holds a tenant with users of every role, active customers and products and a price list, put into
orders's copies by the consumer handlers (`feed`) or published to NATS as catalog would (`publish`).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from orders.consumers import customer_changed, price_list_changed, product_changed
from orders.main import create_app
from orders.settings import OrdersSettings
from salessync.db import Database
from salessync.embedded import EmbeddedNats, EmbeddedPostgres
from salessync.events import Event, encode_event, new_event
from salessync.nats import connect
from salessync.testing.helpers import (
    database_for,
    migrated_database,
    published_events,
    running_app,
    settings_for,
    truncate_all,
)
from salessync.testing.tokens import TestKeys, bearer

ROLES = ("admin", "manager", "salesman", "promoter", "warehouse_staff")


@pytest.fixture(scope="module")
def db_url(embedded_pg: EmbeddedPostgres) -> str:
    return migrated_database(embedded_pg, "orders")


@pytest.fixture(scope="module")
async def app_client(db_url: str, embedded_nats: EmbeddedNats, test_keys: TestKeys) -> AsyncIterator[httpx.AsyncClient]:
    settings = settings_for(OrdersSettings, database_url=db_url, nats_url=embedded_nats.url, keys=test_keys)
    async with running_app(create_app(settings)) as client:
        yield client


@pytest.fixture(scope="module")
async def db(db_url: str) -> AsyncIterator[Database]:
    database = database_for(db_url, "orders")
    yield database
    await database.dispose()


@pytest.fixture(scope="module")
async def js(embedded_nats: EmbeddedNats) -> AsyncIterator[Any]:
    nc = await connect(embedded_nats.url, "orders-test")
    yield nc.jetstream()
    await nc.close()


@pytest.fixture
async def client(app_client: httpx.AsyncClient, db_url: str) -> httpx.AsyncClient:
    await truncate_all(db_url, "orders")
    return app_client


@dataclass
class World:
    db: Database
    keys: TestKeys
    js: Any
    tenant_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    users: dict[str, str] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.users = {role: str(uuid.uuid4()) for role in ROLES}
        self.users["salesman2"] = str(uuid.uuid4())

    def headers(self, role: str = "salesman", **extra: str) -> dict[str, str]:
        user = self.users[role]
        real_role = "salesman" if role == "salesman2" else role
        token = self.keys.mint(user_id=user, tenant_id=self.tenant_id, role=real_role)
        return {**bearer(token), **extra}

    def _next(self, record_id: str) -> int:
        self.versions[record_id] = self.versions.get(record_id, 0) + 1
        return self.versions[record_id]

    def product_event(self, kind: str = "created", **over: Any) -> Event:
        pid = str(over.pop("id", None) or uuid.uuid4())
        payload = {
            "id": pid, "code": f"P-{pid[:6]}", "name": f"Product {pid[:6]}", "unit": "pcs", "barcode": None,
            "category_id": None, "brand_id": None, "price": "10.00", "tax_rate": "0.16", "reorder_level": 0,
            "status": "active", "version": self._next(pid),
        }  # fmt: skip
        payload.update(over)
        return new_event(
            f"product.{kind}", tenant_id=self.tenant_id, aggregate_id=pid, payload=payload, producer="catalog"
        )

    def customer_event(self, kind: str = "created", **over: Any) -> Event:
        cid = str(over.pop("id", None) or uuid.uuid4())
        payload = {
            "id": cid, "code": f"C-{cid[:6]}", "name": f"Customer {cid[:6]}", "type": "retail", "latitude": None,
            "longitude": None, "geofence_radius_m": 100, "route": None, "credit_limit": None,
            "payment_terms_days": 0, "price_list_id": None, "status": "active", "version": self._next(cid),
        }  # fmt: skip
        payload.update(over)
        return new_event(
            f"customer.{kind}", tenant_id=self.tenant_id, aggregate_id=cid, payload=payload, producer="catalog"
        )

    def price_list_event(self, prices: dict[str, str], kind: str = "created", **over: Any) -> Event:
        lid = str(over.pop("id", None) or uuid.uuid4())
        payload = {
            "id": lid, "name": "Wholesale", "currency": "KES", "valid_from": None, "valid_to": None,
            "status": "active", "version": self._next(lid),
            "prices": [{"product_id": p, "price": v} for p, v in prices.items()],
        }  # fmt: skip
        payload.update(over)
        return new_event(
            f"price_list.{kind}", tenant_id=self.tenant_id, aggregate_id=lid, payload=payload, producer="catalog"
        )

    async def feed(self, event: Event) -> str:
        """Apply a catalog event through orders's own consumer handler (as the durable consumer would)."""
        handler = {
            "product": product_changed.handle,
            "customer": customer_changed.handle,
            "price_list": price_list_changed.handle_deleted
            if event.type.endswith("deleted")
            else price_list_changed.handle,
        }[event.type.split(".")[0]]
        async with self.db.transaction() as tx:
            await handler(tx, event)
        return str(event.payload["id"])

    async def publish(self, event: Event) -> None:
        await self.js.publish(event.subject, encode_event(event), headers={"Nats-Msg-Id": event.event_id})

    async def product(self, price: str = "10.00", tax_rate: str = "0.16", **over: Any) -> str:
        return await self.feed(self.product_event(price=price, tax_rate=tax_rate, **over))

    async def customer(self, **over: Any) -> str:
        return await self.feed(self.customer_event(**over))

    @staticmethod
    def order_body(customer_id: str, *lines: tuple[str, int] | tuple[str, int, str], **extra: Any) -> dict[str, Any]:
        items = []
        for line in lines:
            item: dict[str, Any] = {"product_id": line[0], "quantity": line[1]}
            if len(line) > 2:
                item["discount_rate"] = line[2]  # type: ignore[misc]
            items.append(item)
        return {"customer_id": customer_id, "items": items, **extra}

    async def published(
        self, event_type: str | None = None, *, producer: str | None = "orders"
    ) -> list[dict[str, Any]]:
        """The tenant's events (orders' unless `producer` says otherwise), once the relay has published them all."""
        events = await published_events(self.db, self.js, self.tenant_id, producer=producer)
        return [e for e in events if event_type in (None, e["type"])]

    async def fetch(self, sql: str, *args: Any) -> list[Any]:
        async with self.db.transaction() as tx:
            return list(await (await tx.raw()).fetch(sql, *args))

    async def stats_summary(self) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
        """The tenant's `order_stats` summed over shards, and the same figures summed from its orders."""
        kept = await self.fetch(
            "SELECT status, payment_status, sum(n)::int AS n, sum(amount) AS amount FROM order_stats "
            "WHERE tenant_id = $1 GROUP BY 1, 2 HAVING sum(n) <> 0 OR sum(amount) <> 0",
            self.tenant_id,
        )
        summed = await self.fetch(
            "SELECT status, payment_status, count(*)::int AS n, sum(total) AS amount FROM orders "
            "WHERE tenant_id = $1 GROUP BY 1, 2",
            self.tenant_id,
        )
        return {tuple(r) for r in kept}, {tuple(r) for r in summed}


@pytest.fixture
async def world(client: httpx.AsyncClient, db: Database, test_keys: TestKeys, js: Any) -> World:
    return World(db=db, keys=test_keys, js=js)
