"""The status machine from its transition table: every legal move passes, every other is 409 naming the allowed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from orders.domain.errors import IllegalTransition
from orders.domain.status import (
    BY_STOCK_ONLY,
    STATUSES,
    TRANSITIONS,
    allowed_manual,
    balance_delta,
    check_payment,
    check_transition,
    payment_status_for,
)

LEGAL = [(a, b) for a, targets in TRANSITIONS.items() for b in sorted(targets)]
ILLEGAL = [(a, b) for a in STATUSES for b in STATUSES if b not in TRANSITIONS[a]]


@pytest.mark.parametrize(("current", "target"), LEGAL)
def test_every_legal_transition_is_accepted_for_its_actor(current: str, target: str) -> None:
    check_transition(current, target, by_stock=(current, target) in BY_STOCK_ONLY)


@pytest.mark.parametrize(("current", "target"), ILLEGAL)
def test_every_illegal_transition_is_refused_naming_the_allowed_ones(current: str, target: str) -> None:
    with pytest.raises(IllegalTransition) as exc:
        check_transition(current, target)
    assert exc.value.extra["allowed"] == allowed_manual(current)
    assert exc.value.extra["current"] == current


@pytest.mark.parametrize(("current", "target"), sorted(BY_STOCK_ONLY))
def test_confirming_and_rejecting_are_left_to_the_stock_answer(current: str, target: str) -> None:
    with pytest.raises(IllegalTransition) as exc:
        check_transition(current, target)
    assert exc.value.extra["allowed"] == ["cancelled"]


def test_the_machine_is_the_one_of_the_api() -> None:
    assert TRANSITIONS["pending"] == {"confirmed", "rejected", "cancelled"}
    assert TRANSITIONS["confirmed"] == {"dispatched", "cancelled"}
    assert TRANSITIONS["dispatched"] == {"delivered"}
    assert TRANSITIONS["delivered"] == {"returned"}
    assert not TRANSITIONS["cancelled"] and not TRANSITIONS["rejected"] and not TRANSITIONS["returned"]


@pytest.mark.parametrize(
    ("paid", "total", "expected"), [("0", "10", "unpaid"), ("4", "10", "partially_paid"), ("10", "10", "paid")]
)
def test_payment_status_follows_the_amount_paid(paid: str, total: str, expected: str) -> None:
    from decimal import Decimal

    assert payment_status_for(Decimal(paid), Decimal(total)) == expected


def test_a_paid_order_takes_no_further_payment_and_unpaid_is_never_returned_to() -> None:
    check_payment("unpaid", "partially_paid")
    check_payment("partially_paid", "paid")
    with pytest.raises(IllegalTransition):
        check_payment("paid", "paid")
    with pytest.raises(IllegalTransition):
        check_payment("partially_paid", "unpaid")


@pytest.mark.parametrize(
    ("before", "after", "delta"),
    [
        (("pending", "unpaid"), ("confirmed", "unpaid"), "0"),
        (("pending", "unpaid"), ("cancelled", "unpaid"), "-12.50"),
        (("pending", "unpaid"), ("rejected", "unpaid"), "-12.50"),
        (("confirmed", "partially_paid"), ("cancelled", "partially_paid"), "-12.50"),
        (("delivered", "unpaid"), ("delivered", "partially_paid"), "0"),
        (("delivered", "partially_paid"), ("delivered", "paid"), "-12.50"),
        (("delivered", "paid"), ("returned", "paid"), "0"),
        (("delivered", "unpaid"), ("returned", "unpaid"), "0"),
    ],
)
def test_only_leaving_for_cancelled_rejected_or_paid_moves_the_open_balance(before, after, delta) -> None:  # type: ignore[no-untyped-def]
    assert balance_delta(before, after, Decimal("12.50")) == Decimal(delta)
