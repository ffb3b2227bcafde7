"""The operator's `create_tenant`, the demo seed and the first signing key, each on a database of their own."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from identity.adapters.keys import ensure_signing_key
from identity.adapters.passwords import PasswordHasher
from identity.admin import create_tenant, rotate_keys
from identity.domain.errors import TenantCodeTaken
from identity.seed import seed_demo
from identity.settings import PasswordSettings
from salessync.db import Database
from salessync.demo import DEMO
from salessync.embedded import EmbeddedPostgres
from salessync.errors import InvalidInput
from salessync.testing.helpers import database_for, migrated_database

CHEAP = PasswordSettings(memory_kib=64, time_cost=1)


@pytest.fixture(scope="module")
def url(embedded_pg: EmbeddedPostgres) -> str:
    return migrated_database(embedded_pg, "identity")


async def _rows(url: str, sql: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(
        url.replace("postgresql+asyncpg://", "postgresql://"), server_settings={"search_path": "identity"}
    )
    try:
        return await conn.fetch(sql)
    finally:
        await conn.close()


async def test_create_tenant_makes_the_tenant_and_its_admin_and_refuses_a_taken_code(url: str) -> None:
    made = await asyncio.to_thread(
        create_tenant, url, "Acme", "Acme Ltd", "Boss@Acme.example", "Admin-pass-123", password=CHEAP
    )
    assert made["tenant"]["code"] == "acme" and made["admin"]["role"] == "admin"
    with pytest.raises(TenantCodeTaken, match="'acme' already exists"):
        await asyncio.to_thread(create_tenant, url, "acme", "Other", "x@y.example", "Admin-pass-123", password=CHEAP)
    with pytest.raises(InvalidInput, match="admin_password"):
        await asyncio.to_thread(create_tenant, url, "beta", "Beta", "x@y.example", "short", password=CHEAP)
    tenants = await _rows(url, "SELECT code FROM tenants WHERE code IN ('acme', 'beta')")
    assert [r["code"] for r in tenants] == ["acme"]
    events = await _rows(url, "SELECT subject FROM outbox")
    assert [r["subject"] for r in events] == [f"salessync.{made['tenant']['id']}.user.created"]


async def test_the_demo_seed_is_idempotent_and_publishes_each_user_once(url: str) -> None:
    db = database_for(url, "identity")
    try:
        await seed_demo(db, DEMO)
        await seed_demo(db, DEMO)
    finally:
        await db.dispose()
    users = await _rows(url, f"SELECT id, password_hash FROM users WHERE tenant_id = '{DEMO.id}'")
    assert {r["id"] for r in users} == {u.id for u in DEMO.users}
    assert await PasswordHasher(PasswordSettings()).verify(users[0]["password_hash"], DEMO.password)
    created = await _rows(url, f"SELECT 1 FROM outbox WHERE subject LIKE 'salessync.{DEMO.id}.user.created'")
    assert len(created) == len(DEMO.users)


async def test_replicas_starting_together_agree_on_one_signing_key(url: str) -> None:
    dbs = [Database.from_url(url, "identity", pool_size=1, max_overflow=0) for _ in range(4)]
    try:
        await asyncio.gather(*(ensure_signing_key(db) for db in dbs))
    finally:
        for db in dbs:
            await db.dispose()
    assert len(await _rows(url, "SELECT kid FROM signing_keys")) == 1


async def test_rotate_keys_retires_the_signing_key_and_keeps_it_published(url: str) -> None:
    db = database_for(url, "identity")
    try:
        await ensure_signing_key(db)
    finally:
        await db.dispose()
    new_kid = await asyncio.to_thread(rotate_keys, url)
    rows = await _rows(url, "SELECT kid, retired_at FROM signing_keys")
    assert [r["kid"] for r in rows if r["retired_at"] is None] == [new_kid]
    assert any(r["retired_at"] is not None for r in rows)
