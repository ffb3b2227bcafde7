"""Tenants and users in plain SQL (asyncpg, `$n` parameters); every user query carries the tenant id."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg

from identity.domain.errors import EmailTaken, TenantCodeTaken
from identity.domain.model import Tenant, User
from salessync.db import Tx
from salessync.pagination import limit_offset

_USER_COLUMNS = (
    "id, tenant_id, email, name, role, status, version, password_hash, created_at, updated_at, last_login_at"
)
_SORTS = {
    "created_at": "created_at, id",
    "-created_at": "created_at DESC, id DESC",
    "name": "lower(name), id",
    "-name": "lower(name) DESC, id DESC",
    "email": "lower(email), id",
    "-email": "lower(email) DESC, id DESC",
}
SORTS = tuple(_SORTS)


def _tenant(row: Any) -> Tenant:
    return Tenant(id=row["id"], code=row["code"], name=row["name"], status=row["status"])


def _user(row: Any) -> User:
    return User(**{key: row[key] for key in row.keys()})


async def tenant_by_code(tx: Tx, code: str) -> Tenant | None:
    raw = await tx.raw()
    row = await raw.fetchrow("SELECT id, code, name, status FROM tenants WHERE code = $1", code.strip().lower())
    return _tenant(row) if row else None


async def tenant_by_id(tx: Tx, tenant_id: uuid.UUID) -> Tenant | None:
    raw = await tx.raw()
    row = await raw.fetchrow("SELECT id, code, name, status FROM tenants WHERE id = $1", tenant_id)
    return _tenant(row) if row else None


async def tenant_by_code_for_update(tx: Tx, code: str) -> Tenant | None:
    raw = await tx.raw()
    row = await raw.fetchrow(
        "SELECT id, code, name, status FROM tenants WHERE code = $1 FOR UPDATE", code.strip().lower()
    )
    return _tenant(row) if row else None


async def set_tenant_status(tx: Tx, tenant_id: uuid.UUID, status: str) -> None:
    raw = await tx.raw()
    await raw.execute("UPDATE tenants SET status = $2, updated_at = now() WHERE id = $1", tenant_id, status)


async def insert_tenant(tx: Tx, tenant: Tenant) -> bool:
    """Insert; False when this very tenant (same id and code) exists already; a code taken by another is 409."""
    raw = await tx.raw()
    row = await raw.fetchrow(
        "INSERT INTO tenants (id, code, name, status) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING id",
        tenant.id,
        tenant.code,
        tenant.name,
        tenant.status,
    )
    if row is not None:
        return True
    existing = await tenant_by_code(tx, tenant.code)
    if existing is None or existing.id != tenant.id:
        raise TenantCodeTaken(tenant.code)
    return False


async def user_by_id(tx: Tx, tenant_id: uuid.UUID, user_id: uuid.UUID, *, for_update: bool = False) -> User | None:
    raw = await tx.raw()
    lock = " FOR UPDATE" if for_update else ""
    row = await raw.fetchrow(
        f"SELECT {_USER_COLUMNS} FROM users WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL{lock}",
        tenant_id,
        user_id,
    )
    return _user(row) if row else None


async def user_by_email(tx: Tx, tenant_id: uuid.UUID, email: str) -> User | None:
    raw = await tx.raw()
    row = await raw.fetchrow(
        f"SELECT {_USER_COLUMNS} FROM users WHERE tenant_id = $1 AND lower(email) = lower($2) AND deleted_at IS NULL",
        tenant_id,
        email.strip(),
    )
    return _user(row) if row else None


async def insert_user(tx: Tx, user: User) -> User | None:
    """Insert; None when a user with this id exists already (an idempotent seed); a taken email is 409."""
    raw = await tx.raw()
    try:
        row = await raw.fetchrow(
            f"""INSERT INTO users (id, tenant_id, email, name, role, status, password_hash)
                VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING RETURNING {_USER_COLUMNS}""",
            user.id,
            user.tenant_id,
            user.email,
            user.name,
            user.role,
            user.status,
            user.password_hash,
        )
    except asyncpg.UniqueViolationError as exc:
        raise EmailTaken(user.email) from exc
    return _user(row) if row else None


async def update_user(tx: Tx, user: User, expected_version: int) -> User | None:
    """Write the changed fields when the stored version is still `expected_version`; None when it is not."""
    raw = await tx.raw()
    try:
        row = await raw.fetchrow(
            f"""UPDATE users SET email = $3, name = $4, role = $5, status = $6, version = $7, updated_at = now()
                WHERE tenant_id = $1 AND id = $2 AND version = $8 AND deleted_at IS NULL
                RETURNING {_USER_COLUMNS}""",
            user.tenant_id,
            user.id,
            user.email,
            user.name,
            user.role,
            user.status,
            user.version,
            expected_version,
        )
    except asyncpg.UniqueViolationError as exc:
        raise EmailTaken(user.email) from exc
    return _user(row) if row else None


async def soft_delete_user(tx: Tx, user: User) -> None:
    raw = await tx.raw()
    await raw.execute(
        """UPDATE users SET status = 'inactive', version = version + 1, deleted_at = now(), updated_at = now()
           WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL""",
        user.tenant_id,
        user.id,
    )


async def set_password_hash(tx: Tx, user: User, password_hash: str) -> None:
    raw = await tx.raw()
    await raw.execute(
        "UPDATE users SET password_hash = $3, updated_at = now() WHERE tenant_id = $1 AND id = $2",
        user.tenant_id,
        user.id,
        password_hash,
    )


async def record_login(tx: Tx, user: User, new_hash: str | None) -> None:
    raw = await tx.raw()
    await raw.execute(
        "UPDATE users SET last_login_at = now(), password_hash = coalesce($3, password_hash) "
        "WHERE tenant_id = $1 AND id = $2",
        user.tenant_id,
        user.id,
        new_hash,
    )


@dataclass(frozen=True, slots=True)
class UserFilter:
    role: str | None = None
    status: str | None = None
    search: str | None = None
    sort: str = "created_at"


def _like(term: str) -> str:
    escaped = term.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def list_users(tx: Tx, tenant_id: uuid.UUID, flt: UserFilter, limit: int, offset: int) -> tuple[list[User], int]:
    where = ["tenant_id = $1", "deleted_at IS NULL"]
    args: list[Any] = [tenant_id]
    if flt.role:
        args.append(flt.role)
        where.append(f"role = ${len(args)}")
    if flt.status:
        args.append(flt.status)
        where.append(f"status = ${len(args)}")
    if flt.search and flt.search.strip():
        args.append(_like(flt.search))
        where.append(f"(lower(name) LIKE ${len(args)} OR lower(email) LIKE ${len(args)})")
    sql = (
        f"SELECT {_USER_COLUMNS}, count(*) OVER () AS total FROM users WHERE {' AND '.join(where)} "
        f"ORDER BY {_SORTS[flt.sort]} " + limit_offset(limit, offset)
    )
    raw = await tx.raw()
    rows = await raw.fetch(sql, *args)
    if not rows and offset:
        total = await raw.fetchval(f"SELECT count(*) FROM users WHERE {' AND '.join(where)}", *args)
        return [], int(total)
    users = [User(**{k: r[k] for k in r.keys() if k != "total"}) for r in rows]
    return users, int(rows[0]["total"]) if rows else 0
