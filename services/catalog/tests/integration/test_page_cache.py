"""Product and customer pages are served from memory while their list's version is unchanged; any write, by
this replica or another, is seen by the next read."""

from __future__ import annotations

import pytest

from salessync.testing.helpers import database_for


@pytest.fixture
async def other_replica(catalog_url):
    """Writes straight to catalog's database, as another replica (or the seed) would."""
    db = database_for(catalog_url, "catalog")
    yield db
    await db.dispose()


async def listed(client, headers, path="/api/products"):
    answer = await client.get(path, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.headers["x-cache"], answer.json()


async def test_a_repeated_page_is_a_hit_until_a_product_changes(client, tenant, product_body):
    created = (await client.post("/api/products", json=product_body("A-1"), headers=tenant.admin)).json()
    assert (await listed(client, tenant.admin))[0] == "miss"
    cache, page = await listed(client, tenant.as_("salesman"))
    assert cache == "hit" and [p["code"] for p in page["items"]] == ["A-1"]

    await client.post("/api/products", json=product_body("A-2"), headers=tenant.admin)
    cache, page = await listed(client, tenant.admin)
    assert cache == "miss" and (page["total"], [p["code"] for p in page["items"]]) == (2, ["A-1", "A-2"])

    url = f"/api/products/{created['id']}"
    assert (await client.patch(url, json={"name": "Renamed"}, headers=tenant.admin)).status_code == 200
    assert [p["name"] for p in (await listed(client, tenant.admin))[1]["items"]] == ["Product A-2", "Renamed"]
    assert (await client.delete(url, headers=tenant.admin)).status_code == 204
    cache, page = await listed(client, tenant.admin, "/api/products?status=inactive")
    assert cache == "miss" and [p["code"] for p in page["items"]] == ["A-1"]


async def test_a_write_by_another_replica_is_seen_by_the_next_read(client, tenant, customer_body, other_replica):
    await client.post("/api/customers", json=customer_body("B-1"), headers=tenant.admin)
    await listed(client, tenant.admin, "/api/customers")
    assert (await listed(client, tenant.admin, "/api/customers"))[0] == "hit"
    async with other_replica.transaction() as tx:
        await (await tx.raw()).execute("UPDATE customers SET name = 'Moved' WHERE tenant_id = $1", tenant.id)
    cache, page = await listed(client, tenant.admin, "/api/customers")
    assert cache == "miss" and [c["name"] for c in page["items"]] == ["Moved"]
    async with other_replica.transaction() as tx:
        await (await tx.raw()).execute("DELETE FROM customers WHERE tenant_id = $1", tenant.id)
    assert (await listed(client, tenant.admin, "/api/customers"))[1]["items"] == []


async def test_pages_are_kept_apart_by_tenant_and_query(client, tenant, other_tenant, product_body):
    await client.post("/api/products", json=product_body("T-1"), headers=tenant.admin)
    await client.post("/api/products", json=product_body("T-2"), headers=other_tenant.admin)
    for _ in range(2):
        assert [p["code"] for p in (await listed(client, tenant.admin))[1]["items"]] == ["T-1"]
        assert [p["code"] for p in (await listed(client, other_tenant.admin))[1]["items"]] == ["T-2"]
    assert (await listed(client, tenant.admin, "/api/products?search=zzz"))[1]["items"] == []
    assert (await listed(client, tenant.admin, "/api/products?limit=1"))[0] == "miss"
    # a product write leaves the customer list's pages valid
    await client.get("/api/customers", headers=tenant.admin)
    await client.post("/api/products", json=product_body("T-3"), headers=tenant.admin)
    assert (await listed(client, tenant.admin, "/api/customers"))[0] == "hit"
