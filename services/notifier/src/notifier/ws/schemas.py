"""What a client may send over the socket, validated before anything runs."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field, model_validator

ORDER_STATUSES = Literal["confirmed", "dispatched", "delivered", "cancelled", "returned", "rejected"]


class AuthIn(BaseModel):
    token: str = Field(min_length=1, max_length=8192)
    last_id: str | int | None = None


class LocationUpdateIn(BaseModel):
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    accuracy_m: float = Field(ge=0, le=100_000)
    recorded_at: datetime | None = None


class OrderStatusIn(BaseModel):
    order_id: uuid.UUID
    status: ORDER_STATUSES
    reason: str | None = Field(default=None, max_length=500)


class InventoryAlertIn(BaseModel):
    message: str = Field(min_length=1, max_length=500)
    product_id: uuid.UUID | None = None
    location_id: uuid.UUID | None = None


class SalesUpdateIn(BaseModel):
    amount: Decimal = Field(ge=0, max_digits=14, decimal_places=2)
    orders_count: int = Field(default=0, ge=0, le=1_000_000)
    period: Literal["today", "week", "month", "quarter", "year"] = "today"
    salesman_id: uuid.UUID | None = None


class ChatMessageIn(BaseModel):
    channel: Literal["tenant", "user"] = "tenant"
    recipient_id: uuid.UUID | None = None
    text: str = Field(min_length=1, max_length=2000)

    @model_validator(mode="after")
    def _recipient_for_user_channel(self) -> ChatMessageIn:
        if self.channel == "user" and self.recipient_id is None:
            raise ValueError("recipient_id is required on the user channel")
        return self
