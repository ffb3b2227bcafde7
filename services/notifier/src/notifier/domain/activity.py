"""An activity: one line of the timeline, described from one business event. Pure, no I/O."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from notifier.domain.routing import owner_of

# aggregate -> (payload key of the reference, payload key of a human label)
_REFERENCES: dict[str, tuple[str, str]] = {
    "order": ("number", "number"),
    "stock": ("order_id", "product_name"),
    "van_load": ("van_load_id", "van_id"),
    "visit": ("visit_id", "customer_name"),
    "user": ("email", "name"),
    "product": ("code", "name"),
    "customer": ("code", "name"),
    "price_list": ("id", "name"),
    "inventory": ("alert_id", "message"),
}
_AMOUNT_KEYS = ("total", "cash_variance", "counted_cash", "expected_cash", "price", "amount")


@dataclass(frozen=True, slots=True)
class Activity:
    id: str
    type: str
    reference: str | None
    description: str
    actor: str | None
    customer: str | None
    amount: str | None
    status: str | None
    occurred_at: str
    owner_id: str | None

    def public(self) -> dict[str, Any]:
        """The shape of API.md: `{type, id, reference, description, actor, customer, amount, status, occurred_at}`."""
        out = asdict(self)
        out.pop("owner_id")
        return out


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def describe(event_type: str, payload: dict[str, Any]) -> str:
    aggregate, _, verb = event_type.partition(".")
    noun = aggregate.replace("_", " ").capitalize()
    ref_key, label_key = _REFERENCES.get(aggregate, ("id", "name"))
    label = _text(payload.get(label_key)) or _text(payload.get(ref_key)) or ""
    if event_type == "order.status_changed":
        return f"Order {label}: {payload.get('from_status')} → {payload.get('to_status')}".strip()
    if event_type == "stock.low":
        return f"Low stock: {label} at {payload.get('location_name')} ({payload.get('available')} available)"
    if event_type == "inventory.alert_raised":
        return f"Inventory alert: {label}"
    if event_type == "stock.rejected":
        return f"Stock refused for order {payload.get('order_id')}: {payload.get('reason')}"
    return f"{noun} {label} {verb.replace('_', ' ')}".replace("  ", " ")


def activity_for(event_id: str, event_type: str, payload: dict[str, Any], occurred_at: str) -> Activity:
    aggregate = event_type.partition(".")[0]
    ref_key, _ = _REFERENCES.get(aggregate, ("id", "name"))
    amount = next((payload[k] for k in _AMOUNT_KEYS if payload.get(k) is not None), None)
    status = payload.get("to_status") or payload.get("status") or payload.get("result")
    return Activity(
        id=event_id,
        type=event_type,
        reference=_text(payload.get(ref_key)) or _text(payload.get("id")),
        description=describe(event_type, payload),
        actor=_text(payload.get("actor_id") or payload.get("raised_by") or owner_of(payload)),
        customer=_text(payload.get("customer_name") or payload.get("customer_id")),
        amount=_text(amount),
        status=_text(status),
        occurred_at=occurred_at,
        owner_id=owner_of(payload),
    )
