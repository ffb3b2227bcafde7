"""The bench's stock ledger check finds each kind of imbalance, and nothing when the ledger balances."""

from __future__ import annotations

from typing import Any

from bench.stock_check import ledger_problems

W, V, P, Q = "warehouse", "van", "p1", "p2"


def _level(location: str, product: str, on_hand: int, reserved: int) -> dict[str, Any]:
    return {"location_id": location, "product_id": product, "on_hand": on_hand, "reserved": reserved}


def _held(location: str, *lines: tuple[str, int]) -> dict[str, Any]:
    return {"location_id": location, "lines": [{"product_id": p, "quantity": q} for p, q in lines]}


def _move(location: str, product: str, quantity: int) -> dict[str, Any]:
    return {"location_id": location, "product_id": product, "quantity": quantity}


LEVELS = [_level(W, P, 10, 5), _level(W, Q, 4, 0), _level(V, P, 2, 0)]
HELD = [_held(W, (P, 3)), _held(W, (P, 2))]
MOVES = [_move(W, P, 12), _move(W, P, -2), _move(W, Q, 4), _move(V, P, 2)]


def test_a_balanced_ledger_has_no_problem() -> None:
    assert ledger_problems(2, 0, HELD, LEVELS, MOVES) == []


def test_each_imbalance_is_named() -> None:
    assert ledger_problems(2, 1, HELD, LEVELS, MOVES) == ["1 orders still pending"]
    assert ledger_problems(3, 0, HELD, LEVELS, MOVES) == ["3 orders confirmed but 2 reservations held"]
    short = [_held(W, (P, 3)), _held(W, (P, 1))]
    assert ledger_problems(2, 0, short, LEVELS, MOVES) == [
        "1 levels whose reserved is not what their reservations hold"
    ]
    assert ledger_problems(2, 0, HELD, LEVELS, MOVES[:-1]) == [
        "1 levels whose on_hand is not the sum of their movements"
    ]


def test_a_reservation_or_movement_without_a_level_does_not_balance() -> None:
    assert ledger_problems(3, 0, [*HELD, _held(V, (Q, 1))], LEVELS, MOVES) == [
        "1 levels whose reserved is not what their reservations hold"
    ]
    assert ledger_problems(2, 0, HELD, LEVELS, [*MOVES, _move(V, Q, 1)]) == [
        "1 levels whose on_hand is not the sum of their movements"
    ]
