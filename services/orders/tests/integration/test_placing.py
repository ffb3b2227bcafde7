"""Placing orders: prices from orders's copies, validation naming the field, totals, credit, discount caps."""

from __future__ import annotations

import httpx

from salessync.testing.helpers import eventually


async def test_an_order_is_placed_pending_with_catalog_prices_and_a_day_number(
    client: httpx.AsyncClient, world
) -> None:
    customer = await world.customer()
    p1 = await world.product(price="12.50", tax_rate="0.16")
    p2 = await world.product(price="3.99", tax_rate="0")
    body = world.order_body(customer, (p1, 3), (p2, 7, "0.05"))
    r = await client.post("/api/orders", json=body, headers=world.headers("salesman"))
    assert r.status_code == 201, r.text
    order = r.json()
    assert r.headers["location"] == f"/api/orders/{order['id']}"
    assert order["status"] == "pending" and order["payment_status"] == "unpaid"
    assert order["payment_method"] == "credit"
    assert order["number"].startswith("ORD-") and order["number"].endswith("-0001")
    # 3 x 12.50 = 37.50, tax 6.00 -> 43.50; 7 x 3.99 = 27.93, discount 1.40 (1.3965), tax 0 -> 26.53
    assert [x["line_total"] for x in order["lines"]] == ["43.50", "26.53"]
    assert order["lines"][1]["discount_amount"] == "1.40"
    assert (order["gross_total"], order["discount_total"], order["tax_total"], order["total"]) == (
        "65.43", "1.40", "6.00", "70.03",
    )  # fmt: skip
    fetched = (await client.get(f"/api/orders/{order['id']}", headers=world.headers("salesman"))).json()
    assert fetched["total"] == "70.03" and len(fetched["lines"]) == 2
    assert [h["to_status"] for h in fetched["status_history"]] == ["pending"]


async def test_the_order_placed_event_carries_the_contract_payload(client: httpx.AsyncClient, world) -> None:
    customer = await world.customer()
    p1 = await world.product(price="2.00", tax_rate="0")
    r = await client.post("/api/orders", json=world.order_body(customer, (p1, 2)), headers=world.headers("salesman"))
    order = r.json()

    async def published() -> list:
        return await world.fetch("SELECT body FROM outbox WHERE published_at IS NOT NULL")

    rows = await eventually(published)
    import orjson

    event = orjson.loads(rows[0]["body"])
    assert event["type"] == "order.placed" and event["producer"] == "orders"
    assert event["payload"] == {
        "order_id": order["id"], "number": order["number"], "customer_id": customer,
        "salesman_id": world.users["salesman"], "van_load_id": None, "payment_method": "credit",
        "total": "4.00", "status": "pending", "lines": [{"product_id": p1, "quantity": 2, "line_total": "4.00"}],
    }  # fmt: skip
