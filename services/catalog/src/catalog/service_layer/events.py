"""Publishing through the outbox: every catalog event is written in the command's own transaction."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from salessync.db import Tx
from salessync.events import new_event

PRODUCER = "catalog"


async def publish(
    tx: Tx, tenant_id: uuid.UUID, aggregate_id: uuid.UUID, events: Iterable[tuple[str, dict[str, Any]]]
) -> None:
    for event_type, payload in events:
        await tx.add_event(
            new_event(event_type, tenant_id=tenant_id, aggregate_id=aggregate_id, payload=payload, producer=PRODUCER)
        )
