"""The demo tenant and its users (one per role), with fixed ids; running it again changes nothing."""

from __future__ import annotations

from identity.adapters import repository as repo
from identity.adapters.passwords import PasswordHasher
from identity.domain.model import Tenant
from identity.service_layer.tenants import add_tenant, add_user, new_user
from identity.settings import IdentitySettings
from salessync.db import Database
from salessync.demo import DemoTenant


async def seed_demo(db: Database, demo: DemoTenant) -> None:
    hasher = PasswordHasher(IdentitySettings().password)
    async with db.transaction() as tx:
        await add_tenant(tx, Tenant(demo.id, demo.code, demo.name))
        for demo_user in demo.users:
            if await repo.user_by_id(tx, demo.id, demo_user.id) is not None:
                continue
            password_hash = await hasher.hash(demo.password)
            user = new_user(demo.id, demo_user.email, demo_user.name, demo_user.role, password_hash, demo_user.id)
            await add_user(tx, user)
