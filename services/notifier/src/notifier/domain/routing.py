"""Which client events a stream event becomes, and who may see it. Pure rules, no I/O.

Rooms (ARCHITECTURE.md): managers and admins see the whole tenant; a field user (salesman, promoter, ...)
sees events about himself (payload `salesman_id` / `agent_id`); warehouse staff see stock, inventory alerts
and van loads; every user sees his own notifications; a private chat message is seen by its two parties.
"""

from __future__ import annotations

from typing import Any

MANAGERS = frozenset({"admin", "manager"})
FIELD_ROLES = frozenset({"salesman", "promoter", "merchandiser", "field_agent"})
WAREHOUSE_AGGREGATES = frozenset({"stock", "inventory", "van_load"})

# Stream event type -> the client event name the existing clients know.
CLIENT_NAMES: dict[str, str] = {
    "order.placed": "order:created",
    "order.status_changed": "order:updated",
    "stock.low": "inventory:alert",
    "inventory.alert_raised": "inventory:alert",
    "visit.checked_in": "visit:checkin",
    "location.recorded": "location:updated",
    "chat.message_sent": "chat:message",
    "sales.updated": "sales:update",
    "notification.created": "notification",
}

# Events that are traffic, not business: they are forwarded but never become an activity.
NOT_ACTIVITIES = frozenset({"location.recorded", "chat.message_sent", "sales.updated", "notification.created"})

ACTIVITY = "activity:new"

# Identity's tenant events -> the tenant's status after them (a suspended tenant's sockets close with 4403).
TENANT_STATUS_EVENTS: dict[str, str] = {"tenant.suspended": "suspended", "tenant.reactivated": "active"}


def is_business(event_type: str) -> bool:
    return event_type not in NOT_ACTIVITIES


def client_names(event_type: str) -> list[str]:
    """`order.placed` -> ["order:created", "activity:new"]; `location.recorded` -> ["location:updated"]."""
    names = [CLIENT_NAMES[event_type]] if event_type in CLIENT_NAMES else []
    if is_business(event_type):
        names.append(ACTIVITY)
    return names


def owner_of(payload: dict[str, Any]) -> str | None:
    """The field user an event is about: the salesman of an order or van load, the agent of a visit."""
    owner = payload.get("salesman_id") or payload.get("agent_id")
    return str(owner) if owner else None


def may_see(role: str, user_id: str, event_type: str, payload: dict[str, Any]) -> bool:
    """May a user of `role` see this event of his own tenant?"""
    if event_type == "notification.created":
        return str(payload.get("user_id")) == user_id
    if event_type == "chat.message_sent":
        if payload.get("channel") == "user":
            return user_id in (str(payload.get("sender_id")), str(payload.get("recipient_id")))
        return True
    if role in MANAGERS:
        return True
    if event_type == "sales.updated":
        return False
    if role == "warehouse_staff":
        return event_type.partition(".")[0] in WAREHOUSE_AGGREGATES
    if role in FIELD_ROLES:
        return owner_of(payload) == user_id
    return False
