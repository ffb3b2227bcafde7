"""The order pipeline under concurrency and with field away: nothing is lost, numbered twice or left unbalanced."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import psutil
import pytest

from salessync.demo import DEMO

from .conftest import System
from .test_order_flow import MANAGER, WAREHOUSE, place_when_copies_arrived, stock
from .test_system_smoke import require
from .waiting import get_ok, wait_for


@pytest.fixture(scope="module")
def api(system: System) -> Iterator[httpx.Client]:
    require(system, "gateway", "identity", "catalog", "orders", "field")
    with httpx.Client(base_url=system.base_url, timeout=60) as client:
        yield client


def listening_pid(port: int) -> int:
    for conn in psutil.net_connections(kind="tcp"):
        if conn.status == psutil.CONN_LISTEN and conn.laddr.port == port and conn.pid:
            return conn.pid
    raise AssertionError(f"nothing listens on port {port}")


@contextmanager
def frozen(pid: int) -> Iterator[None]:
    """The process is stopped (it keeps its sockets but handles nothing) until the block ends."""
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(pid, signal.SIGCONT)


def statuses(api: httpx.Client, system: System, ids: list[str]) -> dict[str, str]:
    headers = system.headers(MANAGER)
    return {i: get_ok(api, f"/api/orders/{i}", headers=headers).json()["status"] for i in ids}


class Tally(Counter[str]):
    """How many orders are in each status; falsy until every one is in the wanted one, so `wait_for`'s failure
    shows where they were (`{'pending': 120, 'confirmed': 80}`) instead of `False`."""

    def __init__(self, found: dict[str, str], wanted: str) -> None:
        super().__init__(found.values())
        self.done = set(self) == {wanted}

    def __bool__(self) -> bool:
        return self.done

    def __repr__(self) -> str:  # Counter's own prints an empty tally when it is falsy
        return repr(dict(self))


def all_in(api: httpx.Client, system: System, ids: list[str], wanted: str) -> Tally:
    return Tally(statuses(api, system, ids), wanted)


def order_body(customer: int, product: int, quantity: int = 1) -> dict:
    return {
        "customer_id": str(DEMO.customer_id(customer)),
        "items": [{"product_id": str(DEMO.product_id(product)), "quantity": quantity}],
        "credit_override": True,
    }


async def place_many(system: System, bodies: list[dict], concurrency: int = 32) -> list[httpx.Response]:
    gate = asyncio.Semaphore(concurrency)
    headers = system.headers(MANAGER)
    async with httpx.AsyncClient(base_url=system.base_url, timeout=60) as client:

        async def one(body: dict) -> httpx.Response:
            async with gate:
                for _ in range(20):  # a 429 is refused by the gateway before orders sees it: safe to send again
                    answer = await client.post("/api/orders", json=body, headers=headers)
                    if answer.status_code != 429:
                        return answer
                    await asyncio.sleep(float(answer.headers.get("Retry-After", "1")))
                return answer

        return await asyncio.gather(*(one(b) for b in bodies))


def test_orders_placed_while_field_is_away_wait_in_pending_and_confirm_when_it_is_back(
    api: httpx.Client, system: System
) -> None:
    product = 21
    place_when_copies_arrived(api, system, order_body(30, product))  # the copies are in; warm-up order
    wait_for(lambda: stock(api, system, DEMO.warehouse_id, DEMO.product_id(product))["reserved"] >= 1,
             what="warm-up order reserved")  # fmt: skip
    before = stock(api, system, DEMO.warehouse_id, DEMO.product_id(product))

    with frozen(listening_pid(system.ports["field"])):
        answers = asyncio.run(place_many(system, [order_body(31 + i, product) for i in range(10)]))
        assert [a.status_code for a in answers] == [201] * 10
        ids = [a.json()["id"] for a in answers]
        # Field cannot answer while it is stopped: give the pipeline time to (wrongly) move them anyway.
        time.sleep(1.5)
        assert set(statuses(api, system, ids).values()) == {"pending"}

    wait_for(lambda: all_in(api, system, ids, "confirmed"), timeout=60,
             what="orders confirmed once field is back")  # fmt: skip
    after = stock(api, system, DEMO.warehouse_id, DEMO.product_id(product))
    assert after["reserved"] == before["reserved"] + 10
    assert after["on_hand"] == before["on_hand"]


def test_two_hundred_concurrent_orders_get_unique_numbers_lines_and_exactly_their_stock(
    api: httpx.Client, system: System
) -> None:
    product = 22
    place_when_copies_arrived(api, system, order_body(100, product))
    wait_for(lambda: stock(api, system, DEMO.warehouse_id, DEMO.product_id(product))["reserved"] >= 1,
             what="warm-up order reserved")  # fmt: skip
    before = stock(api, system, DEMO.warehouse_id, DEMO.product_id(product))

    answers = asyncio.run(place_many(system, [order_body(101 + i % 200, product) for i in range(200)]))
    assert [a.status_code for a in answers] == [201] * 200, {a.status_code for a in answers}
    orders = [a.json() for a in answers]
    assert len({o["number"] for o in orders}) == 200
    assert all(o["lines"] and o["lines"][0]["quantity"] == 1 for o in orders)

    ids = [o["id"] for o in orders]
    wait_for(lambda: all_in(api, system, ids, "confirmed"), timeout=90,
             what="every order confirmed")  # fmt: skip
    after = stock(api, system, DEMO.warehouse_id, DEMO.product_id(product))
    assert after["reserved"] == before["reserved"] + 200
    assert after["on_hand"] == before["on_hand"]

    ledger = api.get("/api/stock-movements", params={"location_id": str(DEMO.warehouse_id),
                     "product_id": str(DEMO.product_id(product)), "limit": 100},
                     headers=system.headers(WAREHOUSE)).json()  # fmt: skip
    assert ledger["total"] <= 100, "the ledger check reads one page"
    assert sum(m["quantity"] for m in ledger["items"]) == after["on_hand"]
