"""Identity running with its lifespan on a real PostgreSQL and NATS; a fresh tenant (one user per role) per test."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import pytest

from identity.domain.model import Tenant, User
from identity.main import create_app
from identity.service_layer.context import Identity
from identity.service_layer.tenants import add_tenant, add_user, new_user
from identity.settings import IdentitySettings
from salessync.auth import ROLES
from salessync.embedded import EmbeddedNats, EmbeddedPostgres
from salessync.testing.helpers import migrated_database, running_app, settings_for
from salessync.testing.tokens import TestKeys

PASSWORD = "Correct-horse-42"


@dataclass
class World:
    client: httpx.AsyncClient
    ident: Identity
    url: str
    settings: IdentitySettings
    password_hash: str


@dataclass
class TenantUsers:
    tenant: Tenant
    users: dict[str, User]

    @property
    def code(self) -> str:
        return self.tenant.code

    def user(self, role: str) -> User:
        return self.users[role]


@pytest.fixture(scope="module")
async def world(
    embedded_pg: EmbeddedPostgres, embedded_nats: EmbeddedNats, test_keys: TestKeys
) -> AsyncIterator[World]:
    url = migrated_database(embedded_pg, "identity")
    settings = settings_for(
        IdentitySettings,
        database_url=url,
        nats_url=embedded_nats.url,
        keys=test_keys,
        password={"memory_kib": 64, "time_cost": 1},
        throttle={"account_max": 5, "address_max": 50, "window_s": 900},
    )
    app = create_app(settings)
    async with running_app(app) as client:
        ident: Identity = app.state.runtime.extras["identity"]
        yield World(client, ident, url, settings, await ident.hasher.hash(PASSWORD))


async def sql(world: World, statement: str, *args: Any) -> Any:
    dsn = world.url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(dsn, server_settings={"search_path": "identity"})
    try:
        return await conn.fetch(statement, *args)
    finally:
        await conn.close()


async def make_tenant(world: World, status: str = "active") -> TenantUsers:
    tenant = Tenant(uuid.uuid4(), f"t-{uuid.uuid4().hex[:10]}", "Test Traders", status)
    users: dict[str, User] = {}
    async with world.ident.db.transaction() as tx:
        await add_tenant(tx, tenant)
        for role in ROLES:
            user = await add_user(
                tx, new_user(tenant.id, f"{role}@{tenant.code}.example", role.title(), role, world.password_hash)
            )
            assert user is not None
            users[role] = user
    return TenantUsers(tenant, users)


@pytest.fixture
async def tenant(world: World) -> TenantUsers:
    await sql(world, "DELETE FROM login_throttle")
    return await make_tenant(world)


@pytest.fixture
def client(world: World) -> httpx.AsyncClient:
    return world.client


async def login(
    client: httpx.AsyncClient, tenant_code: str, email: str, password: str = PASSWORD, **headers: str
) -> httpx.Response:
    return await client.post(
        "/api/auth/login", json={"tenant": tenant_code, "email": email, "password": password}, headers=headers
    )


async def token_of(client: httpx.AsyncClient, tenants: TenantUsers, role: str) -> str:
    response = await login(client, tenants.code, tenants.user(role).email)
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
