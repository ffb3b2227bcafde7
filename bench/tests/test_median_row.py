"""bench_orders.median_row: the median run as it was, with every run's figures and all errors kept."""

from __future__ import annotations

from bench.bench_orders import median_row


def row(rps: float, p99: float, errors: int = 0, **extra: object) -> dict:
    return {"name": "POST /api/orders", "req/s": rps, "p99": p99, "errors": errors, "note": "", **extra}


def test_the_median_run_is_reported_with_every_runs_figures() -> None:
    got = median_row([row(281.1, 431, duplicates=0), row(224.8, 516, errors=2, duplicates=1), row(262.0, 377)])
    assert (got["req/s"], got["p99"]) == (262.0, 377)  # one run's own figures, not a mix
    assert got["errors"] == 2 and got["duplicates"] == 1  # summed over every run: none may hide
    assert got["note"] == "median of 3 runs: 281.1/s p99 431, 224.8/s p99 516, 262/s p99 377"


def test_one_run_is_its_own_row_and_notes_are_kept() -> None:
    only = row(290.0, 300)
    assert median_row([only]) is only
    got = median_row([row(700, 120, note="after the pipeline settled, 0.5 s"), row(900, 100, note="x")])
    assert got["req/s"] == 900 and got["note"] == "x; median of 2 runs: 700/s p99 120, 900/s p99 100"
