"""Operator commands, called by `salessync tenant create|suspend|reactivate` (synchronous: each runs its own event loop).

The database must carry identity's migrations (the launcher applies them before it starts services).
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from identity.adapters import repository as repo
from identity.adapters import sessions
from identity.adapters.keys import rotate_signing_key
from identity.adapters.passwords import PasswordHasher
from identity.domain import model
from identity.domain.errors import TenantNotFound
from identity.domain.model import Tenant
from identity.service_layer.events import publish_tenant_status
from identity.service_layer.tenants import add_tenant, add_user, new_user
from identity.settings import PasswordSettings
from salessync.db import Database


def create_tenant(
    database_url: str,
    code: str,
    name: str,
    admin_email: str,
    admin_password: str,
    *,
    password: PasswordSettings | None = None,
) -> dict[str, Any]:
    """Create tenant `code` and its first admin in one transaction; a taken code raises `TenantCodeTaken`
    (a `Conflict`) and writes nothing. Invalid input raises `InvalidInput` naming the field."""
    policy = password or PasswordSettings()
    tenant = Tenant(uuid.uuid4(), model.normalize_tenant_code(code), model.check_name(name))
    email = model.normalize_email(admin_email, "admin_email")
    model.check_password(admin_password, policy.min_length, "admin_password")
    return asyncio.run(_create_tenant(database_url, tenant, email, admin_password, policy))


async def _create_tenant(
    database_url: str, tenant: Tenant, email: str, admin_password: str, policy: PasswordSettings
) -> dict[str, Any]:
    password_hash = await PasswordHasher(policy).hash(admin_password)
    db = Database.from_url(database_url, "identity", pool_size=1, max_overflow=0)
    try:
        async with db.transaction() as tx:
            await add_tenant(tx, tenant)
            admin = await add_user(tx, new_user(tenant.id, email, "Administrator", "admin", password_hash))
    finally:
        await db.dispose()
    assert admin is not None
    return {
        "tenant": {"id": str(tenant.id), "code": tenant.code, "name": tenant.name, "status": tenant.status},
        "admin": {"id": str(admin.id), "email": admin.email, "name": admin.name, "role": admin.role},
    }


def set_tenant_status(database_url: str, code: str, status: str) -> dict[str, Any]:
    """Suspend (`suspended`) or reactivate (`active`) tenant `code` in one transaction. Suspending revokes every
    refresh family of the tenant; a real change publishes `tenant.suspended` / `tenant.reactivated`, setting the
    status it already has changes and publishes nothing. An unknown code raises `TenantNotFound`."""
    normalized, wanted = model.normalize_tenant_code(code), model.check_tenant_status(status)
    return asyncio.run(_set_tenant_status(database_url, normalized, wanted))


async def _set_tenant_status(database_url: str, code: str, status: str) -> dict[str, Any]:
    db = Database.from_url(database_url, "identity", pool_size=1, max_overflow=0)
    try:
        async with db.transaction() as tx:
            tenant = await repo.tenant_by_code_for_update(tx, code)
            if tenant is None:
                raise TenantNotFound(code)
            revoked, changed = 0, tenant.status != status
            if changed:
                tenant = Tenant(tenant.id, tenant.code, tenant.name, status)
                await repo.set_tenant_status(tx, tenant.id, status)
                if status == "suspended":
                    revoked = await sessions.revoke_tenant_families(tx, tenant.id, "tenant_suspended")
                await publish_tenant_status(tx, tenant)
    finally:
        await db.dispose()
    return {"id": str(tenant.id), "code": tenant.code, "status": tenant.status, "changed": changed,
            "revoked_sessions": revoked}  # fmt: skip


def rotate_keys(database_url: str) -> str:
    """Make a new signing key active; the old public key stays in the JWKS until its tokens have expired.
    Returns the new key id. Running replicas pick the new key up within `IDENTITY_TOKENS__KEY_RELOAD_S`."""

    async def run() -> str:
        db = Database.from_url(database_url, "identity", pool_size=1, max_overflow=0)
        try:
            return await rotate_signing_key(db)
        finally:
            await db.dispose()

    return asyncio.run(run())
