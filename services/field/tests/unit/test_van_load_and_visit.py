"""The van load aggregate and the visit rules without a database."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from field.domain.errors import IllegalTransition
from field.domain.van_load import VanLoad, VanLoadLine, VanLoadNotReturned
from field.domain.visit import check_geofence, haversine_m, next_status
from salessync.errors import InvalidInput

SOAP, RICE = uuid.uuid4(), uuid.uuid4()


def _load() -> VanLoad:
    lines = {SOAP: VanLoadLine(SOAP, planned=20), RICE: VanLoadLine(RICE, planned=10)}
    return VanLoad(uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), "planned", Decimal("50.00"), lines=lines)


def _returned_load() -> VanLoad:
    load = _load()
    load.mark_loaded()
    load.apply("depart")
    load.lines[SOAP].sold, load.lines[RICE].sold = 5, 3
    load.cash_sales = Decimal("55.00")
    load.record_return([(SOAP, 14, 1), (RICE, 7, 0)], Decimal("100"))
    return load


def test_reconcile_shows_a_damaged_unit_as_damage_and_missing_cash_as_the_variance() -> None:
    result = _returned_load().close()
    assert (result.expected_cash, result.counted_cash, result.cash_variance) == (
        Decimal("105.00"), Decimal("100.00"), Decimal("-5.00"),
    )  # fmt: skip
    assert [line.variance for line in result.lines if line.product_id == SOAP] == [0]
    assert result.status == "discrepancy"


def test_a_load_with_every_unit_and_coin_accounted_for_is_balanced() -> None:
    load = _load()
    load.mark_loaded()
    load.apply("depart")
    load.record_return([(SOAP, 20, 0), (RICE, 10, 0)], Decimal("50"))
    assert load.close().status == "balanced"


def test_a_missing_unit_is_a_stock_variance() -> None:
    load = _load()
    load.mark_loaded()
    load.apply("depart")
    load.record_return([(SOAP, 19, 0), (RICE, 10, 0)], Decimal("50"))
    assert {line.product_id: line.variance for line in load.reconcile().lines}[SOAP] == 1


@pytest.mark.parametrize("action", ["depart", "return", "reconcile"])
def test_steps_out_of_order_are_illegal_and_change_nothing(action: str) -> None:
    load = _load()
    with pytest.raises(IllegalTransition):
        load.apply(action)
    assert load.status == "planned"


def test_reconcile_before_the_return_is_refused() -> None:
    load = _load()
    load.mark_loaded()
    with pytest.raises(VanLoadNotReturned):
        load.reconcile()


def test_returning_more_than_is_left_or_a_product_never_loaded_names_the_line() -> None:
    load = _load()
    load.mark_loaded()
    load.apply("depart")
    with pytest.raises(InvalidInput) as too_many:
        load.record_return([(SOAP, 20, 1)], Decimal("0"))
    assert too_many.value.errors[0]["field"] == "lines[0]"
    with pytest.raises(InvalidInput) as stranger:
        load.record_return([(uuid.uuid4(), 1, 0)], Decimal("0"))
    assert stranger.value.errors[0]["field"] == "lines[0].product_id"
    assert load.status == "in_field"


def test_only_an_unapproved_discrepancy_can_be_approved() -> None:
    load = _returned_load()
    load.close()
    load.approve()
    with pytest.raises(IllegalTransition):
        load.approve()


def test_haversine_measures_a_kilometre_of_latitude() -> None:
    assert haversine_m(-1.2921, 36.8219, -1.2831, 36.8219) == pytest.approx(1000.8, abs=1.0)


def test_a_check_in_is_outside_when_far_when_imprecise_or_when_the_customer_has_no_position() -> None:
    assert check_geofence(0, 0, 5, 0, 0, 100).out_of_geofence is False
    assert check_geofence(0.002, 0, 5, 0, 0, 100).out_of_geofence is True
    assert check_geofence(0, 0, 150, 0, 0, 100).out_of_geofence is True
    assert check_geofence(0, 0, 5, None, None, 100) == check_geofence(0, 0, 5, None, None, 100)
    assert check_geofence(0, 0, 5, None, None, 100).distance_m is None


def test_a_visit_moves_planned_checked_in_checked_out_only() -> None:
    assert next_status("planned", "check_in") == "checked_in"
    assert next_status("checked_in", "check_out") == "checked_out"
    for status, action in (("checked_in", "check_in"), ("planned", "check_out"), ("checked_in", "cancel")):
        with pytest.raises(IllegalTransition):
            next_status(status, action)
