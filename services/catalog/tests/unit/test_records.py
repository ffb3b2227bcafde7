"""Versions, status transitions, change detection, events per change and the category tree, without I/O."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from catalog.adapters.sql import order_by, search_query
from catalog.domain.categories import check_parent
from catalog.domain.customers import Customer, check_position
from catalog.domain.customers import events_for_change as customer_events
from catalog.domain.errors import CategoryCycle, StaleVersion
from catalog.domain.products import Product, events_for_change
from catalog.domain.records import apply_changes, check_version
from catalog.domain.values import money, rate
from salessync.errors import InvalidInput


def a_product(**kw) -> Product:  # type: ignore[no-untyped-def]
    return Product(id=uuid.uuid4(), tenant_id=uuid.uuid4(), code="P1", name="Cola", price=Decimal("10.00"), **kw)


def test_a_change_bumps_the_version_and_names_only_fields_that_really_changed() -> None:
    product = a_product()
    updated, changed = apply_changes(product, {"name": "Cola", "price": Decimal("12.00")})
    assert changed == {"price"} and updated.version == 2 and updated.price == Decimal("12.00")
    same, nothing = apply_changes(product, {"name": "Cola", "price": Decimal("10")})
    assert nothing == frozenset() and same is product


def test_a_stale_version_is_refused_and_no_version_means_last_write_wins() -> None:
    with pytest.raises(StaleVersion):
        check_version(current=3, expected=2)
    check_version(current=3, expected=3)
    check_version(current=3, expected=None)


def test_a_price_change_publishes_updated_and_price_changed_with_the_old_price() -> None:
    before = a_product()
    after, changed = apply_changes(before, {"price": Decimal("11.5"), "unit": "case"})
    events = events_for_change(before, after, changed)
    assert [t for t, _ in events] == ["product.updated", "product.price_changed"]
    assert events[1][1]["old_price"] == "10.00" and events[1][1]["price"] == "11.50"


def test_going_inactive_publishes_deactivated_and_coming_back_publishes_updated() -> None:
    before = a_product()
    after, changed = apply_changes(before, {"status": "inactive"})
    assert [t for t, _ in events_for_change(before, after, changed)] == ["product.deactivated"]
    back, changed = apply_changes(after, {"status": "active"})
    assert [t for t, _ in events_for_change(after, back, changed)] == ["product.updated"]
    assert events_for_change(before, before, frozenset()) == []


def test_the_product_snapshot_has_exactly_the_contract_fields() -> None:
    snapshot = a_product(tax_rate=Decimal("0.1600")).snapshot()
    assert set(snapshot) == {
        "id", "code", "name", "unit", "barcode", "category_id", "brand_id", "price", "tax_rate",
        "reorder_level", "status", "version",
    }  # fmt: skip
    assert snapshot["price"] == "10.00" and snapshot["tax_rate"] == "0.16"


def test_a_deactivated_customer_publishes_customer_deactivated() -> None:
    customer = Customer(id=uuid.uuid4(), tenant_id=uuid.uuid4(), code="C1", name="Shop")
    after, changed = apply_changes(customer, {"status": "inactive"})
    [(event_type, payload)] = customer_events(after, changed)
    assert event_type == "customer.deactivated" and payload["credit_limit"] == "0.00" and payload["version"] == 2


def test_a_position_needs_both_coordinates() -> None:
    check_position(None, None)
    check_position(1.0, 2.0)
    for lat, lng, field in ((1.0, None, "longitude"), (None, 2.0, "latitude")):
        with pytest.raises(InvalidInput) as err:
            check_position(lat, lng)
        assert err.value.errors[0]["field"] == field


def test_a_category_cannot_become_its_own_ancestor() -> None:
    me, child, grandchild, other = (uuid.uuid4() for _ in range(4))
    with pytest.raises(CategoryCycle):
        check_parent(me, me, [])
    with pytest.raises(CategoryCycle):
        check_parent(me, grandchild, [child, me])
    check_parent(me, other, [uuid.uuid4()])
    check_parent(me, None, [])


def test_search_text_becomes_word_prefixes_that_cannot_break_the_query() -> None:
    assert search_query("Coca  Cola-500") == "coca:* & cola:* & 500:*"
    assert search_query("%' & | ! :*") is None
    assert search_query("a b c d e f g h i j") == " & ".join(f"{w}:*" for w in "abcdefgh")


def test_sorting_accepts_known_fields_in_both_directions_and_names_sort_otherwise() -> None:
    columns = {"name": "name", "price": "price"}
    assert order_by("-price", columns).sql == "price DESC, id DESC"
    assert order_by("name", columns).sql == "name ASC, id ASC"
    with pytest.raises(InvalidInput) as err:
        order_by("colour", columns)
    assert err.value.errors[0]["field"] == "sort"


def test_money_has_two_places_and_rates_are_trimmed() -> None:
    assert money(Decimal("25.8")) == "25.80" and money(Decimal("0.005")) == "0.01"
    assert rate(Decimal("0.1600")) == "0.16" and rate(Decimal("0")) == "0" and rate(Decimal("1.0000")) == "1"
