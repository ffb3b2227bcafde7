"""Categories (a tree without cycles) and brands: CRUD, search, and 409 while in use."""

from __future__ import annotations

import uuid


async def test_categories_form_a_tree_that_refuses_cycles(client, tenant):
    async def create(name: str, parent: str | None = None) -> dict:
        response = await client.post("/api/categories", json={"name": name, "parent_id": parent}, headers=tenant.admin)
        assert response.status_code == 201, response.text
        return response.json()

    food = await create("Food")
    snacks = await create("Snacks", food["id"])
    chips = await create("Chips", snacks["id"])
    for parent in (chips["id"], food["id"]):
        response = await client.patch(f"/api/categories/{food['id']}", json={"parent_id": parent}, headers=tenant.admin)
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == "parent_id"
    unknown = await client.post(
        "/api/categories", json={"name": "X", "parent_id": str(uuid.uuid4())}, headers=tenant.admin
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "parent_id"
    moved = await client.patch(f"/api/categories/{chips['id']}", json={"parent_id": food["id"]}, headers=tenant.admin)
    assert moved.status_code == 200 and moved.json()["parent_id"] == food["id"]
    children = (await client.get(f"/api/categories?parent_id={food['id']}", headers=tenant.admin)).json()
    assert sorted(c["name"] for c in children["items"]) == ["Chips", "Snacks"]

    in_use = await client.delete(f"/api/categories/{food['id']}", headers=tenant.admin)
    assert in_use.status_code == 409 and in_use.json()["code"] == "in_use"
    assert (await client.delete(f"/api/categories/{chips['id']}", headers=tenant.admin)).status_code == 204
    assert (await client.get(f"/api/categories/{chips['id']}", headers=tenant.admin)).status_code == 404


async def test_a_category_or_brand_used_by_a_product_cannot_be_deleted(client, tenant, product_body):
    category = (await client.post("/api/categories", json={"name": "Dairy"}, headers=tenant.admin)).json()
    brand = (await client.post("/api/brands", json={"name": "Brookside"}, headers=tenant.admin)).json()
    body = product_body(category_id=category["id"], brand_id=brand["id"])
    assert (await client.post("/api/products", json=body, headers=tenant.admin)).status_code == 201
    for url in (f"/api/categories/{category['id']}", f"/api/brands/{brand['id']}"):
        response = await client.delete(url, headers=tenant.admin)
        assert response.status_code == 409 and response.json()["code"] == "in_use"


async def test_brands_have_crud_search_and_unique_names(client, tenant, other_tenant):
    for name in ("Coca-Cola", "Cadbury", "Kenylon"):
        assert (await client.post("/api/brands", json={"name": name}, headers=tenant.as_("manager"))).status_code == 201
    dup = await client.post("/api/brands", json={"name": "Cadbury"}, headers=tenant.admin)
    assert dup.status_code == 409 and dup.json()["field"] == "name"
    found = (await client.get("/api/brands?search=ca", headers=tenant.as_("salesman"))).json()
    assert [b["name"] for b in found["items"]] == ["Cadbury", "Coca-Cola"]
    brand = found["items"][0]
    url = f"/api/brands/{brand['id']}"
    assert (await client.post("/api/brands", json={"name": "X"}, headers=tenant.as_("salesman"))).status_code == 403
    assert (await client.patch(url, json={"name": "Cadbury Ltd"}, headers=tenant.admin)).json()["version"] == 2
    stale = await client.patch(url, json={"name": "C"}, headers=tenant.as_("admin", **{"If-Match": "1"}))
    assert stale.status_code == 409
    for method in ("get", "patch", "delete"):
        kwargs = {"json": {"name": "y"}} if method == "patch" else {}
        response = await getattr(client, method)(url, headers=other_tenant.admin, **kwargs)
        assert response.status_code == 404, method
    assert (await client.delete(url, headers=tenant.admin)).status_code == 204
    assert (await client.post("/api/brands", json={"name": ""}, headers=tenant.admin)).status_code == 422
