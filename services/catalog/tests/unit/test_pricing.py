"""The applicable-price rule, without any I/O."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest

from catalog.domain.price_lists import PriceList, applicable_price, check_unique_products
from salessync.errors import InvalidInput

TODAY = date(2026, 6, 15)


def a_list(**kw) -> PriceList:  # type: ignore[no-untyped-def]
    return PriceList(id=uuid.uuid4(), tenant_id=uuid.uuid4(), name="L", currency="KES", **kw)


def price(price_list: PriceList | None, list_price: str | None):  # type: ignore[no-untyped-def]
    return applicable_price(
        product_price=Decimal("10.00"),
        tax_rate=Decimal("0.16"),
        price_list=price_list,
        list_price=None if list_price is None else Decimal(list_price),
        today=TODAY,
    )


def test_a_valid_list_holding_the_product_sets_the_price_and_keeps_the_products_tax_rate() -> None:
    price_list = a_list(valid_from=date(2026, 6, 1), valid_to=date(2026, 6, 30))
    applied = price(price_list, "8.00")
    assert (applied.price, applied.tax_rate, applied.source) == (Decimal("8.00"), Decimal("0.16"), "price_list")
    assert applied.price_list_id == price_list.id and applied.currency == "KES"


@pytest.mark.parametrize(
    ("valid_from", "valid_to", "valid"),
    [
        (None, None, True),
        (TODAY, TODAY, True),
        (date(2026, 6, 16), None, False),
        (None, date(2026, 6, 14), False),
    ],
)
def test_validity_dates_are_inclusive_and_open_ended(valid_from, valid_to, valid) -> None:  # type: ignore[no-untyped-def]
    applied = price(a_list(valid_from=valid_from, valid_to=valid_to), "8.00")
    assert applied.source == ("price_list" if valid else "product")


def test_an_expired_or_inactive_list_falls_back_to_the_product_price() -> None:
    assert price(a_list(valid_to=date(2026, 1, 1)), "8.00").price == Decimal("10.00")
    assert price(a_list(status="inactive"), "8.00").source == "product"


def test_a_list_without_the_product_or_no_list_gives_the_product_price() -> None:
    assert price(a_list(), None).source == "product"
    assert price(None, None).price == Decimal("10.00")


def test_an_inverted_validity_range_names_valid_to() -> None:
    with pytest.raises(InvalidInput) as err:
        a_list(valid_from=date(2026, 2, 1), valid_to=date(2026, 1, 1)).check_validity_range()
    assert err.value.errors[0]["field"] == "valid_to"


def test_a_product_twice_in_a_list_names_the_second_occurrence() -> None:
    pid = uuid.uuid4()
    with pytest.raises(InvalidInput) as err:
        check_unique_products([uuid.uuid4(), pid, pid])
    assert err.value.errors[0]["field"] == "prices[2].product_id"
