"""Request bodies of field's inventory routes (validation names the field in 422 answers)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

Status = Literal["active", "inactive"]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class WarehouseCreate(_Body):
    name: str = Field(min_length=1, max_length=200)
    code: str | None = Field(default=None, min_length=1, max_length=64)
    address: str | None = Field(default=None, max_length=1000)
    is_default: bool = False


class WarehouseUpdate(_Body):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    code: str | None = Field(default=None, min_length=1, max_length=64)
    address: str | None = Field(default=None, max_length=1000)
    is_default: bool | None = None
    status: Status | None = None


class VanCreate(_Body):
    registration: str = Field(min_length=1, max_length=32)
    name: str | None = Field(default=None, min_length=1, max_length=200)
    assigned_salesman_id: uuid.UUID | None = None


class VanUpdate(_Body):
    registration: str | None = Field(default=None, min_length=1, max_length=32)
    name: str | None = Field(default=None, min_length=1, max_length=200)
    assigned_salesman_id: uuid.UUID | None = None
    status: Status | None = None


class AdjustmentCreate(_Body):
    location_id: uuid.UUID
    product_id: uuid.UUID
    quantity: int = Field(ge=-1_000_000, le=1_000_000)
    reason: Literal["count", "damage", "expiry", "receipt", "correction"]

    @field_validator("quantity")
    @classmethod
    def _not_zero(cls, value: int) -> int:
        if value == 0:
            raise ValueError("must not be 0")
        return value


class TransferLine(_Body):
    product_id: uuid.UUID
    quantity: int = Field(gt=0, le=1_000_000)


class TransferCreate(_Body):
    from_location_id: uuid.UUID
    to_location_id: uuid.UUID
    lines: list[TransferLine] | None = Field(default=None, min_length=1, max_length=200)
    product_id: uuid.UUID | None = None
    quantity: int | None = Field(default=None, gt=0, le=1_000_000)
    reason: str = Field(default="transfer", min_length=1, max_length=32)


class ReorderLevelUpdate(_Body):
    reorder_level: int | None = Field(ge=0, le=10_000_000)


class VanLoadLineIn(_Body):
    product_id: uuid.UUID
    quantity: int = Field(gt=0, le=1_000_000)


class VanLoadCreate(_Body):
    van_id: uuid.UUID
    salesman_id: uuid.UUID
    warehouse_id: uuid.UUID
    lines: list[VanLoadLineIn] = Field(min_length=1, max_length=500)
    cash_float: Decimal = Field(default=Decimal("0"), ge=0, le=Decimal("100000000"), decimal_places=2)


class VanReturnLine(_Body):
    product_id: uuid.UUID
    returned: int = Field(ge=0, le=1_000_000)
    damaged: int = Field(default=0, ge=0, le=1_000_000)


class VanReturn(_Body):
    lines: list[VanReturnLine] = Field(default_factory=list, max_length=500)
    cash_counted: Decimal = Field(ge=0, le=Decimal("100000000"), decimal_places=2)


class ApprovalIn(_Body):
    note: str = Field(min_length=1, max_length=2000)


Latitude = Field(ge=-90, le=90, allow_inf_nan=False)
Longitude = Field(ge=-180, le=180, allow_inf_nan=False)
Accuracy = Field(ge=0, le=100_000, allow_inf_nan=False)


class VisitCreate(_Body):
    customer_id: uuid.UUID
    agent_id: uuid.UUID | None = None
    planned_at: AwareDatetime
    purpose: str | None = Field(default=None, max_length=500)


class VisitUpdate(_Body):
    """Only the plan changes by PATCH; status and check times have their own steps."""

    planned_at: AwareDatetime | None = None
    purpose: str | None = Field(default=None, max_length=500)


class CheckInIn(_Body):
    latitude: float = Latitude
    longitude: float = Longitude
    accuracy_m: float = Accuracy
    device_time: AwareDatetime | None = None


class CheckOutIn(_Body):
    outcome: Literal["order_taken", "no_order", "closed", "owner_absent", "rescheduled", "other"]
    notes: str | None = Field(default=None, max_length=2000)
    photos: list[Annotated[str, Field(min_length=1, max_length=500)]] = Field(default_factory=list, max_length=20)


class CancelIn(_Body):
    reason: str | None = Field(default=None, max_length=500)


class PolicyIn(_Body):
    geofence_policy: Literal["flag", "refuse"]


class LocationIn(_Body):
    latitude: float = Latitude
    longitude: float = Longitude
    accuracy_m: float = Accuracy
    recorded_at: AwareDatetime | None = None
