"""Warehouses, vans, adjustments, transfers and the ledger through the HTTP API (real Postgres and NATS)."""

from __future__ import annotations

import uuid

import httpx

from salessync.db import Database


async def test_the_first_warehouse_is_the_default_and_another_can_take_over(steps, client: httpx.AsyncClient) -> None:
    admin = steps.actors.headers()
    first = await steps.warehouse("North")
    second = await steps.warehouse("South")
    assert first["is_default"] is True and second["is_default"] is False

    response = await client.patch(f"/api/warehouses/{second['id']}", json={"is_default": True}, headers=admin)
    assert response.status_code == 200 and response.json()["is_default"] is True
    again = await client.get(f"/api/warehouses/{first['id']}", headers=admin)
    assert again.json()["is_default"] is False

    stale = await client.patch(
        f"/api/warehouses/{first['id']}", json={"name": "N"}, headers={**admin, "If-Match": str(first["version"])}
    )
    assert stale.status_code == 409
    refused = await client.delete(f"/api/warehouses/{second['id']}", headers=admin)
    assert refused.status_code == 409 and refused.json()["code"] == "location_in_use"


async def test_a_van_registration_is_unique_per_tenant(steps, client: httpx.AsyncClient) -> None:
    await steps.van("KDA-001")
    duplicate = await client.post("/api/vans", json={"registration": "kda-001"}, headers=steps.actors.headers())
    assert duplicate.status_code == 409
    assert duplicate.json()["field"] == "registration"
    other_tenant = steps.actors.headers(tenant_id=uuid.uuid4())
    elsewhere = await client.post("/api/vans", json={"registration": "KDA-001"}, headers=other_tenant)
    assert elsewhere.status_code == 201


async def test_an_adjustment_below_zero_is_409_with_the_available_quantity_and_writes_nothing(
    steps, client: httpx.AsyncClient
) -> None:
    warehouse = await steps.warehouse()
    product = uuid.uuid4()
    received = await steps.adjust(warehouse["id"], product, 7)
    assert received.status_code == 201, received.text
    assert received.json()["on_hand"] == 7 and received.json()["kind"] == "receipt"
    assert received.headers["location"].startswith("/api/stock-movements/")

    refused = await steps.adjust(warehouse["id"], product, -8, reason="count")
    assert refused.status_code == 409
    assert refused.json()["code"] == "insufficient_stock" and refused.json()["available"] == 7
    assert await steps.level(warehouse["id"], product) == (7, 0)
    assert await steps.count("SELECT count(*) FROM stock_movements") == 1
    assert len(await steps.outbox("stock.adjusted")) == 1


async def test_bad_adjustments_are_422_naming_the_field(steps) -> None:
    warehouse = await steps.warehouse()
    zero = await steps.adjust(warehouse["id"], uuid.uuid4(), 0)
    assert zero.status_code == 422 and zero.json()["errors"][0]["field"] == "quantity"
    negative_receipt = await steps.adjust(warehouse["id"], uuid.uuid4(), -1, reason="receipt")
    assert negative_receipt.status_code == 422 and negative_receipt.json()["errors"][0]["field"] == "quantity"
    reason = await steps.adjust(warehouse["id"], uuid.uuid4(), 1, reason="magic")
    assert reason.status_code == 422 and reason.json()["errors"][0]["field"] == "reason"
    unknown = await steps.adjust(uuid.uuid4(), uuid.uuid4(), 1)
    assert unknown.status_code == 404
    malformed = await steps.client.post(
        "/api/inventory/adjustments",
        content=b"{nope",
        headers={**steps.actors.headers(), "content-type": "application/json"},
    )
    assert malformed.status_code == 400


async def test_a_transfer_moves_both_sides_at_once_or_nothing(steps, client: httpx.AsyncClient) -> None:
    admin = steps.actors.headers()
    warehouse = await steps.warehouse()
    van = await steps.van("KBX-100")
    apples, pears = uuid.uuid4(), uuid.uuid4()
    await steps.adjust(warehouse["id"], apples, 10)
    await steps.adjust(warehouse["id"], pears, 2)

    body = {
        "from_location_id": warehouse["id"],
        "to_location_id": van["id"],
        "lines": [{"product_id": str(apples), "quantity": 4}, {"product_id": str(pears), "quantity": 3}],
    }
    short = await client.post("/api/inventory/transfers", json=body, headers=admin)
    assert short.status_code == 409 and short.json()["available"] == 2
    assert await steps.level(warehouse["id"], apples) == (10, 0)
    assert await steps.level(van["id"], apples) == (0, 0)

    body["lines"][1]["quantity"] = 2
    moved = await client.post("/api/inventory/transfers", json=body, headers=admin)
    assert moved.status_code == 201, moved.text
    assert await steps.level(warehouse["id"], apples) == (6, 0)
    assert await steps.level(van["id"], apples) == (4, 0)
    assert await steps.level(van["id"], pears) == (2, 0)
    kinds = await client.get(
        "/api/stock-movements", params={"location_id": van["id"], "kind": "transfer_in"}, headers=admin
    )
    assert kinds.json()["total"] == 2
    assert await steps.ledger_mismatches() == []

    same = await client.post(
        "/api/inventory/transfers",
        json={"from_location_id": van["id"], "to_location_id": van["id"], "product_id": str(apples), "quantity": 1},
        headers=admin,
    )
    assert same.status_code == 400 and same.json()["errors"][0]["field"] == "to_location_id"


async def test_stock_low_is_published_once_until_the_level_recovers(steps, client: httpx.AsyncClient) -> None:
    warehouse = await steps.warehouse()
    product = uuid.uuid4()
    await steps.adjust(warehouse["id"], product, 20)
    response = await client.patch(
        f"/api/inventory/{warehouse['id']}/{product}", json={"reorder_level": 5}, headers=steps.actors.headers()
    )
    assert response.status_code == 200 and response.json()["low_stock"] is False
    await steps.adjust(warehouse["id"], product, -15, reason="count")  # 5 left: at the level
    await steps.adjust(warehouse["id"], product, -1, reason="count")
    assert len(await steps.outbox("stock.low")) == 1
    low = await client.get("/api/inventory", params={"low_stock": "true"}, headers=steps.actors.headers())
    assert [i["product_id"] for i in low.json()["items"]] == [str(product)]

    await steps.adjust(warehouse["id"], product, 10)
    await steps.adjust(warehouse["id"], product, -10, reason="count")
    events = await steps.outbox("stock.low")
    assert len(events) == 2
    assert events[0]["payload"]["available"] == 5 and events[0]["payload"]["location_name"] == "Main"


async def test_roles_limit_who_moves_and_who_sees_stock(steps, client: httpx.AsyncClient) -> None:
    actors = steps.actors
    warehouse = await steps.warehouse()
    mine = await steps.van("KAA-001", actors.user_id("salesman"))
    theirs = await steps.van("KAA-002", actors.user_id("salesman", "other"))
    product = uuid.uuid4()
    for location in (warehouse, mine, theirs):
        assert (await steps.adjust(location["id"], product, 3, role="warehouse_staff")).status_code == 201
    assert (await steps.adjust(warehouse["id"], product, 1, role="manager")).status_code == 403
    assert (await steps.adjust(warehouse["id"], product, 1, role="salesman")).status_code == 403
    created = await client.post("/api/warehouses", json={"name": "X"}, headers=actors.headers("salesman"))
    assert created.status_code == 403

    seen = await client.get("/api/inventory", headers=actors.headers("salesman"))
    assert [i["location_id"] for i in seen.json()["items"]] == [mine["id"]]
    vans = await client.get("/api/vans", headers=actors.headers("salesman"))
    assert [v["id"] for v in vans.json()["items"]] == [mine["id"]]
    assert (await client.get(f"/api/vans/{theirs['id']}", headers=actors.headers("salesman"))).status_code == 404
    everything = await client.get("/api/inventory", headers=actors.headers("manager"))
    assert everything.json()["total"] == 3
    assert (await client.get("/api/inventory")).status_code == 401


async def test_another_tenants_locations_and_stock_are_invisible(
    steps, client: httpx.AsyncClient, db: Database
) -> None:
    warehouse = await steps.warehouse()
    product = uuid.uuid4()
    await steps.adjust(warehouse["id"], product, 5)
    stranger = steps.actors.headers(tenant_id=uuid.uuid4())
    assert (await client.get(f"/api/warehouses/{warehouse['id']}", headers=stranger)).status_code == 404
    assert (
        await client.patch(f"/api/warehouses/{warehouse['id']}", json={"name": "Y"}, headers=stranger)
    ).status_code == 404
    assert (await client.delete(f"/api/warehouses/{warehouse['id']}", headers=stranger)).status_code == 404
    adjust = await client.post(
        "/api/inventory/adjustments",
        json={"location_id": warehouse["id"], "product_id": str(product), "quantity": -1, "reason": "count"},
        headers=stranger,
    )
    assert adjust.status_code == 404
    assert (await client.get("/api/inventory", headers=stranger)).json()["total"] == 0
    assert (await client.get("/api/stock-movements", headers=stranger)).json()["total"] == 0
    assert await steps.level(warehouse["id"], product) == (5, 0)


async def test_an_adjustment_repeated_with_its_idempotency_key_is_applied_once(
    steps, client: httpx.AsyncClient
) -> None:
    warehouse = await steps.warehouse()
    product = uuid.uuid4()
    body = {"location_id": warehouse["id"], "product_id": str(product), "quantity": 3, "reason": "receipt"}
    headers = {**steps.actors.headers(), "Idempotency-Key": "k-1"}
    first = await client.post("/api/inventory/adjustments", json=body, headers=headers)
    second = await client.post("/api/inventory/adjustments", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.headers["idempotent-replayed"] == "true" and second.json() == first.json()
    assert await steps.level(warehouse["id"], product) == (3, 0)
    other = await client.post("/api/inventory/adjustments", json={**body, "quantity": 4}, headers=headers)
    assert other.status_code == 409
