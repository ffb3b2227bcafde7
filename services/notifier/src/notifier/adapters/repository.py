"""Queries of the notifier, in plain asyncpg (`$n` parameters; search_path is the notifier schema).

Every query carries the tenant id.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from notifier.domain.activity import Activity
from salessync.pagination import limit_offset

_ACTIVITY_COLUMNS = "id::text, type, reference, description, actor, customer, amount::text, status, occurred_at"
_NOTIFICATION_COLUMNS = (
    "id::text, user_id::text, kind, title, body, reference, source_event_id::text, created_at, read_at"
)


async def upsert_user(raw: Any, tenant_id: str, user: dict[str, Any], at: datetime) -> None:
    """Keep the newest copy of a user (events of one user may be redelivered out of order)."""
    await raw.execute(
        """
        INSERT INTO users (tenant_id, id, email, name, role, status, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7)
        ON CONFLICT (tenant_id, id) DO UPDATE SET
            email = EXCLUDED.email, name = EXCLUDED.name, role = EXCLUDED.role,
            status = EXCLUDED.status, updated_at = EXCLUDED.updated_at
        WHERE users.updated_at <= EXCLUDED.updated_at
        """,
        tenant_id,
        user["id"],
        str(user.get("email") or ""),
        str(user.get("name") or ""),
        str(user["role"]),
        str(user.get("status") or "active"),
        at,
    )


async def get_user(raw: Any, tenant_id: str, user_id: str) -> dict[str, Any] | None:
    row = await raw.fetchrow(
        "SELECT id::text, role, status FROM users WHERE tenant_id = $1 AND id = $2", tenant_id, user_id
    )
    return dict(row) if row else None


async def end_session(raw: Any, tenant_id: str, user_id: str, session_id: str, at: datetime, keep_s: float) -> None:
    """Remember an ended login session; forget those ended more than `keep_s` ago (their tokens expired)."""
    await raw.execute(
        """INSERT INTO ended_sessions (session_id, tenant_id, user_id, ended_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (session_id) DO NOTHING""",
        session_id,
        tenant_id,
        user_id,
        at,
    )
    await raw.execute("DELETE FROM ended_sessions WHERE ended_at < now() - make_interval(secs => $1)", keep_s)


async def set_tenant_status(raw: Any, tenant_id: str, status: str, at: datetime) -> None:
    """Remember the tenant's status; an older change arriving late does not undo a newer one."""
    await raw.execute(
        """INSERT INTO tenant_status (tenant_id, status, changed_at) VALUES ($1, $2, $3)
           ON CONFLICT (tenant_id) DO UPDATE SET status = excluded.status, changed_at = excluded.changed_at
           WHERE tenant_status.changed_at <= excluded.changed_at""",
        tenant_id,
        status,
        at,
    )


async def tenant_suspended(raw: Any, tenant_id: str) -> bool:
    row = await raw.fetchrow("SELECT 1 FROM tenant_status WHERE tenant_id = $1 AND status = 'suspended'", tenant_id)
    return row is not None


async def session_ended(raw: Any, tenant_id: str, user_id: str, session_id: str) -> bool:
    row = await raw.fetchrow(
        "SELECT 1 FROM ended_sessions WHERE session_id = $1 AND tenant_id = $2 AND user_id = $3",
        session_id,
        tenant_id,
        user_id,
    )
    return row is not None


async def active_users_with_roles(raw: Any, tenant_id: str, roles: tuple[str, ...]) -> list[str]:
    rows = await raw.fetch(
        "SELECT id::text FROM users WHERE tenant_id = $1 AND role = ANY($2::text[]) AND status = 'active'",
        tenant_id,
        list(roles),
    )
    return [r["id"] for r in rows]


async def insert_activity(raw: Any, tenant_id: str, activity: Activity, occurred_at: datetime) -> None:
    await raw.execute(
        """
        INSERT INTO activities (id, tenant_id, type, aggregate, reference, description, actor, customer,
                                amount, status, owner_id, occurred_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::numeric, $10, $11, $12)
        ON CONFLICT (id) DO NOTHING
        """,
        activity.id,
        tenant_id,
        activity.type,
        activity.type.partition(".")[0],
        (activity.reference or "")[:200] or None,
        activity.description,
        (activity.actor or "")[:64] or None,
        (activity.customer or "")[:200] or None,
        activity.amount,
        (activity.status or "")[:32] or None,
        (activity.owner_id or "")[:64] or None,
        occurred_at,
    )


async def insert_activities(raw: Any, rows: list[tuple[str, Activity, datetime]]) -> None:
    """Many activities (tenant id, activity, occurred_at) in one statement; an id already there is skipped."""
    columns: list[list[Any]] = [[] for _ in range(12)]
    for tenant_id, activity, occurred_at in rows:
        for column, value in zip(columns, _activity_values(tenant_id, activity, occurred_at), strict=True):
            column.append(value)
    await raw.execute(
        """
        INSERT INTO activities (id, tenant_id, type, aggregate, reference, description, actor, customer,
                                amount, status, owner_id, occurred_at)
        SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                             $8::text[], $9::numeric[], $10::text[], $11::text[], $12::timestamptz[])
        ON CONFLICT (id) DO NOTHING
        """,
        *columns,
    )


def _activity_values(tenant_id: str, activity: Activity, occurred_at: datetime) -> tuple[Any, ...]:
    return (
        activity.id,
        tenant_id,
        activity.type,
        activity.type.partition(".")[0],
        (activity.reference or "")[:200] or None,
        activity.description,
        (activity.actor or "")[:64] or None,
        (activity.customer or "")[:200] or None,
        activity.amount,
        (activity.status or "")[:32] or None,
        (activity.owner_id or "")[:64] or None,
        occurred_at,
    )


async def list_activities(
    raw: Any,
    tenant_id: str,
    *,
    limit: int,
    before: tuple[datetime, str] | None,
    owner_id: str | None,
    aggregates: list[str] | None,
) -> list[dict[str, Any]]:
    """Newest first; `before` is the (occurred_at, id) of the last row of the previous page."""
    conditions = ["tenant_id = $1"]
    args: list[Any] = [tenant_id]
    if before is not None:
        args.extend(before)
        conditions.append(f"(occurred_at, id) < (${len(args) - 1}::timestamptz, ${len(args)}::uuid)")
    if owner_id is not None:
        args.append(owner_id)
        conditions.append(f"owner_id = ${len(args)}")
    if aggregates is not None:
        args.append(aggregates)
        conditions.append(f"aggregate = ANY(${len(args)}::text[])")
    sql = (
        f"SELECT {_ACTIVITY_COLUMNS} FROM activities WHERE {' AND '.join(conditions)} "
        f"ORDER BY occurred_at DESC, id DESC " + limit_offset(limit, 0)
    )
    return [dict(r) for r in await raw.fetch(sql, *args)]


async def insert_notification(raw: Any, tenant_id: str, row: dict[str, Any]) -> bool:
    inserted = await raw.fetchval(
        """
        INSERT INTO notifications (id, tenant_id, user_id, kind, title, body, reference, source_event_id, created_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
        ON CONFLICT (id) DO NOTHING RETURNING true
        """,
        row["id"],
        tenant_id,
        row["user_id"],
        row["kind"],
        row["title"][:200],
        row["body"],
        (row.get("reference") or "")[:200] or None,
        row["source_event_id"],
        row["created_at"],
    )
    return bool(inserted)


async def list_notifications(
    raw: Any, tenant_id: str, user_id: str, *, unread_only: bool, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    where = "tenant_id = $1 AND user_id = $2" + (" AND read_at IS NULL" if unread_only else "")
    total = await raw.fetchval(f"SELECT count(*) FROM notifications WHERE {where}", tenant_id, user_id)
    rows = await raw.fetch(
        f"SELECT {_NOTIFICATION_COLUMNS} FROM notifications WHERE {where} "
        "ORDER BY created_at DESC, id DESC " + limit_offset(limit, offset),
        tenant_id,
        user_id,
    )
    return [dict(r) for r in rows], int(total)


async def mark_read(raw: Any, tenant_id: str, user_id: str, notification_id: str) -> dict[str, Any] | None:
    row = await raw.fetchrow(
        f"""
        UPDATE notifications SET read_at = coalesce(read_at, now())
        WHERE tenant_id = $1 AND user_id = $2 AND id = $3
        RETURNING {_NOTIFICATION_COLUMNS}
        """,
        tenant_id,
        user_id,
        notification_id,
    )
    return dict(row) if row else None


async def insert_chat_message(raw: Any, tenant_id: str, message: dict[str, Any]) -> None:
    await raw.execute(
        """
        INSERT INTO chat_messages (id, tenant_id, channel, sender_id, recipient_id, text, created_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7)
        """,
        message["message_id"],
        tenant_id,
        message["channel"],
        message["sender_id"],
        message.get("recipient_id"),
        message["text"],
        message["sent_at"],
    )
