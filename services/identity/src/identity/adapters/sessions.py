"""Refresh tokens (stored as sha256 of the opaque value) grouped in families, one family per login."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime

from identity.domain.sessions import StoredRefreshToken
from salessync.db import Tx


def new_refresh_token() -> tuple[str, bytes]:
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


async def create_family(tx: Tx, tenant_id: uuid.UUID, user_id: uuid.UUID) -> uuid.UUID:
    family_id = uuid.uuid4()
    raw = await tx.raw()
    await raw.execute(
        "INSERT INTO refresh_families (id, tenant_id, user_id) VALUES ($1, $2, $3)", family_id, tenant_id, user_id
    )
    return family_id


async def add_token(tx: Tx, family_id: uuid.UUID, token_hash: bytes, expires_at: datetime) -> None:
    raw = await tx.raw()
    await raw.execute(
        "INSERT INTO refresh_tokens (token_hash, family_id, expires_at) VALUES ($1, $2, $3)",
        token_hash,
        family_id,
        expires_at,
    )


async def token_for_update(tx: Tx, token_hash: bytes) -> StoredRefreshToken | None:
    """The token and its family, both locked: concurrent uses of one token are serialised."""
    raw = await tx.raw()
    row = await raw.fetchrow(
        """SELECT f.id AS family_id, f.tenant_id, f.user_id, t.expires_at, t.spent_at, f.revoked_at
           FROM refresh_tokens t JOIN refresh_families f ON f.id = t.family_id
           WHERE t.token_hash = $1 FOR UPDATE""",
        token_hash,
    )
    if row is None:
        return None
    return StoredRefreshToken(
        family_id=row["family_id"],
        tenant_id=row["tenant_id"],
        user_id=row["user_id"],
        expires_at=row["expires_at"],
        spent_at=row["spent_at"],
        family_revoked_at=row["revoked_at"],
    )


async def spend(tx: Tx, token_hash: bytes) -> None:
    raw = await tx.raw()
    await raw.execute("UPDATE refresh_tokens SET spent_at = now() WHERE token_hash = $1", token_hash)


async def revoke_family(tx: Tx, family_id: uuid.UUID, reason: str) -> bool:
    """True when this call revoked the family (False when it already was)."""
    raw = await tx.raw()
    status: str = await raw.execute(
        "UPDATE refresh_families SET revoked_at = now(), revoked_reason = $2 WHERE id = $1 AND revoked_at IS NULL",
        family_id,
        reason,
    )
    return status.rsplit(" ", 1)[-1] != "0"


async def revoke_user_families(tx: Tx, tenant_id: uuid.UUID, user_id: uuid.UUID, reason: str) -> int:
    raw = await tx.raw()
    status: str = await raw.execute(
        """UPDATE refresh_families SET revoked_at = now(), revoked_reason = $3
           WHERE tenant_id = $1 AND user_id = $2 AND revoked_at IS NULL""",
        tenant_id,
        user_id,
        reason,
    )
    return int(status.rsplit(" ", 1)[-1])


async def revoke_tenant_families(tx: Tx, tenant_id: uuid.UUID, reason: str) -> int:
    raw = await tx.raw()
    status: str = await raw.execute(
        "UPDATE refresh_families SET revoked_at = now(), revoked_reason = $2 WHERE tenant_id = $1 AND revoked_at IS NULL",
        tenant_id,
        reason,
    )
    return int(status.rsplit(" ", 1)[-1])


async def purge_expired(tx: Tx, older_than_s: float) -> None:
    """Drop families whose every token expired long ago (their tokens go with them)."""
    raw = await tx.raw()
    await raw.execute(
        """DELETE FROM refresh_families f WHERE f.created_at < now() - make_interval(secs => $1)
           AND NOT EXISTS (SELECT 1 FROM refresh_tokens t WHERE t.family_id = f.id
                           AND t.expires_at > now() - make_interval(secs => $1))""",
        older_than_s,
    )
