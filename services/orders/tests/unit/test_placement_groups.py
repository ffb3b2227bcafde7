"""The next group of placements: arrival order, at most one order per customer, at most MAX_GROUP orders."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from orders.service_layer.placement_groups import MAX_GROUP, next_group


def _ready(customer: str, n: int) -> tuple[Any, Any]:
    return SimpleNamespace(customer=customer, n=n), None


def _customer(item: tuple[Any, Any]) -> str:
    return str(item[0].customer)


def test_a_customers_second_order_waits_for_the_next_group_and_order_is_kept() -> None:
    waiting = [_ready("a", 1), _ready("b", 2), _ready("a", 3), _ready("c", 4), _ready("a", 5)]
    group, rest = next_group(waiting, _customer)
    assert [r.n for r, _ in group] == [1, 2, 4]
    assert [r.n for r, _ in rest] == [3, 5]
    group, rest = next_group(rest, _customer)
    assert [r.n for r, _ in group] == [3] and [r.n for r, _ in rest] == [5]


def test_a_group_holds_at_most_max_group_orders() -> None:
    waiting = [_ready(f"c{i}", i) for i in range(MAX_GROUP + 3)]
    group, rest = next_group(waiting, _customer)
    assert [r.n for r, _ in group] == list(range(MAX_GROUP))
    assert [r.n for r, _ in rest] == [MAX_GROUP, MAX_GROUP + 1, MAX_GROUP + 2]
