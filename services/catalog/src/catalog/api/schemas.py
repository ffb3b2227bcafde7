"""Request and answer bodies (`XCreate / XUpdate / XOut`). Answers are rendered by PostgreSQL; the `Out` models
document them in OpenAPI.

In `XUpdate`, a field left out is unchanged. Fields that cannot be empty are typed without `None`, so an
explicit `null` is a 422 naming the field; nullable ones (`barcode`, `category_id`, ...) accept `null` to clear.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from catalog.api.fields import (
    Address,
    Barcode,
    Code,
    Count,
    Currency,
    CustomerType,
    Days,
    Description,
    Email,
    Latitude,
    Longitude,
    Money,
    Name,
    Note,
    Phone,
    Radius,
    Route,
    ShortName,
    Status,
    TaxRate,
    Unit,
)
from catalog.domain.price_lists import MAX_PRICES


class Body(BaseModel):
    model_config = ConfigDict(extra="ignore")

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class ProductCreate(Body):
    code: Code
    name: Name
    price: Money
    description: Description | None = None
    barcode: Barcode | None = None
    category_id: uuid.UUID | None = None
    brand_id: uuid.UUID | None = None
    unit: Unit = "pcs"
    cost: Money = Decimal("0")
    tax_rate: TaxRate = Decimal("0")
    reorder_level: Count = 0
    status: Status = "active"


class ProductUpdate(Body):
    code: Code = None  # type: ignore[assignment]
    name: Name = None  # type: ignore[assignment]
    price: Money = None  # type: ignore[assignment]
    description: Description | None = None
    barcode: Barcode | None = None
    category_id: uuid.UUID | None = None
    brand_id: uuid.UUID | None = None
    unit: Unit = None  # type: ignore[assignment]
    cost: Money = None  # type: ignore[assignment]
    tax_rate: TaxRate = None  # type: ignore[assignment]
    reorder_level: Count = None  # type: ignore[assignment]
    status: Status = None  # type: ignore[assignment]


class ProductOut(BaseModel):
    id: uuid.UUID
    code: str
    name: str
    description: str | None
    barcode: str | None
    category_id: uuid.UUID | None
    brand_id: uuid.UUID | None
    unit: str
    price: str = Field(examples=["25.80"])
    cost: str = Field(examples=["19.00"])
    tax_rate: str = Field(examples=["0.16"])
    reorder_level: int
    status: Status
    version: int
    created_at: str
    updated_at: str


class CustomerCreate(Body):
    code: Code
    name: Name
    type: CustomerType = "retail"
    contact_name: Name | None = None
    phone: Phone | None = None
    email: Email | None = None
    address: Address | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    geofence_radius_m: Radius = 100
    route: Route | None = None
    credit_limit: Money = Decimal("0")
    payment_terms_days: Days = 0
    price_list_id: uuid.UUID | None = None
    status: Status = "active"


class CustomerUpdate(Body):
    code: Code = None  # type: ignore[assignment]
    name: Name = None  # type: ignore[assignment]
    type: CustomerType = None  # type: ignore[assignment]
    contact_name: Name | None = None
    phone: Phone | None = None
    email: Email | None = None
    address: Address | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    geofence_radius_m: Radius = None  # type: ignore[assignment]
    route: Route | None = None
    credit_limit: Money = None  # type: ignore[assignment]
    payment_terms_days: Days = None  # type: ignore[assignment]
    price_list_id: uuid.UUID | None = None
    status: Status = None  # type: ignore[assignment]


class CustomerOut(BaseModel):
    id: uuid.UUID
    code: str
    name: str
    type: CustomerType
    contact_name: str | None
    phone: str | None
    email: str | None
    address: str | None
    latitude: float | None
    longitude: float | None
    geofence_radius_m: int
    route: str | None
    credit_limit: str = Field(examples=["5000.00"])
    payment_terms_days: int
    price_list_id: uuid.UUID | None
    status: Status
    version: int
    created_at: str
    updated_at: str


class CategoryCreate(Body):
    name: ShortName
    parent_id: uuid.UUID | None = None
    description: Note | None = None


class CategoryUpdate(Body):
    name: ShortName = None  # type: ignore[assignment]
    parent_id: uuid.UUID | None = None
    description: Note | None = None


class CategoryOut(BaseModel):
    id: uuid.UUID
    name: str
    parent_id: uuid.UUID | None
    description: str | None
    version: int
    created_at: str
    updated_at: str


class BrandCreate(Body):
    name: ShortName
    description: Note | None = None


class BrandUpdate(Body):
    name: ShortName = None  # type: ignore[assignment]
    description: Note | None = None


class BrandOut(BaseModel):
    id: uuid.UUID
    name: str
    description: str | None
    version: int
    created_at: str
    updated_at: str


class PriceIn(BaseModel):
    product_id: uuid.UUID
    price: Money


class PriceListCreate(Body):
    name: ShortName
    currency: Currency
    valid_from: date | None = None
    valid_to: date | None = None
    status: Status = "active"
    prices: list[PriceIn] = Field(default_factory=list, max_length=MAX_PRICES)


class PriceListUpdate(Body):
    name: ShortName = None  # type: ignore[assignment]
    currency: Currency = None  # type: ignore[assignment]
    valid_from: date | None = None
    valid_to: date | None = None
    status: Status = None  # type: ignore[assignment]


class PricesReplace(BaseModel):
    """The whole set of a list's prices; products left out lose their list price."""

    prices: list[PriceIn] = Field(max_length=MAX_PRICES)


class PriceListOut(BaseModel):
    id: uuid.UUID
    name: str
    currency: str
    valid_from: date | None
    valid_to: date | None
    status: Status
    version: int
    item_count: int
    created_at: str
    updated_at: str


class PriceItemOut(BaseModel):
    product_id: uuid.UUID
    code: str
    name: str
    price: str = Field(examples=["23.50"])
    product_price: str = Field(examples=["25.80"], description="the product's own price, for comparison")


class AppliedPriceOut(BaseModel):
    product_id: uuid.UUID
    customer_id: uuid.UUID | None
    price: str = Field(examples=["23.50"])
    tax_rate: str = Field(examples=["0.16"])
    source: str = Field(examples=["price_list", "product"])
    price_list_id: uuid.UUID | None
    currency: str | None


def price_pairs(prices: list[PriceIn]) -> list[tuple[uuid.UUID, Any]]:
    return [(p.product_id, p.price) for p in prices]
