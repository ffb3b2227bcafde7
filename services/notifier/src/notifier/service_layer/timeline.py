"""Recording the stream: the users copy, one activity per business event, notifications per user.

Runs inside the durable `notifier-activity` consumer's transaction (idempotent by event id there; the
activity id is the event id and a notification id is derived from event and user, so a repeat is a no-op).
A notification is also written to the outbox as `notification.created`, so every notifier instance's live
reader pushes it to that user's sockets, wherever they are connected.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from typing import Any

from notifier.adapters import repository as repo
from notifier.domain.activity import Activity, activity_for
from notifier.domain.notifications import NotificationPlan, plan_for
from notifier.domain.routing import TENANT_STATUS_EVENTS, is_business
from salessync.db import Tx
from salessync.events import Event, new_event

log = logging.getLogger("notifier.timeline")

# How long an ended session is remembered: longer than any access token lives (15 minutes), with slack.
ENDED_SESSION_KEEP_S = 3600.0


def _uuid(value: object) -> str | None:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return None


def _when(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return datetime.now(UTC)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


async def _record_tenant(raw: Any, tenant_id: str, event: Event, occurred_at: datetime) -> None:
    """The tenant's status (tenant.suspended / tenant.reactivated): a suspended tenant's tokens are refused."""
    if event.type in TENANT_STATUS_EVENTS:
        await repo.set_tenant_status(raw, tenant_id, TENANT_STATUS_EVENTS[event.type], occurred_at)


async def _record_user(raw: Any, tenant_id: str, event: Event, occurred_at: datetime) -> None:
    """The users copy (user.* snapshots) and the ended login sessions (user.logged_out)."""
    if not event.type.startswith("user."):
        return
    user_id = _uuid(event.payload.get("id"))
    if user_id is None:
        return
    if event.type == "user.logged_out":
        session_id = str(event.payload.get("session_id") or "")
        if session_id:
            await repo.end_session(raw, tenant_id, user_id, session_id[:64], occurred_at, ENDED_SESSION_KEEP_S)
    elif event.payload.get("role"):
        await repo.upsert_user(raw, tenant_id, {**event.payload, "id": user_id}, occurred_at)


async def record_events(tx: Tx, events: list[Event]) -> None:
    """Record a batch of events, in stream order: users and notifications per event, the activities at once."""
    raw = await tx.raw()
    activities: list[tuple[str, Activity, datetime]] = []
    for event in events:
        tenant_id = _uuid(event.tenant_id)
        if tenant_id is None:
            log.warning("event of a tenant that is not a UUID skipped", extra={"type": event.type})
            continue
        if not event.type.startswith("user.") and not is_business(event.type):
            continue
        occurred_at = _when(event.occurred_at)
        await _record_user(raw, tenant_id, event, occurred_at)
        await _record_tenant(raw, tenant_id, event, occurred_at)
        if not is_business(event.type):
            continue
        activities.append(
            (tenant_id, activity_for(event.event_id, event.type, event.payload, occurred_at.isoformat()), occurred_at)
        )
        plan = plan_for(event.type, event.payload)
        if plan is not None:
            await _notify(tx, tenant_id, event, plan)
    if activities:
        await repo.insert_activities(raw, activities)


async def record_event(tx: Tx, event: Event) -> None:
    tenant_id = _uuid(event.tenant_id)
    if tenant_id is None:
        log.warning("event of a tenant that is not a UUID skipped", extra={"type": event.type})
        return
    raw = await tx.raw()
    occurred_at = _when(event.occurred_at)
    await _record_user(raw, tenant_id, event, occurred_at)
    await _record_tenant(raw, tenant_id, event, occurred_at)
    if not is_business(event.type):
        return
    activity = activity_for(event.event_id, event.type, event.payload, occurred_at.isoformat())
    await repo.insert_activity(raw, tenant_id, activity, occurred_at)
    plan = plan_for(event.type, event.payload)
    if plan is not None:
        await _notify(tx, tenant_id, event, plan)


async def _notify(tx: Tx, tenant_id: str, event: Event, plan: NotificationPlan) -> None:
    raw = await tx.raw()
    recipients = set(await repo.active_users_with_roles(raw, tenant_id, plan.roles)) if plan.roles else set()
    recipients.update(u for u in (_uuid(x) for x in plan.user_ids) if u)
    now = datetime.now(UTC)
    for user_id in sorted(recipients):
        row = {
            "id": str(uuid.uuid5(uuid.UUID(event.event_id), user_id)),
            "user_id": user_id,
            "kind": plan.kind,
            "title": plan.title,
            "body": plan.body,
            "reference": plan.reference,
            "source_event_id": event.event_id,
            "created_at": now,
        }
        if await repo.insert_notification(raw, tenant_id, row):
            payload = {**row, "created_at": now.isoformat(), "read_at": None}
            await tx.add_event(
                new_event(
                    "notification.created",
                    tenant_id=tenant_id,
                    aggregate_id=row["id"],
                    payload=payload,
                    producer="notifier",
                    causation_id=event.event_id,
                    correlation_id=event.correlation_id,
                )
            )
