"""Price lists and the rule that decides which price applies to a customer (orders uses the same rule)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from catalog.domain.records import ACTIVE
from catalog.domain.values import money
from salessync.errors import InvalidInput

MAX_PRICES = 5000  # a whole list travels in one event (NATS max payload 1 MB)


@dataclass(frozen=True, slots=True)
class PriceList:
    id: uuid.UUID
    tenant_id: uuid.UUID
    name: str
    currency: str
    valid_from: date | None = None
    valid_to: date | None = None
    status: str = ACTIVE
    version: int = 1

    def check_validity_range(self) -> None:
        if self.valid_from is not None and self.valid_to is not None and self.valid_to < self.valid_from:
            raise InvalidInput("valid_to", "must not be before valid_from")

    def is_valid_on(self, day: date) -> bool:
        """Active, and `day` inside [valid_from, valid_to] (both inclusive, either open)."""
        return (
            self.status == ACTIVE
            and (self.valid_from is None or self.valid_from <= day)
            and (self.valid_to is None or day <= self.valid_to)
        )

    def snapshot(self, prices: Sequence[tuple[uuid.UUID, Decimal]]) -> dict[str, Any]:
        """The payload of price_list.created / price_list.updated: the whole list (docs/events.md)."""
        return {
            "id": str(self.id),
            "name": self.name,
            "currency": self.currency,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "status": self.status,
            "version": self.version,
            "prices": [{"product_id": str(pid), "price": money(price)} for pid, price in prices],
        }


def check_unique_products(product_ids: Sequence[uuid.UUID]) -> None:
    seen: set[uuid.UUID] = set()
    for i, pid in enumerate(product_ids):
        if pid in seen:
            raise InvalidInput(f"prices[{i}].product_id", "appears twice in the list")
        seen.add(pid)


PRODUCT_PRICE = "product"
PRICE_LIST_PRICE = "price_list"


@dataclass(frozen=True, slots=True)
class AppliedPrice:
    price: Decimal
    tax_rate: Decimal
    source: str  # "price_list" or "product"
    price_list_id: uuid.UUID | None = None
    currency: str | None = None


def applicable_price(
    *,
    product_price: Decimal,
    tax_rate: Decimal,
    price_list: PriceList | None,
    list_price: Decimal | None,
    today: date,
) -> AppliedPrice:
    """The price that applies to a sale today: the customer's price list when it is valid today and holds the
    product, else the product's own price. The tax rate is always the product's."""
    if price_list is not None and list_price is not None and price_list.is_valid_on(today):
        return AppliedPrice(list_price, tax_rate, PRICE_LIST_PRICE, price_list.id, price_list.currency)
    return AppliedPrice(product_price, tax_rate, PRODUCT_PRICE)
