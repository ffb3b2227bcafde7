"""Lists render their records in Python (orjson) while single records are rendered by PostgreSQL: the same bytes
of meaning either way, and totals that agree with what the filters select."""

from __future__ import annotations


async def test_a_listed_product_is_the_same_record_as_its_own_answer(client, tenant, product_body):
    category = (await client.post("/api/categories", json={"name": "Drinks"}, headers=tenant.admin)).json()
    body = product_body("R-1", description="cold", barcode="600123", category_id=category["id"], cost="0.5")
    created = (await client.post("/api/products", json={**body, "tax_rate": "0.1600"}, headers=tenant.admin)).json()
    await client.post("/api/products", json=product_body("R-2"), headers=tenant.admin)
    single = (await client.get(f"/api/products/{created['id']}", headers=tenant.admin)).json()
    for query in ("", "search=product r-1 600123", f"category_id={category['id']}", "status=active&sort=-code"):
        items = (await client.get(f"/api/products?{query}", headers=tenant.admin)).json()["items"]
        assert [p for p in items if p["id"] == created["id"]] == [single] == [created], query
    assert single["tax_rate"] == "0.16" and single["cost"] == "0.50"


async def test_a_listed_customer_is_the_same_record_as_its_own_answer(client, tenant, customer_body):
    body = customer_body("R-1", latitude=-1.2864, longitude=36.8172, route="East", phone="+254 700 000001")
    created = (await client.post("/api/customers", json=body, headers=tenant.admin)).json()
    single = (await client.get(f"/api/customers/{created['id']}", headers=tenant.admin)).json()
    for query in ("", "search=R-1", "route=East&type=retail", "status=active"):
        page = (await client.get(f"/api/customers?{query}", headers=tenant.admin)).json()
        assert page["items"] == [single] == [created], query
        assert (page["total"], page["pages"]) == (1, 1)


async def test_an_empty_page_past_the_end_still_tells_the_total(client, tenant, customer_body):
    for code in ("E-1", "E-2", "E-3"):
        await client.post("/api/customers", json=customer_body(code, route="West"), headers=tenant.admin)
    for query in ("", "route=West", "search=outlet", "status=active"):
        page = (await client.get(f"/api/customers?page=4&limit=1&{query}", headers=tenant.admin)).json()
        assert (page["items"], page["total"], page["pages"]) == ([], 3, 3), query
    nothing = (await client.get("/api/customers?route=Nowhere", headers=tenant.admin)).json()
    assert (nothing["items"], nothing["total"], nothing["pages"]) == ([], 0, 0)
