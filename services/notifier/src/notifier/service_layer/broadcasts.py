"""Commands sent over the socket that the notifier owns: a manual inventory alert, a live sales figure and a
chat message. Each is one transaction whose event goes through the outbox; every notifier instance's live
reader then delivers it to the sockets allowed to see it, on whichever instance they are connected."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from notifier.adapters import repository as repo
from notifier.domain.errors import UnknownRecipient
from salessync.auth import Principal
from salessync.db import Database
from salessync.errors import Forbidden
from salessync.events import new_event


async def _emit(
    db: Database, principal: Principal, event_type: str, aggregate_id: str, payload: dict[str, Any]
) -> None:
    async with db.transaction() as tx:
        await tx.add_event(
            new_event(
                event_type,
                tenant_id=principal.tenant_id,
                aggregate_id=aggregate_id,
                payload=payload,
                producer="notifier",
            )
        )


async def raise_inventory_alert(
    db: Database, principal: Principal, *, message: str, product_id: str | None, location_id: str | None
) -> dict[str, Any]:
    alert_id = str(uuid.uuid4())
    payload = {
        "alert_id": alert_id,
        "raised_by": str(principal.user_id),
        "product_id": product_id,
        "location_id": location_id,
        "message": message,
        "raised_at": datetime.now(UTC).isoformat(),
    }
    await _emit(db, principal, "inventory.alert_raised", alert_id, payload)
    return {"alert_id": alert_id}


async def publish_sales_update(
    db: Database, principal: Principal, *, salesman_id: str | None, amount: Decimal, orders_count: int, period: str
) -> dict[str, Any]:
    """A salesman reports his own figure; a manager or admin may report anyone's."""
    subject = salesman_id or str(principal.user_id)
    if not principal.is_manager and subject != str(principal.user_id):
        raise Forbidden("a salesman reports only his own figures")
    payload = {
        "salesman_id": subject,
        "amount": f"{amount:.2f}",
        "orders_count": orders_count,
        "period": period,
        "reported_by": str(principal.user_id),
        "reported_at": datetime.now(UTC).isoformat(),
    }
    await _emit(db, principal, "sales.updated", subject, payload)
    return {"salesman_id": subject}


async def send_chat_message(
    db: Database, principal: Principal, *, channel: str, recipient_id: str | None, text: str
) -> dict[str, Any]:
    """Stored, then broadcast: to the whole tenant (`tenant`) or to one user of the tenant (`user`)."""
    tenant_id = str(principal.tenant_id)
    message = {
        "message_id": str(uuid.uuid4()),
        "channel": channel,
        "sender_id": str(principal.user_id),
        "recipient_id": recipient_id if channel == "user" else None,
        "text": text,
        "sent_at": datetime.now(UTC),
    }
    async with db.transaction() as tx:
        raw = await tx.raw()
        if channel == "user" and (recipient_id is None or await repo.get_user(raw, tenant_id, recipient_id) is None):
            raise UnknownRecipient()
        await repo.insert_chat_message(raw, tenant_id, message)
        payload = {**message, "sent_at": message["sent_at"].isoformat()}
        await tx.add_event(
            new_event(
                "chat.message_sent",
                tenant_id=tenant_id,
                aggregate_id=message["message_id"],
                payload=payload,
                producer="notifier",
            )
        )
    return {"message_id": message["message_id"], "sent_at": payload["sent_at"]}
