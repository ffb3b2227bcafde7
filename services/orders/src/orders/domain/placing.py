"""Placing an order: every rule that decides whether an order may be placed and what it costs.

Pure: it is given the copies orders holds (customer, products, price list), the caller's role and the
customer's open balance, and answers the priced order or raises the error naming the offending field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from orders.domain.errors import CreditLimitExceeded
from orders.domain.pricing import LineAmounts, PriceList, Totals, line_amounts, order_totals, unit_price
from salessync.errors import InvalidInput

MAX_QUANTITY = 100_000
MAX_LINES = 200
DEFAULT_DISCOUNT_CAPS: dict[str, Decimal] = {
    "salesman": Decimal("0.10"),
    "manager": Decimal("0.30"),
    "admin": Decimal("1.00"),
}
OVERRIDE_ROLES = frozenset({"admin", "manager"})


@dataclass(frozen=True, slots=True)
class Customer:
    id: str
    name: str
    status: str
    credit_limit: Decimal | None
    price_list_id: str | None


@dataclass(frozen=True, slots=True)
class Product:
    id: str
    code: str
    name: str
    unit: str
    price: Decimal
    tax_rate: Decimal
    status: str


@dataclass(frozen=True, slots=True)
class LineRequest:
    product_id: str
    quantity: int
    discount_rate: Decimal = Decimal("0")


@dataclass(frozen=True, slots=True)
class PricedLine:
    line_no: int
    product: Product
    quantity: int
    unit_price: Decimal
    discount_rate: Decimal
    amounts: LineAmounts


@dataclass(frozen=True, slots=True)
class PricedOrder:
    customer: Customer
    lines: list[PricedLine]
    totals: Totals
    credit_override_used: bool = False


def check_lines(items: list[LineRequest], role: str, caps: dict[str, Decimal]) -> None:
    """Rules that need no copy: at least one line, sane quantities, no product twice, discount within the cap."""
    if not items:
        raise InvalidInput("items", "an order needs at least one line")
    if len(items) > MAX_LINES:
        raise InvalidInput("items", f"at most {MAX_LINES} lines")
    cap = caps.get(role, Decimal("0"))
    seen: set[str] = set()
    for i, item in enumerate(items):
        if not 0 < item.quantity <= MAX_QUANTITY:
            raise InvalidInput(f"items[{i}].quantity", f"must be an integer from 1 to {MAX_QUANTITY}")
        if not Decimal("0") <= item.discount_rate <= Decimal("1"):
            raise InvalidInput(f"items[{i}].discount_rate", "must be between 0 and 1")
        if item.discount_rate > cap:
            raise InvalidInput(f"items[{i}].discount_rate", f"above the {role}'s discount cap of {cap}", cap=str(cap))
        if item.product_id in seen:
            raise InvalidInput(f"items[{i}].product_id", "this product is already on another line; merge them")
        seen.add(item.product_id)


def price_order(
    *,
    items: list[LineRequest],
    customer: Customer | None,
    products: dict[str, Product],
    price_list: PriceList | None,
    today: date,
    role: str,
    caps: dict[str, Decimal],
    open_balance: Decimal,
    credit_override: bool,
) -> PricedOrder:
    check_lines(items, role, caps)
    if customer is None or customer.status != "active":
        raise InvalidInput("customer_id", "no active customer with this id")
    lines: list[PricedLine] = []
    for i, item in enumerate(items):
        product = products.get(item.product_id)
        if product is None or product.status != "active":
            raise InvalidInput(f"items[{i}].product_id", "no active product with this id")
        price = unit_price(product.id, product.price, price_list, today)
        amounts = line_amounts(item.quantity, price, item.discount_rate, product.tax_rate)
        lines.append(PricedLine(i + 1, product, item.quantity, price, item.discount_rate, amounts))
    totals = order_totals([x.amounts for x in lines])
    override_used = _check_credit(customer, open_balance, totals.total, role, credit_override)
    return PricedOrder(customer=customer, lines=lines, totals=totals, credit_override_used=override_used)


def _check_credit(customer: Customer, open_balance: Decimal, total: Decimal, role: str, override: bool) -> bool:
    """True when the order goes over the limit on a manager's or admin's override."""
    if customer.credit_limit is None or open_balance + total <= customer.credit_limit:
        return False
    if override and role in OVERRIDE_ROLES:
        return True
    raise CreditLimitExceeded(
        f"the order would take the customer's open balance to {open_balance + total} over the limit "
        f"{customer.credit_limit}",
        credit_limit=str(customer.credit_limit),
        open_balance=str(open_balance),
        order_total=str(total),
    )
