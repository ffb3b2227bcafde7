"""The product: its snapshot for other services and which events a change publishes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from catalog.domain.records import ACTIVE, INACTIVE
from catalog.domain.values import money, optional_str, rate


@dataclass(frozen=True, slots=True)
class Product:
    id: uuid.UUID
    tenant_id: uuid.UUID
    code: str
    name: str
    price: Decimal
    description: str | None = None
    barcode: str | None = None
    category_id: uuid.UUID | None = None
    brand_id: uuid.UUID | None = None
    unit: str = "pcs"
    cost: Decimal = Decimal("0")
    tax_rate: Decimal = Decimal("0")
    reorder_level: int = 0
    status: str = ACTIVE
    version: int = 1

    def snapshot(self) -> dict[str, Any]:
        """The payload of product.* events (docs/events.md), exactly these fields."""
        return {
            "id": str(self.id),
            "code": self.code,
            "name": self.name,
            "unit": self.unit,
            "barcode": self.barcode,
            "category_id": optional_str(self.category_id),
            "brand_id": optional_str(self.brand_id),
            "price": money(self.price),
            "tax_rate": rate(self.tax_rate),
            "reorder_level": self.reorder_level,
            "status": self.status,
            "version": self.version,
        }


def events_for_change(before: Product, after: Product, changed: frozenset[str]) -> list[tuple[str, dict[str, Any]]]:
    """The events one change publishes: `product.deactivated` when it went inactive, else `product.updated`
    (a reactivation included); plus `product.price_changed` (snapshot + `old_price`) when the price moved."""
    if not changed:
        return []
    snapshot = after.snapshot()
    went_inactive = "status" in changed and after.status == INACTIVE
    events = [("product.deactivated" if went_inactive else "product.updated", snapshot)]
    if "price" in changed:
        events.append(("product.price_changed", {**snapshot, "old_price": money(before.price)}))
    return events
