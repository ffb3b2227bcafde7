"""The price rule and the totals of API.md, against hand-computed cases."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from orders.domain.pricing import PriceList, line_amounts, order_totals, unit_price

TODAY = date(2026, 11, 25)
P = "p1"


def a_list(**over) -> PriceList:  # type: ignore[no-untyped-def]
    fields = {"id": "l1", "status": "active", "valid_from": None, "valid_to": None, "prices": {P: D("8.00")}}
    fields.update(over)
    return PriceList(**fields)


@pytest.mark.parametrize(
    ("price_list", "expected"),
    [
        (None, D("10.00")),
        (a_list(), D("8.00")),
        (a_list(valid_from=TODAY, valid_to=TODAY), D("8.00")),
        (a_list(valid_from=date(2026, 11, 26)), D("10.00")),
        (a_list(valid_to=date(2026, 11, 24)), D("10.00")),
        (a_list(status="inactive"), D("10.00")),
        (a_list(prices={"other": D("1.00")}), D("10.00")),
    ],
    ids=["no list", "open list", "valid today only", "not yet valid", "expired", "inactive", "product not listed"],
)
def test_the_price_list_wins_only_when_active_valid_today_and_holding_the_product(price_list, expected) -> None:  # type: ignore[no-untyped-def]
    assert unit_price(P, D("10.00"), price_list, TODAY) == expected


@pytest.mark.parametrize(
    ("qty", "price", "rate", "tax", "expected"),
    [
        (3, "12.50", "0", "0.16", ("37.50", "0.00", "6.00", "43.50")),
        (7, "3.99", "0.05", "0", ("27.93", "1.40", "0.00", "26.53")),  # discount 1.3965 -> 1.40
        (1, "0.10", "0.25", "0", ("0.10", "0.03", "0.00", "0.07")),  # 0.025 -> 0.03, half-up not banker's
        (1, "0.50", "0", "0.05", ("0.50", "0.00", "0.03", "0.53")),  # tax 0.025 -> 0.03
        (1, "0.30", "0", "0.15", ("0.30", "0.00", "0.05", "0.35")),  # tax 0.045 -> 0.05
        (2, "9.99", "0.10", "0.16", ("19.98", "2.00", "2.88", "20.86")),  # 1.998 -> 2.00; 17.98 x .16 = 2.8768
        (100000, "999.99", "1", "0.16", ("99999000.00", "99999000.00", "0.00", "0.00")),
    ],
)
def test_line_amounts_round_half_up_to_cents(qty, price, rate, tax, expected) -> None:  # type: ignore[no-untyped-def]
    amounts = line_amounts(qty, D(price), D(rate), D(tax))
    got = (amounts.gross, amounts.discount_amount, amounts.tax_amount, amounts.line_total)
    assert tuple(f"{x:.2f}" for x in got) == expected


def test_order_totals_are_sums_of_the_rounded_line_amounts() -> None:
    lines = [line_amounts(1, D("0.10"), D("0.25"), D("0.05")), line_amounts(3, D("1.115"), D("0"), D("0.16"))]
    totals = order_totals(lines)
    # line 1: 0.10 - 0.03 = 0.07, tax 0.0035 -> 0.00; line 2: 3.345 -> 3.35, tax 0.536 -> 0.54, total 3.89
    assert (totals.gross_total, totals.discount_total, totals.tax_total, totals.total) == (
        D("3.45"), D("0.03"), D("0.54"), D("3.96"),
    )  # fmt: skip
