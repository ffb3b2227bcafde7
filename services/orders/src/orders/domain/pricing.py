"""Catalog's price rule applied locally, and the line and order totals of API.md.

Price rule: the customer's price list, if it is active, valid today (`valid_from <= today <= valid_to`, either
bound open when null) and holds the product; otherwise the product's own price.
Totals per line: gross = qty × price; discount = gross × rate; tax = (gross − discount) × tax_rate;
line total = gross − discount + tax; each amount rounded half-up to cents (tax on the rounded amounts).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from salessync.types import to_cents

ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class PriceList:
    id: str
    status: str
    valid_from: date | None
    valid_to: date | None
    prices: dict[str, Decimal]

    def applies_on(self, day: date) -> bool:
        if self.status != "active":
            return False
        if self.valid_from is not None and day < self.valid_from:
            return False
        return self.valid_to is None or day <= self.valid_to


def unit_price(product_id: str, product_price: Decimal, price_list: PriceList | None, today: date) -> Decimal:
    if price_list is not None and price_list.applies_on(today):
        listed = price_list.prices.get(product_id)
        if listed is not None:
            return listed
    return product_price


@dataclass(frozen=True, slots=True)
class LineAmounts:
    gross: Decimal
    discount_amount: Decimal
    tax_amount: Decimal
    line_total: Decimal


def line_amounts(quantity: int, price: Decimal, discount_rate: Decimal, tax_rate: Decimal) -> LineAmounts:
    gross = to_cents(price * quantity)
    discount = to_cents(gross * discount_rate)
    tax = to_cents((gross - discount) * tax_rate)
    return LineAmounts(gross, discount, tax, gross - discount + tax)


@dataclass(frozen=True, slots=True)
class Totals:
    gross_total: Decimal
    discount_total: Decimal
    tax_total: Decimal
    total: Decimal


def order_totals(lines: list[LineAmounts]) -> Totals:
    return Totals(
        gross_total=sum((x.gross for x in lines), ZERO),
        discount_total=sum((x.discount_amount for x in lines), ZERO),
        tax_total=sum((x.tax_amount for x in lines), ZERO),
        total=sum((x.line_total for x in lines), ZERO),
    )
