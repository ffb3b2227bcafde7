"""Field's integration fixtures: a migrated database per module, the app with its consumers, tokens per role,
and `steps`, the small actions and checks the tests share."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import nats
import pytest

from field.main import create_app
from field.settings import FieldSettings
from salessync.db import Database
from salessync.embedded import EmbeddedNats, EmbeddedPostgres
from salessync.events import encode_event, new_event
from salessync.testing.helpers import (
    database_for,
    migrated_database,
    published_events,
    running_app,
    settings_for,
    truncate_all,
)
from salessync.testing.tokens import TestKeys, bearer


@pytest.fixture(scope="module")
def field_db_url(embedded_pg: EmbeddedPostgres) -> str:
    return migrated_database(embedded_pg, "field")


@dataclass
class Actors:
    """Tokens of one tenant's users by role (one user per role and name)."""

    keys: TestKeys
    tenant_id: uuid.UUID
    ids: dict[str, uuid.UUID] = field(default_factory=dict)

    def user_id(self, role: str, name: str = "") -> uuid.UUID:
        return self.ids.setdefault(f"{role}:{name}", uuid.uuid4())

    def headers(self, role: str = "admin", name: str = "", tenant_id: uuid.UUID | None = None) -> dict[str, str]:
        token = self.keys.mint(user_id=self.user_id(role, name), tenant_id=tenant_id or self.tenant_id, role=role)
        return bearer(token)


@pytest.fixture
def actors(test_keys: TestKeys) -> Actors:
    return Actors(test_keys, uuid.uuid4())


@pytest.fixture
async def db(field_db_url: str) -> AsyncIterator[Database]:
    await truncate_all(field_db_url, "field")
    database = database_for(field_db_url, "field")
    yield database
    await database.dispose()


@pytest.fixture
def settings(field_db_url: str, embedded_nats: EmbeddedNats, test_keys: TestKeys) -> FieldSettings:
    return settings_for(FieldSettings, database_url=field_db_url, nats_url=embedded_nats.url, keys=test_keys)


@pytest.fixture
async def client(db: Database, settings: FieldSettings) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(create_app(settings)) as http:
        yield http


@dataclass
class Steps:
    client: httpx.AsyncClient
    db: Database
    actors: Actors
    nats_url: str = ""

    async def publish(self, event_type: str, payload: dict[str, Any], times: int = 1) -> None:
        """Publish one event of this tenant (`times` copies of one envelope, as a redelivering broker would)."""
        aggregate = payload.get("order_id") or payload.get("id") or "x"
        event = new_event(event_type, tenant_id=self.actors.tenant_id, aggregate_id=aggregate, payload=payload,
                          producer="test")  # fmt: skip
        nc = await nats.connect(self.nats_url)
        try:
            for _ in range(times):
                await nc.jetstream().publish(event.subject, encode_event(event))
        finally:
            await nc.close()

    async def customer(self, latitude: float | None = -1.2921, longitude: float | None = 36.8219,
                       radius: int | None = 100) -> uuid.UUID:  # fmt: skip
        """A customer in field's copy, as catalog's `customer.created` would leave it."""
        customer_id = uuid.uuid4()
        async with self.db.transaction() as tx:
            await (await tx.raw()).execute(
                "INSERT INTO customers (tenant_id, id, name, latitude, longitude, geofence_radius_m, version) "
                "VALUES ($1, $2, 'Duka', $3, $4, $5, 1)",
                self.actors.tenant_id, customer_id, latitude, longitude, radius,
            )  # fmt: skip
        return customer_id

    async def warehouse(self, name: str = "Main", role: str = "admin") -> dict[str, Any]:
        response = await self.client.post("/api/warehouses", json={"name": name}, headers=self.actors.headers(role))
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def van(self, registration: str, salesman_id: uuid.UUID | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"registration": registration}
        if salesman_id:
            body["assigned_salesman_id"] = str(salesman_id)
        response = await self.client.post("/api/vans", json=body, headers=self.actors.headers())
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def adjust(
        self, location_id: Any, product_id: Any, quantity: int, reason: str = "receipt", role: str = "admin"
    ) -> httpx.Response:
        return await self.client.post(
            "/api/inventory/adjustments",
            json={
                "location_id": str(location_id),
                "product_id": str(product_id),
                "quantity": quantity,
                "reason": reason,
            },
            headers=self.actors.headers(role),
        )

    async def level(self, location_id: Any, product_id: Any) -> tuple[int, int]:
        """(on_hand, reserved) of one level, (0, 0) when there is none."""
        async with self.db.transaction() as tx:
            row = await (await tx.raw()).fetchrow(
                "SELECT on_hand, reserved FROM stock_levels WHERE location_id = $1 AND product_id = $2",
                uuid.UUID(str(location_id)),
                uuid.UUID(str(product_id)),
            )
        return (row["on_hand"], row["reserved"]) if row else (0, 0)

    async def ledger_mismatches(self) -> list[dict[str, Any]]:
        """Every level whose on_hand differs from the sum of its ledger rows (empty when the ledger balances)."""
        async with self.db.transaction() as tx:
            rows = await (await tx.raw()).fetch(
                """
                SELECT coalesce(s.location_id, m.location_id) AS l, coalesce(s.product_id, m.product_id) AS p,
                       coalesce(s.on_hand, 0) AS on_hand, coalesce(m.total, 0) AS ledger
                  FROM stock_levels s
                  FULL JOIN (SELECT tenant_id, location_id, product_id, sum(quantity) AS total
                               FROM stock_movements GROUP BY 1, 2, 3) m
                    ON m.tenant_id = s.tenant_id AND m.location_id = s.location_id AND m.product_id = s.product_id
                 WHERE coalesce(s.on_hand, 0) <> coalesce(m.total, 0)
                """
            )
        return [dict(r) for r in rows]

    async def count(self, sql: str, *args: Any) -> int:
        async with self.db.transaction() as tx:
            return int(await (await tx.raw()).fetchval(sql, *args))

    async def outbox_all(self, tenant_id: uuid.UUID | None = None) -> list[dict[str, Any]]:
        """Every event field wrote for the tenant (the actors' unless given), in order, once its relay has published
        them (the relay deletes an outbox row when JetStream acks it, so the stream is where they are read)."""
        nc = await nats.connect(self.nats_url)
        try:
            tenant = tenant_id or self.actors.tenant_id
            return await published_events(self.db, nc.jetstream(), tenant, producer="field")
        finally:
            await nc.close()

    async def outbox(self, event_type: str, tenant_id: uuid.UUID | None = None) -> list[dict[str, Any]]:
        return [e for e in await self.outbox_all(tenant_id) if e["type"] == event_type]


@pytest.fixture
def steps(client: httpx.AsyncClient, db: Database, actors: Actors, embedded_nats: EmbeddedNats) -> Steps:
    return Steps(client, db, actors, embedded_nats.url)
