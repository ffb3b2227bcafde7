"""Which users are notified of a business event (low stock, order rejected, discrepancy to approve). Pure."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

STOCK_AUDIENCE = ("warehouse_staff", "manager", "admin")
APPROVERS = ("manager", "admin")


@dataclass(frozen=True, slots=True)
class NotificationPlan:
    """Notify every active user having one of `roles`, and the users in `user_ids`."""

    kind: str
    title: str
    body: str
    reference: str | None
    roles: tuple[str, ...] = ()
    user_ids: tuple[str, ...] = ()


def _has_variance(payload: dict[str, Any]) -> bool:
    if payload.get("result") == "discrepancy":
        return True
    try:
        return Decimal(str(payload.get("cash_variance") or "0")) != 0
    except InvalidOperation:
        return False


def plan_for(event_type: str, payload: dict[str, Any]) -> NotificationPlan | None:
    if event_type == "stock.low":
        name, place = payload.get("product_name"), payload.get("location_name")
        return NotificationPlan(
            kind="low_stock",
            title=f"Low stock: {name}",
            body=f"{name} at {place}: {payload.get('available')} available (reorder level {payload.get('reorder_level')})",
            reference=str(payload.get("product_id")),
            roles=STOCK_AUDIENCE,
        )
    if event_type == "inventory.alert_raised":
        return NotificationPlan(
            kind="inventory_alert",
            title="Inventory alert from the field",
            body=str(payload.get("message", "")),
            reference=str(payload.get("alert_id")),
            roles=STOCK_AUDIENCE,
        )
    if event_type == "order.status_changed" and payload.get("to_status") == "rejected" and payload.get("salesman_id"):
        return NotificationPlan(
            kind="order_rejected",
            title=f"Order {payload.get('number')} rejected",
            body=str(payload.get("reason") or "the order was rejected"),
            reference=str(payload.get("order_id")),
            user_ids=(str(payload["salesman_id"]),),
        )
    if event_type == "van_load.reconciled" and _has_variance(payload):
        return NotificationPlan(
            kind="discrepancy_to_approve",
            title="Van load reconciled with a discrepancy",
            body=f"Cash variance {payload.get('cash_variance')}: approval needed",
            reference=str(payload.get("van_load_id")),
            roles=APPROVERS,
        )
    return None
