"""An order travels the whole system: gateway -> orders -> field reserves stock -> the order is confirmed,
the manager sees it live on the WebSocket, cancelling gives the stock back, and a van sale sells from the van."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal

import httpx
import orjson
import pytest
import websockets

from salessync.demo import DEMO

from .conftest import System
from .test_system_smoke import require
from .waiting import get_ok, wait_for

SALESMAN = DEMO.user("salesman").email
MANAGER = DEMO.user("manager").email
WAREHOUSE = DEMO.user("warehouse_staff").email


@pytest.fixture(scope="module")
def api(system: System) -> httpx.Client:
    require(system, "gateway", "identity", "catalog", "orders", "field")
    with httpx.Client(base_url=system.base_url, timeout=30) as client:
        yield client


def place(api: httpx.Client, system: System, body: dict, who: str = SALESMAN, key: str | None = None) -> httpx.Response:
    headers = system.headers(who) | ({"Idempotency-Key": key} if key else {})
    return api.post("/api/orders", json=body, headers=headers)


def place_when_copies_arrived(api: httpx.Client, system: System, body: dict) -> dict:
    """Orders learns products and customers from catalog's events: right after start-up they may still be on
    their way, which answers 422; wait for the first 201."""

    def attempt() -> dict | None:
        answer = place(api, system, body)
        if answer.status_code == 201:
            return answer.json()
        assert answer.status_code == 422, answer.text
        return None

    return wait_for(attempt, timeout=60, interval=0.5, what="orders knows the demo catalog")


def stock(api: httpx.Client, system: System, location_id: uuid.UUID, product_id: uuid.UUID) -> dict:
    answer = get_ok(
        api,
        "/api/inventory",
        params={"location_id": str(location_id), "product_id": str(product_id)},
        headers=system.headers(WAREHOUSE),
    )
    items = answer.json()["items"]
    assert len(items) == 1, items
    return items[0]


def order_status(api: httpx.Client, system: System, order_id: str, status: str) -> dict | None:
    order = get_ok(api, f"/api/orders/{order_id}", headers=system.headers(MANAGER)).json()
    return order if order["status"] == status else None


def test_an_order_reserves_stock_is_confirmed_and_cancelling_releases_it(api: httpx.Client, system: System) -> None:
    product = DEMO.product_id(7)
    before = stock(api, system, DEMO.warehouse_id, product)
    body = {"customer_id": str(DEMO.customer_id(3)), "items": [{"product_id": str(product), "quantity": 4}]}
    order = place_when_copies_arrived(api, system, body)
    assert order["status"] == "pending"
    assert order["number"].startswith("ORD-")

    confirmed = wait_for(lambda: order_status(api, system, order["id"], "confirmed"), what="order confirmed")
    assert Decimal(confirmed["total"]) > 0
    after = stock(api, system, DEMO.warehouse_id, product)
    assert after["reserved"] == before["reserved"] + 4
    assert after["on_hand"] == before["on_hand"]

    cancel = api.post(f"/api/orders/{order['id']}/cancel", json={"reason": "customer changed mind"},
                      headers=system.headers(MANAGER))  # fmt: skip
    assert cancel.status_code == 200, cancel.text
    wait_for(lambda: stock(api, system, DEMO.warehouse_id, product)["reserved"] == before["reserved"],
             what="reservation released")  # fmt: skip


def test_an_order_for_more_than_the_warehouse_holds_is_rejected_with_the_available_quantity(
    api: httpx.Client, system: System
) -> None:
    product = DEMO.product_id(8)
    available = stock(api, system, DEMO.warehouse_id, product)["available"]
    body = {"customer_id": str(DEMO.customer_id(4)), "items": [{"product_id": str(product), "quantity": available + 1}]}
    manager_body = body | {"credit_override": True}
    order = place(api, system, manager_body, who=MANAGER)
    if order.status_code == 422:  # copies still on their way
        order = wait_for(lambda: (r := place(api, system, manager_body, who=MANAGER)).status_code == 201 and r,
                         timeout=60, what="orders knows the demo catalog")  # fmt: skip
    assert order.status_code == 201, order.text
    rejected = wait_for(lambda: order_status(api, system, order.json()["id"], "rejected"), what="order rejected")
    assert str(available) in orjson.dumps(rejected.get("rejection_reason")).decode()
    assert stock(api, system, DEMO.warehouse_id, product)["available"] == available


def test_the_same_idempotency_key_twenty_times_makes_one_order(api: httpx.Client, system: System) -> None:
    body = {"customer_id": str(DEMO.customer_id(5)), "items": [{"product_id": str(DEMO.product_id(9)), "quantity": 1}]}
    place_when_copies_arrived(api, system, body)
    key = uuid.uuid4().hex

    async def twenty() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=system.base_url, timeout=30) as client:
            headers = system.headers(SALESMAN) | {"Idempotency-Key": key}
            return await asyncio.gather(*(client.post("/api/orders", json=body, headers=headers) for _ in range(20)))

    answers = asyncio.run(twenty())
    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["id"] for a in answers}) == 1
    assert sum(a.headers.get("idempotent-replayed") == "true" for a in answers) == 19


def test_a_manager_sees_a_new_order_live_on_the_websocket(api: httpx.Client, system: System) -> None:
    require(system, "notifier")
    body = {"customer_id": str(DEMO.customer_id(6)), "items": [{"product_id": str(DEMO.product_id(10)), "quantity": 1}]}
    place_when_copies_arrived(api, system, body)
    ws_url = system.base_url.replace("http://", "ws://") + "/ws"

    async def scenario() -> dict:
        async with websockets.connect(ws_url) as ws:
            await ws.send(orjson.dumps({"event": "auth", "data": {"token": system.login(MANAGER), "last_id": None}}))
            ready = orjson.loads(await asyncio.wait_for(ws.recv(), 10))
            assert ready["event"] == "ready", ready
            created = await asyncio.to_thread(place, api, system, body)
            assert created.status_code == 201, created.text
            order_id = created.json()["id"]
            async with asyncio.timeout(15):
                while True:
                    frame = orjson.loads(await ws.recv())
                    if frame["event"] == "order:created" and frame["data"].get("order_id") == order_id:
                        return frame

    frame = asyncio.run(scenario())
    assert frame["id"]


def test_a_socket_without_a_valid_token_is_closed_4401(system: System) -> None:
    require(system, "gateway", "notifier")
    ws_url = system.base_url.replace("http://", "ws://") + "/ws"

    async def scenario() -> int | None:
        async with websockets.connect(ws_url) as ws:
            await ws.send(orjson.dumps({"event": "auth", "data": {"token": "forged.token.here"}}))
            with pytest.raises(websockets.ConnectionClosed):
                await asyncio.wait_for(ws.recv(), 10)
            return ws.close_code

    assert asyncio.run(scenario()) == 4401
