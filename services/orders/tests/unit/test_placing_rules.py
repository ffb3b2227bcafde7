"""The rules of placing an order, on plain data: lines, discount caps, customer and products, credit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from orders.domain.errors import CreditLimitExceeded
from orders.domain.placing import DEFAULT_DISCOUNT_CAPS, Customer, LineRequest, Product, price_order
from salessync.errors import InvalidInput

CUSTOMER = Customer("c1", "Shop", "active", D("100.00"), None)
PRODUCTS = {
    "p1": Product("p1", "P1", "One", "pcs", D("10.00"), D("0"), "active"),
    "p2": Product("p2", "P2", "Two", "pcs", D("5.00"), D("0"), "active"),
    "old": Product("old", "OLD", "Old", "pcs", D("5.00"), D("0"), "inactive"),
}


def place(items: list[LineRequest], role: str = "salesman", **over):  # type: ignore[no-untyped-def]
    args = {
        "items": items, "customer": CUSTOMER, "products": PRODUCTS, "price_list": None, "today": date(2026, 1, 1),
        "role": role, "caps": DEFAULT_DISCOUNT_CAPS, "open_balance": D("0"), "credit_override": False,
    }  # fmt: skip
    args.update(over)
    return price_order(**args)


def field_of(exc: pytest.ExceptionInfo[InvalidInput]) -> str:
    return exc.value.errors[0]["field"]


@pytest.mark.parametrize(
    ("role", "rate", "ok"),
    [
        ("salesman", "0.10", True), ("salesman", "0.11", False), ("manager", "0.30", True),
        ("manager", "0.31", False), ("admin", "1", True),
    ],
)  # fmt: skip
def test_a_discount_above_the_roles_cap_is_refused_naming_the_line(role: str, rate: str, ok: bool) -> None:
    items = [LineRequest("p2", 1), LineRequest("p1", 1, D(rate))]
    if ok:
        assert place(items, role).lines[1].discount_rate == D(rate)
    else:
        with pytest.raises(InvalidInput) as exc:
            place(items, role)
        assert field_of(exc) == "items[1].discount_rate"


@pytest.mark.parametrize(
    ("items", "field"),
    [
        ([], "items"),
        ([LineRequest("p1", 0)], "items[0].quantity"),
        ([LineRequest("p1", -3)], "items[0].quantity"),
        ([LineRequest("p1", 100_001)], "items[0].quantity"),
        ([LineRequest("p1", 1), LineRequest("p1", 2)], "items[1].product_id"),
        ([LineRequest("p1", 1), LineRequest("nope", 1)], "items[1].product_id"),
        ([LineRequest("p1", 1), LineRequest("old", 1), LineRequest("p2", 1)], "items[1].product_id"),
    ],
    ids=["no lines", "zero", "negative", "too many", "duplicate product", "unknown product", "inactive product"],
)
def test_bad_lines_are_refused_naming_the_field(items: list[LineRequest], field: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        place(items)
    assert field_of(exc) == field


@pytest.mark.parametrize("customer", [None, Customer("c1", "Shop", "inactive", None, None)])
def test_an_unknown_or_inactive_customer_is_refused_naming_customer_id(customer: Customer | None) -> None:
    with pytest.raises(InvalidInput) as exc:
        place([LineRequest("p1", 1)], customer=customer)
    assert field_of(exc) == "customer_id"


def test_an_order_within_the_credit_limit_passes_and_one_above_it_is_refused() -> None:
    assert place([LineRequest("p1", 5)], open_balance=D("50.00")).totals.total == D("50.00")
    with pytest.raises(CreditLimitExceeded) as exc:
        place([LineRequest("p1", 5)], open_balance=D("50.01"))
    assert exc.value.code == "credit_limit_exceeded"
    assert exc.value.extra["open_balance"] == "50.01"


@pytest.mark.parametrize(("role", "ok"), [("manager", True), ("admin", True), ("salesman", False)])
def test_only_a_manager_or_admin_can_override_the_credit_limit(role: str, ok: bool) -> None:
    items = [LineRequest("p1", 20)]
    if ok:
        assert place(items, role, credit_override=True).credit_override_used
    else:
        with pytest.raises(CreditLimitExceeded):
            place(items, role, credit_override=True)


def test_no_credit_limit_means_no_credit_check() -> None:
    unlimited = Customer("c1", "Shop", "active", None, None)
    assert not place([LineRequest("p1", 1000)], customer=unlimited, open_balance=D("1e9")).credit_override_used
