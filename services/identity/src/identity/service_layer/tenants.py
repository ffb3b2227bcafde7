"""Creating a tenant with its first admin (operator command and demo seed)."""

from __future__ import annotations

import uuid

from identity.adapters import repository as repo
from identity.domain import model
from identity.domain.model import Tenant, User
from identity.service_layer.events import publish
from salessync.db import Tx


async def add_tenant(tx: Tx, tenant: Tenant) -> bool:
    """Insert the tenant; False when it exists already with this id (a re-run seed), 409 when the code is taken."""
    tenant = Tenant(tenant.id, model.normalize_tenant_code(tenant.code), model.check_name(tenant.name), tenant.status)
    return await repo.insert_tenant(tx, tenant)


async def add_user(tx: Tx, user: User) -> User | None:
    """Insert the user and publish `user.created`; None (and no event) when this id exists already."""
    created = await repo.insert_user(tx, user)
    if created is not None:
        await publish(tx, created, "user.created")
    return created


def new_user(
    tenant_id: uuid.UUID, email: str, name: str, role: str, password_hash: str, user_id: uuid.UUID | None = None
) -> User:
    return User(
        id=user_id or uuid.uuid4(),
        tenant_id=tenant_id,
        email=model.normalize_email(email),
        name=model.check_name(name),
        role=model.check_role(role),
        password_hash=password_hash,
    )
