"""The operator's `set_tenant_status`: suspending revokes the tenant's sessions, each change is one event."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from identity.admin import create_tenant, set_tenant_status
from identity.domain.errors import TenantNotFound
from identity.settings import PasswordSettings
from salessync.embedded import EmbeddedPostgres
from salessync.errors import InvalidInput
from salessync.testing.helpers import migrated_database

CHEAP = PasswordSettings(memory_kib=64, time_cost=1)


@pytest.fixture(scope="module")
def url(embedded_pg: EmbeddedPostgres) -> str:
    return migrated_database(embedded_pg, "identity")


async def _sql(url: str, sql: str, *args: object) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(
        url.replace("postgresql+asyncpg://", "postgresql://"), server_settings={"search_path": "identity"}
    )
    try:
        return await conn.fetch(sql, *args)
    finally:
        await conn.close()


async def _tenant_with_a_session(url: str, code: str) -> dict[str, str]:
    made = await asyncio.to_thread(
        create_tenant, url, code, code, f"a@{code}.example", "Admin-pass-123", password=CHEAP
    )
    tenant, admin = made["tenant"]["id"], made["admin"]["id"]
    await _sql(url, "INSERT INTO refresh_families (id, tenant_id, user_id) VALUES (gen_random_uuid(), $1, $2)",
               tenant, admin)  # fmt: skip
    return made["tenant"]


async def test_suspend_and_reactivate_change_the_status_revoke_sessions_and_publish_one_event_each(url: str) -> None:
    acme, other = await _tenant_with_a_session(url, "sus-acme"), await _tenant_with_a_session(url, "sus-other")

    suspended = await asyncio.to_thread(set_tenant_status, url, "SUS-ACME", "suspended")
    again = await asyncio.to_thread(set_tenant_status, url, "sus-acme", "suspended")
    reactivated = await asyncio.to_thread(set_tenant_status, url, "sus-acme", "active")

    assert suspended == {"id": acme["id"], "code": "sus-acme", "status": "suspended", "changed": True,
                         "revoked_sessions": 1}  # fmt: skip
    assert again["changed"] is False and reactivated["status"] == "active" and reactivated["changed"] is True
    status = await _sql(url, "SELECT status FROM tenants WHERE id = $1", acme["id"])
    assert status[0]["status"] == "active"
    families = await _sql(url, "SELECT tenant_id::text AS t, revoked_reason FROM refresh_families ORDER BY t")
    assert {r["t"]: r["revoked_reason"] for r in families} == {acme["id"]: "tenant_suspended", other["id"]: None}
    events = await _sql(url, "SELECT subject FROM outbox WHERE subject LIKE 'salessync.%.tenant.%'")
    assert [r["subject"] for r in events] == [
        f"salessync.{acme['id']}.tenant.suspended",
        f"salessync.{acme['id']}.tenant.reactivated",
    ]


async def test_an_unknown_code_or_status_is_a_clear_error_and_changes_nothing(url: str) -> None:
    with pytest.raises(TenantNotFound, match="no tenant with code 'nobody'"):
        await asyncio.to_thread(set_tenant_status, url, "nobody", "suspended")
    with pytest.raises(InvalidInput, match="status"):
        await asyncio.to_thread(set_tenant_status, url, "sus-acme", "deleted")
    events = await _sql(url, "SELECT 1 FROM outbox WHERE subject LIKE '%.tenant.%'")
    assert len(events) == 2  # only the previous test's
