"""Placing orders: prices from orders's copies, validation naming the field, totals, credit, discount caps."""

from __future__ import annotations

import dataclasses
import uuid

import httpx
import pytest


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
    # 3 x 12.50 = 37.50, tax 6.00 -> 43.50; 7 x 3.99 = 27.93, discount 1.3965 -> 1.40, no tax -> 26.53
    assert [x["line_total"] for x in order["lines"]] == ["43.50", "26.53"]
    assert order["lines"][1]["discount_amount"] == "1.40"
    assert (order["gross_total"], order["discount_total"], order["tax_total"], order["total"]) == (
        "65.43", "1.40", "6.00", "70.03",
    )  # fmt: skip
    fetched = (await client.get(f"/api/orders/{order['id']}", headers=world.headers("salesman"))).json()
    assert {k: v for k, v in fetched.items() if k != "status_history"} == {
        k: v for k, v in order.items() if k != "status_history"
    }
    assert [h["to_status"] for h in fetched["status_history"]] == ["pending"]


async def test_the_order_placed_event_carries_the_contract_payload(client: httpx.AsyncClient, world) -> None:
    customer = await world.customer()
    p1 = await world.product(price="2.00", tax_rate="0")
    r = await client.post("/api/orders", json=world.order_body(customer, (p1, 2)), headers=world.headers("salesman"))
    order = r.json()

    (event,) = await world.published("order.placed")
    assert event["type"] == "order.placed" and event["producer"] == "orders"
    assert event["aggregate_id"] == order["id"] and event["tenant_id"] == world.tenant_id
    assert event["payload"] == {
        "order_id": order["id"], "number": order["number"], "customer_id": customer,
        "salesman_id": world.users["salesman"], "van_load_id": None, "payment_method": "credit",
        "total": "4.00", "status": "pending", "lines": [{"product_id": p1, "quantity": 2, "line_total": "4.00"}],
    }  # fmt: skip


async def test_an_invalid_line_in_the_middle_writes_nothing_and_takes_no_number(
    client: httpx.AsyncClient, world
) -> None:
    customer = await world.customer()
    p1, p2 = await world.product(), await world.product()
    inactive = await world.product(status="inactive")
    for bad in (str(uuid.uuid4()), inactive):
        body = world.order_body(customer, (p1, 1), (bad, 1), (p2, 1))
        r = await client.post("/api/orders", json=body, headers=world.headers("salesman"))
        assert r.status_code == 422, r.text
        assert r.json()["errors"][0]["field"] == "items[1].product_id"
    for table in ("orders", "order_lines", "order_status_history", "outbox", "order_counters"):
        assert await world.fetch(f"SELECT 1 FROM {table}") == [], table
    assert await world.published() == []  # nor was an event written and relayed in the meantime
    r = await client.post("/api/orders", json=world.order_body(customer, (p1, 1)), headers=world.headers("salesman"))
    assert r.json()["number"].endswith("-0001")


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"quantity": -2}, "items[0].quantity"),
        ({"quantity": 0}, "items[0].quantity"),
        ({"quantity": 1.5}, "items[0].quantity"),
        ({"quantity": "3"}, "items[0].quantity"),
        ({"quantity": 100_001}, "items[0].quantity"),
        ({"quantity": 1, "unit_price": "0.01"}, "items[0].unit_price"),
        ({"quantity": 1, "price": 0}, "items[0].price"),
        ({"quantity": 1, "discount_rate": "1.5"}, "items[0].discount_rate"),
        ({"quantity": 1, "discount_rate": -0.1}, "items[0].discount_rate"),
        ({"quantity": 1, "discount_rate": "0.11"}, "items[0].discount_rate"),
    ],
    ids=["negative", "zero", "fraction", "string", "huge", "client unit_price", "client price", "rate > 1",
         "rate < 0", "above salesman cap"],
)  # fmt: skip
async def test_client_sent_prices_and_bad_quantities_or_discounts_are_422_naming_the_field(
    client: httpx.AsyncClient, world, item: dict, field: str
) -> None:
    customer, product = await world.customer(), await world.product()
    body = {"customer_id": customer, "items": [{"product_id": product, **item}]}
    r = await client.post("/api/orders", json=body, headers=world.headers("salesman"))
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert field in [e["field"] for e in r.json()["errors"]]
    assert await world.fetch("SELECT 1 FROM orders") == []


async def test_body_errors_are_4xx_never_500(client: httpx.AsyncClient, world) -> None:
    headers = {**world.headers("salesman"), "content-type": "application/json"}
    assert (await client.post("/api/orders", content=b"{not json", headers=headers)).status_code == 400
    r = await client.post("/api/orders", json={"customer_id": str(uuid.uuid4()), "items": []}, headers=headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "items"
    r = await client.post("/api/orders", json={"customer_id": "nope", "items": []}, headers=headers)
    assert r.status_code == 422


async def test_an_unknown_inactive_or_other_tenants_customer_is_422_naming_customer_id(
    client: httpx.AsyncClient, world
) -> None:
    product = await world.product()
    inactive = await world.customer(status="inactive")
    foreign = await world.feed(dataclasses.replace(world.customer_event(), tenant_id=str(uuid.uuid4())))
    for customer in (str(uuid.uuid4()), inactive, foreign):
        r = await client.post(
            "/api/orders", json=world.order_body(customer, (product, 1)), headers=world.headers("salesman")
        )
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "customer_id"


async def test_the_customers_valid_price_list_sets_the_price_kept_on_the_line(client: httpx.AsyncClient, world) -> None:
    listed, unlisted = await world.product(price="10.00", tax_rate="0"), await world.product(price="7.00", tax_rate="0")
    price_list = await world.feed(world.price_list_event({listed: "8.50"}))
    customer = await world.customer(price_list_id=price_list)
    body = world.order_body(customer, (listed, 2), (unlisted, 1))
    order = (await client.post("/api/orders", json=body, headers=world.headers("salesman"))).json()
    assert [x["unit_price"] for x in order["lines"]] == ["8.50", "7.00"]
    await world.feed(world.product_event("price_changed", id=listed, price="99.00", tax_rate="0", old_price="10.00"))
    again = (await client.get(f"/api/orders/{order['id']}", headers=world.headers("salesman"))).json()
    assert again["lines"][0]["unit_price"] == "8.50" and again["total"] == "24.00"


async def test_over_the_credit_limit_is_409_unless_a_manager_overrides_and_it_is_recorded(
    client: httpx.AsyncClient, world
) -> None:
    customer = await world.customer(credit_limit="100.00")
    product = await world.product(price="30.00", tax_rate="0")
    first = await client.post("/api/orders", json=world.order_body(customer, (product, 3)), headers=world.headers())
    assert first.status_code == 201
    over = world.order_body(customer, (product, 1), credit_override=True)
    r = await client.post("/api/orders", json=over, headers=world.headers("salesman"))
    assert r.status_code == 409 and r.json()["code"] == "credit_limit_exceeded"
    assert r.json()["open_balance"] == "90.00"
    r = await client.post("/api/orders", json=over, headers=world.headers("manager"))
    assert r.status_code == 201 and r.json()["credit_override"] is True
    assert r.json()["status_history"][0]["reason"] == "placed with credit override"
    # cancelling the first frees its amount from the open balance
    await client.post(f"/api/orders/{first.json()['id']}/cancel", json={}, headers=world.headers("manager"))
    r = await client.post("/api/orders", json=world.order_body(customer, (product, 2)), headers=world.headers())
    assert r.status_code == 201


@pytest.mark.parametrize("role", ["promoter", "warehouse_staff"])
async def test_roles_that_may_not_place_orders_get_403(client: httpx.AsyncClient, world, role: str) -> None:
    customer, product = await world.customer(), await world.product()
    r = await client.post("/api/orders", json=world.order_body(customer, (product, 1)), headers=world.headers(role))
    assert r.status_code == 403


async def test_a_van_sale_defaults_to_cash_and_no_token_is_401(client: httpx.AsyncClient, world) -> None:
    customer, product = await world.customer(), await world.product()
    body = world.order_body(customer, (product, 1), van_load_id=str(uuid.uuid4()))
    r = await client.post("/api/orders", json=body, headers=world.headers("salesman"))
    assert r.status_code == 201 and r.json()["payment_method"] == "cash"
    assert (await client.post("/api/orders", json=body)).status_code == 401
