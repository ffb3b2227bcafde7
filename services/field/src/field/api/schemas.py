"""Request bodies of field's inventory routes (validation names the field in 422 answers)."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

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
