"""Reading the timeline and one's notifications; marking a notification read."""

from __future__ import annotations

import base64
import uuid
from datetime import datetime
from typing import Any

from notifier.adapters import repository as repo
from notifier.domain.errors import BadCursor, NotificationNotFound
from notifier.domain.routing import FIELD_ROLES, MANAGERS, WAREHOUSE_AGGREGATES
from salessync.auth import Principal
from salessync.db import Database


def encode_cursor(occurred_at: datetime, activity_id: str) -> str:
    return base64.urlsafe_b64encode(f"{occurred_at.isoformat()}|{activity_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        when, _, activity_id = text.partition("|")
        parsed = datetime.fromisoformat(when)
        return parsed, str(uuid.UUID(activity_id))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadCursor() from exc


def _activity_out(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "occurred_at": row["occurred_at"].isoformat()}


async def list_activities(db: Database, principal: Principal, *, limit: int, before: str | None) -> dict[str, Any]:
    """Newest first. Managers see the tenant, field users their own, warehouse staff stock and van loads."""
    cursor = decode_cursor(before) if before else None
    owner_id: str | None = None
    aggregates: list[str] | None = None
    if principal.role in FIELD_ROLES:
        owner_id = str(principal.user_id)
    elif principal.role not in MANAGERS:
        aggregates = sorted(WAREHOUSE_AGGREGATES) if principal.role == "warehouse_staff" else []
    async with db.connect() as tx:
        rows = await repo.list_activities(
            await tx.raw(),
            str(principal.tenant_id),
            limit=limit + 1,
            before=cursor,
            owner_id=owner_id,
            aggregates=aggregates,
        )
    page, more = rows[:limit], len(rows) > limit
    next_before = encode_cursor(page[-1]["occurred_at"], page[-1]["id"]) if more else None
    return {"items": [_activity_out(r) for r in page], "limit": limit, "next_before": next_before}


def _notification_out(row: dict[str, Any]) -> dict[str, Any]:
    return {
        **row,
        "created_at": row["created_at"].isoformat(),
        "read_at": row["read_at"].isoformat() if row["read_at"] else None,
        "read": row["read_at"] is not None,
    }


async def list_notifications(
    db: Database, principal: Principal, *, unread_only: bool, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    async with db.connect() as tx:
        rows, total = await repo.list_notifications(
            await tx.raw(),
            str(principal.tenant_id),
            str(principal.user_id),
            unread_only=unread_only,
            limit=limit,
            offset=offset,
        )
    return [_notification_out(r) for r in rows], total


async def mark_notification_read(db: Database, principal: Principal, notification_id: uuid.UUID) -> dict[str, Any]:
    async with db.transaction() as tx:
        row = await repo.mark_read(
            await tx.raw(), str(principal.tenant_id), str(principal.user_id), str(notification_id)
        )
    if row is None:
        raise NotificationNotFound("no such notification")
    return _notification_out(row)


async def user_may_connect(db: Database, principal: Principal) -> bool:
    """False when the users copy says the user is no longer active or holds another role than his token."""
    async with db.connect() as tx:
        user = await repo.get_user(await tx.raw(), str(principal.tenant_id), str(principal.user_id))
    if user is None:
        return True
    return user["status"] == "active" and user["role"] == principal.role


async def session_ended(db: Database, principal: Principal) -> bool:
    """True when identity said the token's login session ended (logout, refresh-token reuse)."""
    if not principal.session_id:
        return False
    async with db.connect() as tx:
        return await repo.session_ended(
            await tx.raw(), str(principal.tenant_id), str(principal.user_id), principal.session_id
        )


async def tenant_suspended(db: Database, tenant_id: str) -> bool:
    """True when identity said the tenant is suspended (and has not reactivated it since)."""
    async with db.connect() as tx:
        return await repo.tenant_suspended(await tx.raw(), tenant_id)
