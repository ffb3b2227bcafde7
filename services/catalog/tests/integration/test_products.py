"""Products through HTTP: CRUD per role, validation naming the field, uniqueness under concurrency, events."""

from __future__ import annotations

import asyncio
import uuid

import httpx

from salessync.testing.helpers import eventually


async def test_a_manager_creates_reads_changes_and_deactivates_a_product(client, tenant, product_body, event_log):
    created = await client.post("/api/products", json=product_body("P-1"), headers=tenant.as_("manager"))
    assert created.status_code == 201, created.text
    product = created.json()
    assert created.headers["location"] == f"/api/products/{product['id']}"
    assert product["price"] == "10.00" and product["tax_rate"] == "0.16" and product["version"] == 1
    assert product["status"] == "active" and product["cost"] == "0.00"

    got = await client.get(f"/api/products/{product['id']}", headers=tenant.as_("salesman"))
    assert got.json() == product

    changed = await client.patch(
        f"/api/products/{product['id']}", json={"name": "Renamed"}, headers=tenant.as_("manager", **{"If-Match": "1"})
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["name"] == "Renamed" and changed.json()["version"] == 2

    deleted = await client.delete(f"/api/products/{product['id']}", headers=tenant.admin)
    assert deleted.status_code == 204
    after = (await client.get(f"/api/products/{product['id']}", headers=tenant.admin)).json()
    assert after["status"] == "inactive" and after["version"] == 3

    assert await event_log.types(tenant.id) == ["product.created", "product.updated", "product.deactivated"]


async def test_the_event_carries_the_product_snapshot_of_the_contract(client, tenant, product_body, event_log):
    body = product_body("P-9", barcode="5901234123457", unit="case", reorder_level=5, cost="7.5")
    product = (await client.post("/api/products", json=body, headers=tenant.admin)).json()
    [event] = await event_log.events(tenant.id)
    assert event.type == "product.created" and event.aggregate_id == product["id"]
    assert event.tenant_id == str(tenant.id) and event.producer == "catalog"
    assert event.payload == {
        "id": product["id"],
        "code": "P-9",
        "name": "Product P-9",
        "unit": "case",
        "barcode": "5901234123457",
        "category_id": None,
        "brand_id": None,
        "price": "10.00",
        "tax_rate": "0.16",
        "reorder_level": 5,
        "status": "active",
        "version": 1,
    }


async def test_a_price_change_publishes_updated_and_price_changed_with_the_old_price(
    client, tenant, product_body, event_log
):
    product = (await client.post("/api/products", json=product_body(), headers=tenant.admin)).json()
    response = await client.patch(f"/api/products/{product['id']}", json={"price": 12.5}, headers=tenant.admin)
    assert response.json()["price"] == "12.50"
    events = await event_log.events(tenant.id)
    assert [e.type for e in events] == ["product.created", "product.updated", "product.price_changed"]
    assert events[2].payload["old_price"] == "10.00" and events[2].payload["price"] == "12.50"
    assert events[2].payload["version"] == 2


async def test_a_patch_that_changes_nothing_keeps_the_version_and_publishes_nothing(
    client, tenant, product_body, event_log
):
    product = (await client.post("/api/products", json=product_body(), headers=tenant.admin)).json()
    same = await client.patch(
        f"/api/products/{product['id']}", json={"name": product["name"], "price": "10"}, headers=tenant.admin
    )
    assert same.status_code == 200 and same.json()["version"] == 1
    assert await event_log.types(tenant.id) == ["product.created"]


async def test_a_stale_if_match_is_409_and_changes_nothing(client, tenant, product_body):
    product = (await client.post("/api/products", json=product_body(), headers=tenant.admin)).json()
    url = f"/api/products/{product['id']}"
    assert (
        await client.patch(url, json={"name": "A"}, headers=tenant.as_("admin", **{"If-Match": "1"}))
    ).status_code == 200
    stale = await client.patch(url, json={"name": "B"}, headers=tenant.as_("admin", **{"If-Match": '"1"'}))
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_version" and stale.json()["current_version"] == 2
    assert (await client.get(url, headers=tenant.admin)).json()["name"] == "A"
    bad = await client.patch(url, json={"name": "B"}, headers=tenant.as_("admin", **{"If-Match": "soon"}))
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "If-Match"


async def test_roles_other_than_admin_and_manager_cannot_write_products(client, tenant, product_body):
    product = (await client.post("/api/products", json=product_body(), headers=tenant.admin)).json()
    url = f"/api/products/{product['id']}"
    for role in ("salesman", "promoter", "merchandiser", "field_agent", "warehouse_staff"):
        headers = tenant.as_(role)
        assert (await client.get(url, headers=headers)).status_code == 200
        assert (await client.get("/api/products", headers=headers)).status_code == 200
        assert (await client.post("/api/products", json=product_body("X"), headers=headers)).status_code == 403
        assert (await client.patch(url, json={"price": "1.00"}, headers=headers)).status_code == 403
        assert (await client.delete(url, headers=headers)).status_code == 403
    assert (await client.get(url, headers=tenant.admin)).json()["version"] == 1
    assert (await client.get(url)).status_code == 401


async def test_invalid_fields_are_422_naming_the_field(client, tenant, product_body):
    cases = [
        (product_body(price="-1"), "price"),
        (product_body(tax_rate=2), "tax_rate"),
        (product_body(name=""), "name"),
        (product_body(name="   "), "name"),
        (product_body(name="x" * 201), "name"),
        (product_body(name="x" * 10_000_000), "name"),
        (product_body(name="nul\x00byte"), "name"),
        (product_body(price="1.234"), "price"),
        (product_body(price="NaN"), "price"),
        (product_body(reorder_level=-1), "reorder_level"),
        (product_body(reorder_level=2**40), "reorder_level"),
        (product_body(status="gone"), "status"),
        (product_body(category_id=str(uuid.uuid4())), "category_id"),
        (product_body(brand_id=str(uuid.uuid4())), "brand_id"),
        (product_body(category_id="not-a-uuid"), "category_id"),
        ({"name": "no code", "price": "1"}, "code"),
    ]
    for body, field in cases:
        response = await client.post("/api/products", json=body, headers=tenant.admin)
        assert response.status_code == 422, (field, response.status_code, response.text[:300])
        assert response.headers["content-type"].startswith("application/problem+json")
        assert field in [e["field"] for e in response.json()["errors"]], (field, response.json()["errors"])
    product = (await client.post("/api/products", json=product_body(), headers=tenant.admin)).json()
    for field in ("name", "price", "code", "status"):
        response = await client.patch(f"/api/products/{product['id']}", json={field: None}, headers=tenant.admin)
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == field
    listing = (await client.get("/api/products", headers=tenant.admin)).json()
    assert listing["total"] == 1


async def test_malformed_json_is_400(client, tenant):
    response = await client.post(
        "/api/products", content=b'{"code": ', headers={**tenant.admin, "content-type": "application/json"}
    )
    assert response.status_code == 400


async def test_twenty_concurrent_creates_of_one_code_make_one_product_and_nineteen_409s(
    client, tenant, product_body, event_log
):
    async def create(i: int) -> httpx.Response:
        return await client.post("/api/products", json=product_body("SAME", name=f"n{i}"), headers=tenant.admin)

    answers = await asyncio.gather(*(create(i) for i in range(20)))
    assert sorted(a.status_code for a in answers) == [201] + [409] * 19
    assert {a.json()["code"] for a in answers if a.status_code == 409} == {"duplicate"}
    assert {a.json()["field"] for a in answers if a.status_code == 409} == {"code"}
    assert (await client.get("/api/products", headers=tenant.admin)).json()["total"] == 1
    assert await event_log.types(tenant.id) == ["product.created"]


async def test_a_duplicate_barcode_is_409_and_the_same_code_in_another_tenant_is_fine(
    client, tenant, other_tenant, product_body
):
    assert (
        await client.post("/api/products", json=product_body("A", barcode="123"), headers=tenant.admin)
    ).status_code == 201
    dup = await client.post("/api/products", json=product_body("B", barcode="123"), headers=tenant.admin)
    assert dup.status_code == 409 and dup.json()["field"] == "barcode"
    elsewhere = await client.post("/api/products", json=product_body("A", barcode="123"), headers=other_tenant.admin)
    assert elsewhere.status_code == 201


async def test_the_same_idempotency_key_replays_the_first_answer(client, tenant, product_body):
    headers = tenant.as_("admin", **{"Idempotency-Key": "k-1"})
    first, second = await asyncio.gather(
        client.post("/api/products", json=product_body(), headers=headers),
        client.post("/api/products", json=product_body(), headers=headers),
    )
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert "true" in (first.headers.get("idempotent-replayed"), second.headers.get("idempotent-replayed"))
    other = await client.post("/api/products", json=product_body("Z"), headers=headers)
    assert other.status_code == 409


async def test_lists_filter_search_sort_and_page(client, tenant, product_body):
    category = (await client.post("/api/categories", json={"name": "Beverages"}, headers=tenant.admin)).json()
    brand = (await client.post("/api/brands", json={"name": "Fizz"}, headers=tenant.admin)).json()
    bodies = [
        product_body("BEV-1", name="Coca Cola 500ml", price="1.20", category_id=category["id"], brand_id=brand["id"]),
        product_body("BEV-2", name="Fanta Orange 500ml", price="1.10", category_id=category["id"]),
        product_body("SNK-1", name="Potato Crisps", price="0.90", barcode="5000111"),
        product_body("SNK-2", name="Cola Candy", price="0.30", status="inactive"),
    ]
    for body in bodies:
        assert (await client.post("/api/products", json=body, headers=tenant.admin)).status_code == 201

    async def codes(query: str) -> list[str]:
        response = await client.get(f"/api/products?{query}", headers=tenant.as_("salesman"))
        assert response.status_code == 200, response.text
        return [p["code"] for p in response.json()["items"]]

    assert await codes("") == ["BEV-1", "SNK-2", "BEV-2", "SNK-1"]
    assert await codes("search=cola") == ["BEV-1", "SNK-2"]
    assert await codes("search=cola&status=active") == ["BEV-1"]
    assert await codes("search=bev") == ["BEV-1", "BEV-2"]
    assert await codes("search=500011") == ["SNK-1"]
    assert await codes("search=orange 500") == ["BEV-2"]
    assert await codes("search=%25_%25") == []
    assert await codes(f"category_id={category['id']}&sort=-price") == ["BEV-1", "BEV-2"]
    assert await codes(f"brand_id={brand['id']}") == ["BEV-1"]
    assert await codes("sort=price") == ["SNK-2", "SNK-1", "BEV-2", "BEV-1"]
    assert await codes("sort=-code") == ["SNK-2", "SNK-1", "BEV-2", "BEV-1"]
    page = (await client.get("/api/products?page=2&limit=3&sort=code", headers=tenant.admin)).json()
    assert [p["code"] for p in page["items"]] == ["SNK-2"]
    assert (page["page"], page["limit"], page["total"], page["pages"]) == (2, 3, 4, 2)
    beyond = (await client.get("/api/products?page=5&limit=3", headers=tenant.admin)).json()
    assert beyond["items"] == [] and beyond["total"] == 4
    # totals read from the per-tenant counters follow creation and deactivation
    active = (await client.get("/api/products?status=active&page=9&limit=1", headers=tenant.admin)).json()
    assert active["total"] == 3 and active["pages"] == 3
    snk1 = (await client.get("/api/products?search=SNK-1", headers=tenant.admin)).json()["items"][0]
    assert (await client.delete(f"/api/products/{snk1['id']}", headers=tenant.admin)).status_code == 204
    inactive = (await client.get("/api/products?status=inactive&page=9&limit=1", headers=tenant.admin)).json()
    assert inactive["total"] == 2
    assert (await client.get("/api/products?page=9&limit=1", headers=tenant.admin)).json()["total"] == 4
    searched = (await client.get("/api/products?search=cola&limit=1", headers=tenant.admin)).json()
    assert searched["total"] == 2 and len(searched["items"]) == 1
    for bad in ("sort=colour", "limit=101", "limit=0", "page=0", "status=gone", "category_id=x"):
        response = await client.get(f"/api/products?{bad}", headers=tenant.admin)
        assert response.status_code == 422, bad
        assert response.json()["errors"][0]["field"] == bad.split("=")[0]


async def test_another_tenants_product_is_404_on_every_route(client, tenant, other_tenant, product_body):
    product = (await client.post("/api/products", json=product_body(), headers=tenant.admin)).json()
    url = f"/api/products/{product['id']}"
    stranger = other_tenant.admin
    assert (await client.get(url, headers=stranger)).status_code == 404
    assert (await client.patch(url, json={"name": "x"}, headers=stranger)).status_code == 404
    assert (await client.delete(url, headers=stranger)).status_code == 404
    assert (await client.get(f"{url}/price", headers=stranger)).status_code == 404
    assert (await client.get("/api/products", headers=stranger)).json()["total"] == 0
    assert (await client.get(url, headers=tenant.admin)).json()["version"] == 1


async def test_events_are_published_soon_after_the_command(client, tenant, product_body, event_log):
    await client.post("/api/products", json=product_body(), headers=tenant.admin)
    await eventually(lambda: event_log.types(tenant.id), timeout=10)
