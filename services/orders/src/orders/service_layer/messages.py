"""The events orders publishes, with the payloads of docs/events.md."""

from __future__ import annotations

from typing import Any

from salessync.events import Event, new_event

PRODUCER = "orders"


def order_placed(
    *,
    tenant_id: str,
    order_id: str,
    number: str,
    customer_id: str,
    salesman_id: str,
    van_load_id: str | None,
    payment_method: str,
    total: str,
    lines: list[dict[str, Any]],
) -> Event:
    return new_event(
        "order.placed",
        tenant_id=tenant_id,
        aggregate_id=order_id,
        producer=PRODUCER,
        payload={
            "order_id": order_id,
            "number": number,
            "customer_id": customer_id,
            "salesman_id": salesman_id,
            "van_load_id": van_load_id,
            "payment_method": payment_method,
            "total": total,
            "status": "pending",
            "lines": lines,
        },
    )


def order_status_changed(
    order: dict[str, Any],
    *,
    tenant_id: str,
    to_status: str,
    reason: str | None,
    actor_id: str | None,
    causation_id: str | None = None,
    correlation_id: str | None = None,
) -> Event:
    return new_event(
        "order.status_changed",
        tenant_id=tenant_id,
        aggregate_id=order["id"],
        producer=PRODUCER,
        causation_id=causation_id,
        correlation_id=correlation_id,
        payload={
            "order_id": order["id"],
            "number": order["number"],
            "customer_id": order["customer_id"],
            "salesman_id": order["salesman_id"],
            "van_load_id": order["van_load_id"],
            "from_status": order["status"],
            "to_status": to_status,
            "reason": reason,
            "actor_id": actor_id,
            "total": f"{order['total']:.2f}",
            "payment_method": order["payment_method"],
        },
    )
