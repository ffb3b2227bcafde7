"""Stock arithmetic without a database: shortages, all-or-none, low-stock crossings."""

from __future__ import annotations

import uuid

import pytest

from field.domain.orders import parse_placed_order
from field.domain.stock import Level, StockChange, plan_changes
from salessync.errors import InvalidInput

W, V, P, Q = (uuid.uuid4() for _ in range(4))


def test_a_reservation_lowers_available_but_not_on_hand() -> None:
    plan = plan_changes({(W, P): Level(W, P, on_hand=10)}, [StockChange(W, P, reserved=4)])
    assert plan.ok
    level = plan.levels[(W, P)]
    assert (level.on_hand, level.reserved, level.available) == (10, 4, 6)


def test_one_short_line_refuses_the_whole_plan_with_the_available_quantity() -> None:
    current = {(W, P): Level(W, P, on_hand=5), (W, Q): Level(W, Q, on_hand=1)}
    plan = plan_changes(current, [StockChange(W, P, reserved=5), StockChange(W, Q, reserved=2)])
    assert not plan.ok
    assert [(s.product_id, s.requested, s.available) for s in plan.shortages] == [(Q, 2, 1)]


def test_on_hand_cannot_drop_below_what_is_reserved() -> None:
    plan = plan_changes({(W, P): Level(W, P, on_hand=5, reserved=4)}, [StockChange(W, P, on_hand=-2)])
    assert plan.shortages[0].available == 1


def test_a_product_never_stocked_has_nothing_available() -> None:
    plan = plan_changes({}, [StockChange(V, P, on_hand=-1, kind="sale")])
    assert plan.shortages[0].available == 0


def test_going_to_the_reorder_level_alerts_once_and_rising_above_rearms() -> None:
    level = Level(W, P, on_hand=6, reorder_level=5)
    first = plan_changes({(W, P): level}, [StockChange(W, P, on_hand=-1)])
    assert first.went_low == [first.levels[(W, P)]]
    second = plan_changes(first.levels, [StockChange(W, P, on_hand=-1)])
    assert second.went_low == []
    risen = plan_changes(second.levels, [StockChange(W, P, on_hand=5)])
    assert risen.levels[(W, P)].is_low is False
    again = plan_changes(risen.levels, [StockChange(W, P, on_hand=-5)])
    assert len(again.went_low) == 1


def test_a_refused_plan_raises_no_alert() -> None:
    plan = plan_changes({(W, P): Level(W, P, on_hand=6, reorder_level=5)}, [StockChange(W, P, on_hand=-7)])
    assert plan.went_low == []


def test_levels_the_changes_do_not_touch_are_left_as_they_were() -> None:
    """A reservation batch plans each order against every level it locked: the others stay as read, even one
    that is already at its reorder level without the flag, and raise no alert."""
    low_unflagged = Level(W, Q, on_hand=3, reorder_level=5)
    current = {(W, P): Level(W, P, on_hand=10), (W, Q): low_unflagged}
    plan = plan_changes(current, [StockChange(W, P, reserved=2)])
    assert plan.ok and plan.went_low == []
    assert plan.levels[(W, Q)] is low_unflagged
    assert plan.levels[(W, P)].available == 8
    assert current[(W, P)].available == 10  # the levels passed in are not changed


def test_an_order_event_is_read_with_whole_positive_quantities() -> None:
    payload = {
        "order_id": str(uuid.uuid4()),
        "lines": [{"product_id": str(P), "quantity": "2"}],
        "payment_method": "cash",
        "total": "12.50",
    }
    order = parse_placed_order(payload)
    assert order.lines[0].quantity == 2 and str(order.cash_amount) == "12.50"
    for bad in (0, -1, 1.5, "x", True):
        with pytest.raises(InvalidInput) as info:
            parse_placed_order({**payload, "lines": [{"product_id": str(P), "quantity": bad}]})
        assert info.value.errors[0]["field"] == "lines[0].quantity"
    with pytest.raises(InvalidInput):
        parse_placed_order({**payload, "lines": []})
