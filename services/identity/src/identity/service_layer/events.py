"""Identity's events, written to the outbox of the command's transaction."""

from __future__ import annotations

from typing import Any

from identity.domain.model import User
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
