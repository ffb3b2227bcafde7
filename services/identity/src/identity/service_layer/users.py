"""User commands and queries; the actor is always re-read from the database (a demoted admin's token is
not enough to manage users)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from identity.adapters import repository as repo
from identity.adapters import sessions
from identity.domain import model
from identity.domain.errors import InvalidInput, NotAllowed, StaleVersion, UserNotFound
from identity.domain.model import Tenant, User, UserChanges
from identity.domain.roles import may_manage_users, may_read_users
from identity.service_layer.context import Identity
from identity.service_layer.events import publish
from salessync.auth import Principal
from salessync.db import Tx
from salessync.errors import Unauthorized


@dataclass(frozen=True, slots=True)
class CreateUser:
    email: str
    name: str
    role: str
    password: str
    status: str = "active"


async def actor_of(tx: Tx, principal: Principal) -> User:
    actor = await repo.user_by_id(tx, principal.tenant_id, principal.user_id)
    if actor is None or not actor.can_log_in:
        raise Unauthorized("the user of this token is no longer active", code="inactive_user")
    return actor


async def _target(tx: Tx, principal: Principal, user_id: uuid.UUID, *, for_update: bool = False) -> User:
    user = await repo.user_by_id(tx, principal.tenant_id, user_id, for_update=for_update)
    if user is None:
        raise UserNotFound()
    return user


async def me(ident: Identity, principal: Principal) -> tuple[User, Tenant]:
    async with ident.db.connect() as tx:
        actor = await actor_of(tx, principal)
        tenant = await repo.tenant_by_id(tx, principal.tenant_id)
    assert tenant is not None  # users reference their tenant
    return actor, tenant


async def list_users(
    ident: Identity, principal: Principal, flt: repo.UserFilter, limit: int, offset: int
) -> tuple[list[User], int]:
    async with ident.db.connect() as tx:
        actor = await actor_of(tx, principal)
        if not may_read_users(actor.role):
            raise NotAllowed(f"role '{actor.role}' may not list users")
        return await repo.list_users(tx, principal.tenant_id, flt, limit, offset)


async def get_user(ident: Identity, principal: Principal, user_id: uuid.UUID) -> User:
    async with ident.db.connect() as tx:
        actor = await actor_of(tx, principal)
        user = await _target(tx, principal, user_id)
        model.ensure_may_view(actor, user.id)
        return user


def validate_new_user(ident: Identity, cmd: CreateUser) -> CreateUser:
    """The input rules, checked before the (slow) hash is computed."""
    if cmd.status not in model.USER_STATUSES:
        raise InvalidInput("status", f"unknown status '{cmd.status}'")
    return CreateUser(
        email=model.normalize_email(cmd.email),
        name=model.check_name(cmd.name),
        role=model.check_role(cmd.role),
        password=model.check_password(cmd.password, ident.settings.password.min_length),
        status=cmd.status,
    )


async def create_user(tx: Tx, principal: Principal, cmd: CreateUser, password_hash: str) -> User:
    model.ensure_may_create(await actor_of(tx, principal))
    user = User(
        id=uuid.uuid4(),
        tenant_id=principal.tenant_id,
        email=cmd.email,
        name=cmd.name,
        role=cmd.role,
        status=cmd.status,
        password_hash=password_hash,
    )
    created = await repo.insert_user(tx, user)
    assert created is not None  # a fresh uuid
    await publish(tx, created, "user.created")
    return created


async def update_user(
    ident: Identity, principal: Principal, user_id: uuid.UUID, changes: UserChanges, if_match: int | None
) -> User:
    async with ident.db.transaction() as tx:
        actor = await actor_of(tx, principal)
        target = await _target(tx, principal, user_id, for_update=True)
        model.ensure_may_view(actor, target.id)
        if if_match is not None and if_match != target.version:
            raise StaleVersion(if_match, target.version)
        outcome = model.apply_changes(actor, target, changes)
        if not outcome.changed:
            return target
        saved = await repo.update_user(tx, outcome.user, target.version)
        if saved is None:
            raise StaleVersion(target.version, target.version + 1)
        if outcome.revoke_sessions:
            await sessions.revoke_user_families(tx, saved.tenant_id, saved.id, "user_changed")
        for event_type, payload in outcome.events:
            await publish(tx, saved, event_type, payload)
        return saved


async def delete_user(ident: Identity, principal: Principal, user_id: uuid.UUID) -> None:
    async with ident.db.transaction() as tx:
        actor = await actor_of(tx, principal)
        target = await _target(tx, principal, user_id, for_update=True)
        model.ensure_may_view(actor, target.id)
        gone = model.check_delete(actor, target)
        await repo.soft_delete_user(tx, gone)
        await sessions.revoke_user_families(tx, gone.tenant_id, gone.id, "user_deleted")
        await publish(tx, gone, "user.deactivated")


async def change_password(
    ident: Identity, principal: Principal, user_id: uuid.UUID, current_password: str | None, new_password: str
) -> None:
    """Self needs the current password; an admin may reset another user's. Every session of the user ends."""
    model.check_password(new_password, ident.settings.password.min_length, "new_password")
    async with ident.db.connect() as tx:
        actor = await actor_of(tx, principal)
        target = await _target(tx, principal, user_id)
    if actor.id == target.id:
        if not current_password:
            raise InvalidInput("current_password", "is required to change your own password")
        if not await ident.hasher.verify(target.password_hash, current_password):
            raise InvalidInput("current_password", "is not correct")
    elif not may_manage_users(actor.role):
        raise NotAllowed(f"role '{actor.role}' may not change another user's password")
    new_hash = await ident.hasher.hash(new_password)
    async with ident.db.transaction() as tx:
        await repo.set_password_hash(tx, target, new_hash)
        await sessions.revoke_user_families(tx, target.tenant_id, target.id, "password_changed")
