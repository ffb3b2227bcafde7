"""Lists with filters and stats, one order with lines and history, and who sees what."""

from __future__ import annotations

import dataclasses
import uuid

import httpx


async def place(
    client: httpx.AsyncClient, world, customer: str, product: str, qty: int, role: str = "salesman"
) -> dict:  # type: ignore[no-untyped-def]
    r = await client.post("/api/orders", json=world.order_body(customer, (product, qty)), headers=world.headers(role))
    assert r.status_code == 201, r.text
    return r.json()


async def test_the_list_filters_pages_and_adds_stats_for_the_filtered_set(client: httpx.AsyncClient, world) -> None:
    c1, c2 = await world.customer(), await world.customer()
    product = await world.product(price="10.00", tax_rate="0")
    orders = [await place(client, world, c1, product, q) for q in (1, 2, 3)]
    orders.append(await place(client, world, c2, product, 4, role="salesman2"))
    await client.post(f"/api/orders/{orders[0]['id']}/cancel", json={}, headers=world.headers("admin"))
    admin = world.headers("admin")

    page = (await client.get("/api/orders?limit=2", headers=admin)).json()
    assert (page["total"], page["pages"], len(page["items"])) == (4, 2, 2)
    assert [x["number"] for x in page["items"]] == [orders[3]["number"], orders[2]["number"]]
    item = page["items"][0]
    assert item["line_count"] == 1 and "lines" not in item and item["total"] == "40.00"
    assert page["stats"] == {
        "count": 4, "total_amount": "100.00", "revenue": "90.00", "average_amount": "25.00",
        "by_status": {"pending": 3, "cancelled": 1}, "by_payment_status": {"unpaid": 4},
    }  # fmt: skip

    pending = (await client.get("/api/orders?status=pending", headers=admin)).json()  # from the summary
    assert (pending["total"], pending["stats"]["total_amount"], pending["stats"]["by_status"]) == (
        3, "90.00", {"pending": 3},
    )  # fmt: skip
    by_customer = (await client.get(f"/api/orders?customer_id={c1}&status=pending", headers=admin)).json()
    assert {x["id"] for x in by_customer["items"]} == {orders[1]["id"], orders[2]["id"]}
    assert by_customer["stats"]["total_amount"] == "50.00"
    found = (await client.get(f"/api/orders?search={orders[2]['number'][-4:]}", headers=admin)).json()
    assert [x["id"] for x in found["items"]] == [orders[2]["id"]]
    today = orders[0]["created_at"][:10]
    assert (await client.get(f"/api/orders?date_from={today}&date_to={today}", headers=admin)).json()["total"] == 4
    assert (await client.get("/api/orders?date_from=2999-01-01", headers=admin)).json()["total"] == 0
    by_total = (await client.get("/api/orders?sort=total&payment_status=unpaid", headers=admin)).json()
    assert [x["total"] for x in by_total["items"]] == ["10.00", "20.00", "30.00", "40.00"]
    assert (await client.get("/api/orders?sort=drop", headers=admin)).status_code == 422
    assert (await client.get("/api/orders?limit=101", headers=admin)).status_code == 422

    per_customer = (await client.get(f"/api/customers/{c2}/orders", headers=admin)).json()
    assert [x["id"] for x in per_customer["items"]] == [orders[3]["id"]]
    other_customer = (await client.get(f"/api/customers/{c2}/orders?customer_id={c1}", headers=admin)).json()
    assert [x["id"] for x in other_customer["items"]] == [orders[3]["id"]]  # the path names the customer
    assert (await client.get(f"/api/customers/{uuid.uuid4()}/orders", headers=admin)).status_code == 404
    await place(client, world, c2, product, 12)
    numeric = (await client.get(f"/api/orders?customer_id={c2}&sort=total", headers=admin)).json()
    assert [x["total"] for x in numeric["items"]] == ["40.00", "120.00"]  # by amount, not as text


async def test_salesmen_and_field_roles_see_only_their_own_orders(client: httpx.AsyncClient, world) -> None:
    customer, product = await world.customer(), await world.product()
    mine = await place(client, world, customer, product, 1, "salesman")
    theirs = await place(client, world, customer, product, 1, "salesman2")
    me = world.headers("salesman")
    listed = (await client.get("/api/orders", headers=me)).json()
    assert [x["id"] for x in listed["items"]] == [mine["id"]] and listed["stats"]["count"] == 1
    other = world.users["salesman2"]
    assert (await client.get(f"/api/orders?salesman_id={other}", headers=me)).json()["total"] == 0
    assert (await client.get(f"/api/orders/{theirs['id']}", headers=me)).status_code == 404
    assert (await client.get(f"/api/customers/{customer}/orders", headers=me)).json()["total"] == 1
    assert (await client.get("/api/orders", headers=world.headers("promoter"))).json()["total"] == 0
    assert (await client.get(f"/api/orders/{mine['id']}", headers=world.headers("promoter"))).status_code == 404
    assert (await client.get("/api/orders", headers=world.headers("warehouse_staff"))).json()["total"] == 2
    assert (
        await client.get(f"/api/orders/{theirs['id']}", headers=world.headers("warehouse_staff"))
    ).status_code == 200


async def test_another_tenants_order_and_its_lines_are_404_for_every_route(client: httpx.AsyncClient, world) -> None:
    customer, product = await world.customer(), await world.product()
    order = await place(client, world, customer, product, 1)
    stranger = dataclasses.replace(world, tenant_id=str(uuid.uuid4()))
    stranger.users = world.users
    admin = stranger.headers("admin")
    assert (await client.get(f"/api/orders/{order['id']}", headers=admin)).status_code == 404
    assert (await client.get("/api/orders", headers=admin)).json()["total"] == 0
    assert (await client.get(f"/api/customers/{customer}/orders", headers=admin)).status_code == 404
    for method, path, body in [
        ("PATCH", f"/api/orders/{order['id']}/status", {"status": "cancelled"}),
        ("POST", f"/api/orders/{order['id']}/cancel", {}),
        ("PATCH", f"/api/orders/{order['id']}/payment", {"amount": "1.00"}),
    ]:
        r = await client.request(method, path, json=body, headers=admin)
        assert r.status_code == 404, (path, r.text)
    r = await client.post("/api/orders", json=world.order_body(customer, (product, 1)), headers=admin)
    assert r.status_code == 422
    assert (await client.get(f"/api/orders/{order['id']}", headers=world.headers("admin"))).json()[
        "status"
    ] == "pending"


async def test_a_list_item_shows_the_order_exactly_as_its_detail_does(client: httpx.AsyncClient, world) -> None:
    """The page is JSON built by PostgreSQL, the detail is built here: same fields, same text for every value
    (timestamps included, whose format is written out in SQL to match)."""
    customer, product = await world.customer(), await world.product(price="12.35", tax_rate="0.16")
    placed = await place(client, world, customer, product, 3)
    await client.post(f"/api/orders/{placed['id']}/cancel", json={"reason": "test"}, headers=world.headers("admin"))
    detail = (await client.get(f"/api/orders/{placed['id']}", headers=world.headers("admin"))).json()
    page = (await client.get(f"/api/orders?customer_id={customer}", headers=world.headers("admin"))).json()
    [item] = page["items"]
    assert item == {k: v for k, v in detail.items() if k in item}
    assert set(detail) - set(item) == {"lines", "status_history", "notes", "rejection_reason"}
    assert item["updated_at"] != item["created_at"]  # the cancellation moved it


async def test_text_that_json_must_escape_reads_back_the_same_from_the_list(client: httpx.AsyncClient, world) -> None:
    """The list's items are JSON written by PostgreSQL: quotes, backslashes, control characters, non-ASCII and a
    character outside the BMP in a customer's name come back as they went in, in the list as in the detail."""
    name = 'Duka "La" Mama\\Njeri\n\tKahawa \u00e9\u00e8 \u4e2d \U0001f600 \x01 end'
    customer, product = await world.customer(name=name), await world.product()
    placed = await place(client, world, customer, product, 1)
    page = await client.get(f"/api/orders?customer_id={customer}", headers=world.headers("admin"))
    assert page.headers["content-type"] == "application/json"
    [item] = page.json()["items"]
    assert item["customer_name"] == name == placed["customer_name"]
    detail = (await client.get(f"/api/orders/{placed['id']}", headers=world.headers("admin"))).json()
    assert item == {k: v for k, v in detail.items() if k in item}


async def test_a_customers_orders_route_documents_each_parameter_once(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    of_customer = [(p["in"], p["name"]) for p in paths["/api/customers/{customer_id}/orders"]["get"]["parameters"]]
    assert len(of_customer) == len(set(of_customer))
    assert ("path", "customer_id") in of_customer and ("query", "customer_id") not in of_customer
    of_list = [(p["in"], p["name"]) for p in paths["/api/orders"]["get"]["parameters"]]
    assert set(of_list) - set(of_customer) == {("query", "customer_id")}
