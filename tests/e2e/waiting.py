"""Waiting on conditions with a deadline in end-to-end tests (never a bare sleep)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import httpx

T = TypeVar("T")


def get_ok(api: httpx.Client, path: str, **kwargs: Any) -> httpx.Response:
    """GET through the gateway as a well-behaved client: a 429 waits the Retry-After it names and asks again;
    anything else but a 200 fails the test. Polling 200 orders one by one spends the user's whole token bucket
    (100/s, burst 200): read blindly, each 429's problem+json (`"status": 429`) looked like an order that was
    not confirmed yet, and the polling itself kept the bucket empty until the deadline."""
    for _ in range(100):
        answer = api.get(path, **kwargs)
        if answer.status_code != 429:
            assert answer.status_code == 200, f"GET {path}: {answer.status_code} {answer.text}"
            return answer
        time.sleep(float(answer.headers.get("Retry-After", "1")))
    raise AssertionError(f"GET {path}: still rate limited after 100 tries")


def wait_for(probe: Callable[[], T | None], *, timeout: float = 30.0, interval: float = 0.1, what: str = "") -> T:
    """Call `probe` until it returns something truthy; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"{what or 'condition'} not met within {timeout}s (last: {last!r})")
