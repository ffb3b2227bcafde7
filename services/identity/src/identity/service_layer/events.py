"""Identity's events, written to the outbox of the command's transaction."""

from __future__ import annotations

import uuid
from typing import Any

from identity.domain.model import Tenant, User
from salessync.db import Tx
from salessync.events import new_event


async def publish(tx: Tx, user: User, event_type: str, payload: dict[str, Any] | None = None) -> None:
    await tx.add_event(
        new_event(
            event_type,
            tenant_id=user.tenant_id,
            aggregate_id=user.id,
            payload=payload if payload is not None else user.snapshot(),
            producer="identity",
        )
    )


async def publish_logged_out(
    tx: Tx, tenant_id: uuid.UUID, user_id: uuid.UUID, session_id: uuid.UUID, reason: str
) -> None:
    """A refresh family (one login session) ended: the notifier closes that session's sockets."""
    await tx.add_event(
        new_event(
            "user.logged_out",
            tenant_id=tenant_id,
            aggregate_id=user_id,
            payload={"id": str(user_id), "session_id": str(session_id), "reason": reason},
            producer="identity",
        )
    )


async def publish_tenant_status(tx: Tx, tenant: Tenant) -> None:
    """`tenant.suspended` / `tenant.reactivated`: the notifier closes or accepts the tenant's sockets again."""
    event_type = "tenant.suspended" if tenant.status == "suspended" else "tenant.reactivated"
    await tx.add_event(
        new_event(
            event_type,
            tenant_id=tenant.id,
            aggregate_id=tenant.id,
            payload={"id": str(tenant.id), "code": tenant.code, "status": tenant.status},
            producer="identity",
        )
    )
