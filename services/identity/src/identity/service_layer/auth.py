"""Login, refresh, logout: one transaction each (the throttle counts in its own, committed even on failure)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from identity.adapters import repository as repo
from identity.adapters import sessions, throttle
from identity.domain.errors import InvalidCredentials, InvalidRefreshToken, LoginThrottled
from identity.domain.model import Tenant, User
from identity.domain.sessions import decide
from identity.service_layer.context import Identity
from identity.service_layer.events import publish_logged_out
from salessync.auth import Principal
from salessync.db import Tx


@dataclass(frozen=True, slots=True)
class Login:
    tenant_code: str
    email: str
    password: str
    address: str


@dataclass(frozen=True, slots=True)
class Session:
    access_token: str
    refresh_token: str
    expires_in: int
    user: User
    tenant: Tenant


async def _issue(tx: Tx, ident: Identity, tenant: Tenant, user: User, family_id: uuid.UUID) -> Session:
    token, token_hash = sessions.new_refresh_token()
    expires_at = datetime.now(UTC) + timedelta(seconds=ident.settings.tokens.refresh_ttl_s)
    await sessions.add_token(tx, family_id, token_hash, expires_at)
    return Session(ident.tokens.issue(user, family_id), token, ident.settings.tokens.access_ttl_s, user, tenant)


async def login(ident: Identity, cmd: Login) -> Session:
    """Every failure (unknown tenant, unknown email, wrong password, disabled account) is the same 401 and
    costs one argon2 verification."""
    limits = ident.settings.throttle
    account = throttle.account_key(cmd.tenant_code, cmd.email)
    address = throttle.address_key(cmd.address)
    wait = await throttle.count_attempt(
        ident.db, {account: limits.account_max, address: limits.address_max}, limits.window_s
    )
    if wait:
        raise LoginThrottled(wait)
    async with ident.db.connect() as tx:
        tenant = await repo.tenant_by_code(tx, cmd.tenant_code)
        user = await repo.user_by_email(tx, tenant.id, cmd.email) if tenant else None
    password_ok = await ident.hasher.verify(user.password_hash if user else None, cmd.password)
    if not (password_ok and tenant and user and tenant.can_log_in and user.can_log_in):
        raise InvalidCredentials()
    await throttle.forgive(ident.db, account, address)
    new_hash = await ident.hasher.hash(cmd.password) if ident.hasher.needs_rehash(user.password_hash) else None
    async with ident.db.transaction() as tx:
        await repo.record_login(tx, user, new_hash)
        family_id = await sessions.create_family(tx, tenant.id, user.id)
        return await _issue(tx, ident, tenant, user, family_id)


async def refresh(ident: Identity, refresh_token: str) -> Session:
    """Spend the token and issue its successor; a spent token presented again revokes its whole family."""
    token_hash = sessions.hash_token(refresh_token)
    async with ident.db.transaction() as tx:
        stored = await sessions.token_for_update(tx, token_hash)
        if stored is None:
            raise InvalidRefreshToken()
        decision = decide(stored, datetime.now(UTC))
        if decision.revoke_family:
            if await sessions.revoke_family(tx, stored.family_id, "reuse"):
                await publish_logged_out(tx, stored.tenant_id, stored.user_id, stored.family_id, "reuse")
        elif decision.rotate:
            tenant = await repo.tenant_by_id(tx, stored.tenant_id)
            user = await repo.user_by_id(tx, stored.tenant_id, stored.user_id)
            if tenant and user and tenant.can_log_in and user.can_log_in:
                await sessions.spend(tx, token_hash)
                return await _issue(tx, ident, tenant, user, stored.family_id)
            await sessions.revoke_family(tx, stored.family_id, "disabled")
    # Outside the transaction: the revocation above is committed before the 401 is answered.
    raise InvalidRefreshToken()


async def logout(ident: Identity, principal: Principal, refresh_token: str) -> None:
    """Revoke the family of `refresh_token` when it is the caller's; anything else changes nothing (still 204)."""
    async with ident.db.transaction() as tx:
        stored = await sessions.token_for_update(tx, sessions.hash_token(refresh_token))
        if stored and stored.user_id == principal.user_id and stored.tenant_id == principal.tenant_id:
            if await sessions.revoke_family(tx, stored.family_id, "logout"):
                await publish_logged_out(tx, stored.tenant_id, stored.user_id, stored.family_id, "logout")


async def housekeeping(ident: Identity) -> None:
    """Drop expired throttle windows and long-dead refresh families; reload signing keys."""
    await throttle.purge_expired(ident.db, ident.settings.throttle.window_s)
    async with ident.db.transaction() as tx:
        await sessions.purge_expired(tx, float(ident.settings.tokens.refresh_ttl_s))
    await ident.tokens.reload()
