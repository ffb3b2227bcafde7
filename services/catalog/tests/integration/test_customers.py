"""Customers through HTTP: salesmen create, managers change, positions validated, events per change."""

from __future__ import annotations

import uuid


async def test_a_salesman_creates_a_customer_and_a_manager_changes_and_deactivates_it(
    client, tenant, customer_body, event_log
):
    created = await client.post(
        "/api/customers", json=customer_body(phone="+254 722 000111"), headers=tenant.as_("salesman")
    )
    assert created.status_code == 201, created.text
    customer = created.json()
    assert customer["geofence_radius_m"] == 100 and customer["credit_limit"] == "0.00" and customer["type"] == "retail"
    url = f"/api/customers/{customer['id']}"
    assert (await client.patch(url, json={"name": "x"}, headers=tenant.as_("salesman"))).status_code == 403
    assert (await client.delete(url, headers=tenant.as_("salesman"))).status_code == 403
    for role in ("promoter", "merchandiser", "field_agent", "warehouse_staff"):
        assert (await client.get(url, headers=tenant.as_(role))).status_code == 200
        assert (
            await client.post("/api/customers", json=customer_body("C-9"), headers=tenant.as_(role))
        ).status_code == 403

    changed = await client.patch(
        url, json={"credit_limit": "5000", "route": "Route A", "type": "kiosk"}, headers=tenant.as_("manager")
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["credit_limit"] == "5000.00" and changed.json()["version"] == 2
    assert (await client.delete(url, headers=tenant.as_("manager"))).status_code == 204
    assert (await client.delete(url, headers=tenant.as_("manager"))).status_code == 204
    assert (await client.get(url, headers=tenant.admin)).json()["status"] == "inactive"

    events = await event_log.events(tenant.id)
    assert [e.type for e in events] == ["customer.created", "customer.updated", "customer.deactivated"]
    assert events[0].payload == {
        "id": customer["id"],
        "code": "C-1",
        "name": "Outlet C-1",
        "type": "retail",
        "latitude": -1.29,
        "longitude": 36.82,
        "geofence_radius_m": 100,
        "route": None,
        "credit_limit": "0.00",
        "payment_terms_days": 0,
        "price_list_id": None,
        "status": "active",
        "version": 1,
    }
    assert events[2].payload["status"] == "inactive" and events[2].payload["version"] == 3


async def test_invalid_customer_fields_are_422_naming_the_field(client, tenant, customer_body):
    cases = [
        (customer_body(latitude=91), "latitude"),
        (customer_body(latitude=-90.5), "latitude"),
        (customer_body(longitude=181), "longitude"),
        (customer_body(longitude=None), "longitude"),
        (customer_body(geofence_radius_m=0), "geofence_radius_m"),
        (customer_body(credit_limit="-5"), "credit_limit"),
        (customer_body(payment_terms_days=-1), "payment_terms_days"),
        (customer_body(type="palace"), "type"),
        (customer_body(email="not-an-email"), "email"),
        (customer_body(phone="call me"), "phone"),
        (customer_body(name=""), "name"),
        (customer_body(name="y" * 10_000_000), "name"),
        (customer_body(price_list_id=str(uuid.uuid4())), "price_list_id"),
    ]
    for body, field in cases:
        response = await client.post("/api/customers", json=body, headers=tenant.admin)
        assert response.status_code == 422, (field, response.text[:300])
        assert field in [e["field"] for e in response.json()["errors"]], (field, response.json())
    assert (await client.get("/api/customers", headers=tenant.admin)).json()["total"] == 0


async def test_a_duplicate_customer_code_is_409(client, tenant, customer_body):
    assert (await client.post("/api/customers", json=customer_body(), headers=tenant.admin)).status_code == 201
    dup = await client.post("/api/customers", json=customer_body(), headers=tenant.as_("salesman"))
    assert dup.status_code == 409 and dup.json()["field"] == "code"


async def test_customer_lists_filter_by_type_status_route_and_search(client, tenant, customer_body):
    bodies = [
        customer_body("K-1", name="Mama Mboga Kiosk", type="kiosk", route="North", phone="+254 722 111222"),
        customer_body("S-1", name="Naivas Supermarket", type="supermarket", route="South"),
        customer_body("S-2", name="Quickmart", type="supermarket", route="North", status="inactive"),
    ]
    for body in bodies:
        assert (await client.post("/api/customers", json=body, headers=tenant.admin)).status_code == 201

    async def codes(query: str) -> list[str]:
        response = await client.get(f"/api/customers?{query}", headers=tenant.as_("field_agent"))
        assert response.status_code == 200, response.text
        return [c["code"] for c in response.json()["items"]]

    assert await codes("type=supermarket") == ["S-1", "S-2"]
    assert await codes("route=North") == ["K-1", "S-2"]
    assert await codes("route=North&status=active") == ["K-1"]
    assert await codes("search=mboga") == ["K-1"]
    assert await codes("search=s-") == ["S-1", "S-2"]
    assert await codes("search=254722") == ["K-1"]
    assert await codes("search=722") == ["K-1"]
    assert await codes("search=naivas&type=kiosk") == []
    assert (await client.get("/api/customers?type=palace", headers=tenant.admin)).status_code == 422


async def test_another_tenants_customer_is_404_on_every_route(client, tenant, other_tenant, customer_body):
    customer = (await client.post("/api/customers", json=customer_body(), headers=tenant.admin)).json()
    url = f"/api/customers/{customer['id']}"
    assert (await client.get(url, headers=other_tenant.admin)).status_code == 404
    assert (await client.patch(url, json={"name": "x"}, headers=other_tenant.admin)).status_code == 404
    assert (await client.delete(url, headers=other_tenant.admin)).status_code == 404
    # another tenant's price list cannot be assigned either: it does not exist for this tenant
    other_list = await client.post(
        "/api/price-lists", json={"name": "L", "currency": "KES"}, headers=other_tenant.admin
    )
    response = await client.patch(url, json={"price_list_id": other_list.json()["id"]}, headers=tenant.admin)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "price_list_id"


async def test_a_stale_customer_version_is_409(client, tenant, customer_body):
    customer = (await client.post("/api/customers", json=customer_body(), headers=tenant.admin)).json()
    url = f"/api/customers/{customer['id']}"
    assert (
        await client.patch(url, json={"route": "A"}, headers=tenant.as_("admin", **{"If-Match": "1"}))
    ).status_code == 200
    stale = await client.patch(url, json={"route": "B"}, headers=tenant.as_("admin", **{"If-Match": "1"}))
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
