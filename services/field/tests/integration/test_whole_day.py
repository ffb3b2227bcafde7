"""A salesman's whole day: load the van, visit customers, sell from the van, return, reconcile, approve."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from salessync.testing.helpers import eventually

ONE_KM_NORTH = 0.009  # degrees of latitude


def _van_sale(
    order_id: uuid.UUID, salesman: uuid.UUID, load_id: str, product: uuid.UUID, qty: int, total: str
) -> dict[str, Any]:
    return {
        "order_id": str(order_id), "number": "ORD-1", "customer_id": str(uuid.uuid4()), "salesman_id": str(salesman),
        "van_load_id": load_id, "payment_method": "cash", "total": total, "status": "pending",
        "lines": [{"product_id": str(product), "quantity": qty, "line_total": total}],
    }  # fmt: skip


async def test_a_whole_day_reconciles_to_exactly_the_damaged_unit_and_the_missing_cash(
    steps, client: httpx.AsyncClient
) -> None:
    actors = steps.actors
    salesman = actors.user_id("salesman")
    staff, manager, seller = actors.headers("warehouse_staff"), actors.headers("manager"), actors.headers("salesman")
    warehouse = await steps.warehouse()
    van = await steps.van("KDA-001", salesman)
    soap, rice = uuid.uuid4(), uuid.uuid4()
    await steps.adjust(warehouse["id"], soap, 100)
    await steps.adjust(warehouse["id"], rice, 100)

    plan = {
        "van_id": van["id"], "salesman_id": str(salesman), "warehouse_id": warehouse["id"], "cash_float": "50.00",
        "lines": [{"product_id": str(soap), "quantity": 20}, {"product_id": str(rice), "quantity": 10}],
    }  # fmt: skip
    planned = await client.post("/api/van-loads", json=plan, headers=staff)
    assert planned.status_code == 201, planned.text
    load_id = planned.json()["id"]
    second = await client.post("/api/van-loads", json=plan, headers=staff)
    assert second.status_code == 409 and second.json()["code"] == "open_van_load_exists"
    loaded = await client.post(f"/api/van-loads/{load_id}/load", json={}, headers=staff)
    assert loaded.status_code == 200 and loaded.json()["status"] == "loaded"
    assert await steps.level(warehouse["id"], soap) == (80, 0) and await steps.level(van["id"], soap) == (20, 0)
    again = await client.post(f"/api/van-loads/{load_id}/load", headers=staff)
    assert again.status_code == 409 and await steps.level(van["id"], soap) == (20, 0)
    early_return = await client.post(f"/api/van-loads/{load_id}/return", json={"cash_counted": "0"}, headers=seller)
    assert early_return.status_code == 409
    assert (await client.post(f"/api/van-loads/{load_id}/depart", headers=seller)).json()["status"] == "in_field"

    # three visits: on the spot, a kilometre away (flagged), and with a fix less precise than the geofence
    customer = await steps.customer()
    outcomes = []
    for latitude, accuracy in ((-1.2921, 10.0), (-1.2921 + ONE_KM_NORTH, 10.0), (-1.2921, 500.0)):
        visit = await client.post(
            "/api/visits",
            json={"customer_id": str(customer), "agent_id": str(salesman), "planned_at": "2026-11-25T08:00:00Z"},
            headers=manager,
        )
        assert visit.status_code == 201, visit.text
        checked_in = await client.post(
            f"/api/visits/{visit.json()['id']}/check-in",
            json={"latitude": latitude, "longitude": 36.8219, "accuracy_m": accuracy},
            headers=seller,
        )
        assert checked_in.status_code == 200, checked_in.text
        outcomes.append((round(checked_in.json()["distance_m"] / 100), checked_in.json()["out_of_geofence"]))
        out = await client.post(
            f"/api/visits/{visit.json()['id']}/check-out", json={"outcome": "order_taken"}, headers=seller
        )
        assert out.status_code == 200 and out.json()["duration_s"] >= 0
    assert outcomes == [(0, False), (10, True), (0, True)]

    # two van sales, paid cash: 5 soap for 25.00 and 3 rice for 30.00
    await steps.publish("order.placed", _van_sale(uuid.uuid4(), salesman, load_id, soap, 5, "25.00"))
    await steps.publish("order.placed", _van_sale(uuid.uuid4(), salesman, load_id, rice, 3, "30.00"))
    sold = await eventually(lambda: _when(steps.outbox("stock.reserved"), 2), timeout=15)
    assert all(e["payload"]["sold"] and e["payload"]["location_id"] == van["id"] for e in sold)
    assert await steps.level(van["id"], soap) == (15, 0)

    returned = await client.post(
        f"/api/van-loads/{load_id}/return",
        json={"lines": [{"product_id": str(soap), "returned": 14, "damaged": 1},
                        {"product_id": str(rice), "returned": 7}], "cash_counted": "100.00"},
        headers=seller,
    )  # fmt: skip
    assert returned.status_code == 200, returned.text
    assert await steps.level(van["id"], soap) == (0, 0) and await steps.level(warehouse["id"], soap) == (94, 0)
    reconciled = await client.post(f"/api/van-loads/{load_id}/reconcile", headers=staff)
    assert reconciled.status_code == 200, reconciled.text
    result = reconciled.json()
    assert (result["expected_cash"], result["counted_cash"], result["cash_variance"]) == ("105.00", "100.00", "-5.00")
    assert result["status"] == "discrepancy"
    lines = {line["product_id"]: line for line in result["lines"]}
    assert {k: lines[str(soap)][k] for k in ("loaded", "sold", "returned", "damaged", "variance")} == {
        "loaded": 20, "sold": 5, "returned": 14, "damaged": 1, "variance": 0,
    }  # fmt: skip
    assert lines[str(rice)]["variance"] == 0 and lines[str(rice)]["sold"] == 3

    assert (
        await client.post(f"/api/van-loads/{load_id}/approve", json={"note": "ok"}, headers=staff)
    ).status_code == 403
    approved = await client.post(
        f"/api/van-loads/{load_id}/approve", json={"note": "short 5, deducted"}, headers=manager
    )
    assert approved.status_code == 200 and approved.json()["note"] == "short 5, deducted"
    assert (
        await client.post(f"/api/van-loads/{load_id}/approve", json={"note": "x"}, headers=manager)
    ).status_code == 409
    assert (await client.post(f"/api/van-loads/{load_id}/depart", headers=staff)).status_code == 409
    assert await steps.ledger_mismatches() == []
    events = [e["type"] for e in await steps.outbox_all() if e["type"].startswith("van_load.")]
    assert events == ["van_load." + s for s in ("planned", "loaded", "departed", "returned", "reconciled", "approved")]


async def test_a_van_sale_outside_the_field_or_by_another_salesman_is_rejected(
    steps, client: httpx.AsyncClient
) -> None:
    salesman = steps.actors.user_id("salesman")
    warehouse = await steps.warehouse()
    van = await steps.van("KDA-002", salesman)
    product = uuid.uuid4()
    await steps.adjust(warehouse["id"], product, 10)
    plan = {"van_id": van["id"], "salesman_id": str(salesman), "warehouse_id": warehouse["id"],
            "lines": [{"product_id": str(product), "quantity": 5}]}  # fmt: skip
    load_id = (await client.post("/api/van-loads", json=plan, headers=steps.actors.headers())).json()["id"]
    await steps.publish("order.placed", _van_sale(uuid.uuid4(), salesman, load_id, product, 1, "1.00"))
    await eventually(lambda: _when(steps.outbox("stock.rejected"), 1), timeout=15)
    for step in ("load", "depart"):
        assert (
            await client.post(f"/api/van-loads/{load_id}/{step}", headers=steps.actors.headers())
        ).status_code == 200
    await steps.publish("order.placed", _van_sale(uuid.uuid4(), uuid.uuid4(), load_id, product, 1, "1.00"))
    await steps.publish("order.placed", _van_sale(uuid.uuid4(), salesman, load_id, product, 6, "6.00"))
    rejected = await eventually(lambda: _when(steps.outbox("stock.rejected"), 3), timeout=15)
    reasons = [e["payload"]["reason"] for e in rejected]
    assert reasons[0] == "van_load_not_in_field"
    assert sorted(reasons[1:]) == ["insufficient_stock", "van_load_of_another_salesman"]
    assert await steps.level(van["id"], product) == (5, 0)


async def test_van_load_bad_input_and_other_salesmen_get_clear_4xx(steps, client: httpx.AsyncClient) -> None:
    actors = steps.actors
    warehouse = await steps.warehouse()
    van = await steps.van("KDA-003", actors.user_id("salesman"))
    base = {"van_id": van["id"], "salesman_id": str(actors.user_id("salesman")), "warehouse_id": warehouse["id"],
            "lines": [{"product_id": str(uuid.uuid4()), "quantity": 5}]}  # fmt: skip
    unknown = await client.post("/api/van-loads", json={**base, "van_id": str(uuid.uuid4())}, headers=actors.headers())
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "van_id"
    zero = await client.post("/api/van-loads", json={**base, "lines": [{"product_id": str(uuid.uuid4()), "quantity": 0}]},
                             headers=actors.headers())  # fmt: skip
    assert zero.status_code == 422 and zero.json()["errors"][0]["field"] == "lines[0].quantity"
    planned = await client.post("/api/van-loads", json=base, headers=actors.headers())
    load_id = planned.json()["id"]
    short = await client.post(f"/api/van-loads/{load_id}/load", headers=actors.headers())
    assert short.status_code == 409 and short.json()["code"] == "insufficient_stock"
    assert (await client.get(f"/api/van-loads/{load_id}", headers=actors.headers())).json()["status"] == "planned"
    other = actors.headers("salesman", "other")
    assert (await client.get(f"/api/van-loads/{load_id}", headers=other)).status_code == 404
    assert (await client.post(f"/api/van-loads/{load_id}/load", headers=actors.headers("salesman"))).status_code == 403
    assert (
        await client.get(f"/api/van-loads/{load_id}", headers=actors.headers(tenant_id=uuid.uuid4()))
    ).status_code == 404
    cancelled = await client.post(f"/api/van-loads/{load_id}/cancel", headers=actors.headers())
    assert cancelled.json()["status"] == "cancelled"
    assert (await client.post(f"/api/van-loads/{load_id}/cancel", headers=actors.headers())).status_code == 409
    assert (await client.post("/api/van-loads", json=base, headers=actors.headers())).status_code == 201


async def _when(probe: Any, n: int) -> Any:
    items = await probe
    return items if len(items) >= n else None
