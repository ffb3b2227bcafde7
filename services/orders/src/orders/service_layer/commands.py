"""Commands orders handles: imperative, plain data, built by the routes or the consumers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from orders.domain.placing import LineRequest


@dataclass(frozen=True, slots=True)
class PlaceOrder:
    tenant_id: str
    actor_id: str
    role: str
    customer_id: str
    items: list[LineRequest]
    van_load_id: str | None
    payment_method: str | None
    credit_override: bool
    notes: str | None
    delivery_date: date | None


@dataclass(frozen=True, slots=True)
class ChangeStatus:
    tenant_id: str
    order_id: str
    actor_id: str
    role: str
    status: str
    reason: str | None


@dataclass(frozen=True, slots=True)
class RecordPayment:
    tenant_id: str
    order_id: str
    actor_id: str
    role: str
    amount: Decimal
    reason: str | None
