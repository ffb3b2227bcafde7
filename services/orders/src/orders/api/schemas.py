"""Request bodies of the orders API. Clients send quantities and discounts only: prices, taxes and totals come
from orders's copies of the catalog, so a client-sent price is rejected (unknown fields are 422)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from orders.domain.placing import MAX_LINES, MAX_QUANTITY


class OrderItemCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product_id: UUID
    quantity: int = Field(gt=0, le=MAX_QUANTITY, strict=True)
    discount_rate: Decimal = Field(default=Decimal("0"), ge=0, le=1, max_digits=7, decimal_places=4)


class OrderCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: UUID
    items: list[OrderItemCreate] = Field(min_length=1, max_length=MAX_LINES)
    van_load_id: UUID | None = None
    payment_method: Literal["cash", "credit"] | None = None
    credit_override: bool = False
    notes: str | None = Field(default=None, max_length=2000)
    delivery_date: date | None = None


OrderStatus = Literal["pending", "confirmed", "rejected", "cancelled", "dispatched", "delivered", "returned"]
PaymentStatus = Literal["unpaid", "partially_paid", "paid"]


class StatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: OrderStatus
    reason: str | None = Field(default=None, max_length=1000)


class CancelRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(default=None, max_length=1000)


class PaymentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    reason: str | None = Field(default=None, max_length=1000)
