"""Price lists: prices per product, events with the whole list, and the price that applies to a customer."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta


async def make_products(client, tenant, product_body, n: int = 2) -> list[dict]:
    return [
        (await client.post("/api/products", json=product_body(f"P{i}", price="10.00"), headers=tenant.admin)).json()
        for i in range(n)
    ]


async def test_a_price_list_is_created_with_prices_replaced_and_deleted_with_events(
    client, tenant, product_body, event_log
):
    p0, p1 = await make_products(client, tenant, product_body)
    body = {"name": "Wholesale", "currency": "kes", "prices": [{"product_id": p0["id"], "price": "8.50"}]}
    created = await client.post("/api/price-lists", json=body, headers=tenant.as_("manager"))
    assert created.status_code == 201, created.text
    price_list = created.json()
    assert price_list["currency"] == "KES" and price_list["item_count"] == 1 and price_list["version"] == 1
    url = f"/api/price-lists/{price_list['id']}"

    prices = (await client.get(f"{url}/prices", headers=tenant.as_("salesman"))).json()
    assert prices["items"] == [
        {"product_id": p0["id"], "code": "P0", "name": "Product P0", "price": "8.50", "product_price": "10.00"}
    ]
    replaced = await client.put(
        f"{url}/prices",
        json={"prices": [{"product_id": p0["id"], "price": "8.00"}, {"product_id": p1["id"], "price": 9}]},
        headers=tenant.as_("admin", **{"If-Match": "1"}),
    )
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["version"] == 2 and replaced.json()["item_count"] == 2
    stale = await client.put(f"{url}/prices", json={"prices": []}, headers=tenant.as_("admin", **{"If-Match": "1"}))
    assert stale.status_code == 409
    assert (await client.put(f"{url}/prices", json={"prices": []}, headers=tenant.as_("salesman"))).status_code == 403

    assert (await client.delete(url, headers=tenant.admin)).status_code == 204
    assert (await client.get(url, headers=tenant.admin)).status_code == 404

    events = [e for e in await event_log.events(tenant.id) if e.type.startswith("price_list.")]
    assert [e.type for e in events] == ["price_list.created", "price_list.updated", "price_list.deleted"]
    assert events[0].payload == {
        "id": price_list["id"],
        "name": "Wholesale",
        "currency": "KES",
        "valid_from": None,
        "valid_to": None,
        "status": "active",
        "version": 1,
        "prices": [{"product_id": p0["id"], "price": "8.50"}],
    }
    assert sorted(p["price"] for p in events[1].payload["prices"]) == ["8.00", "9.00"]
    assert events[2].payload == {"id": price_list["id"]}


async def test_invalid_price_lists_are_422_naming_the_field(client, tenant, product_body):
    (p0,) = await make_products(client, tenant, product_body, 1)
    cases = [
        ({"name": "L", "currency": "EURO"}, "currency"),
        ({"name": "L", "currency": "K3S"}, "currency"),
        ({"name": "L", "currency": "KES", "valid_from": "2026-02-01", "valid_to": "2026-01-01"}, "valid_to"),
        ({"name": "L", "currency": "KES", "valid_from": "2026-13-01"}, "valid_from"),
        (
            {"name": "L", "currency": "KES", "prices": [{"product_id": str(uuid.uuid4()), "price": "1"}]},
            "prices[0].product_id",
        ),
        ({"name": "L", "currency": "KES", "prices": [{"product_id": p0["id"], "price": "-1"}]}, "prices[0].price"),
        (
            {"name": "L", "currency": "KES", "prices": [{"product_id": p0["id"], "price": "1"}] * 2},
            "prices[1].product_id",
        ),
    ]
    for body, field in cases:
        response = await client.post("/api/price-lists", json=body, headers=tenant.admin)
        assert response.status_code == 422, (field, response.text)
        assert field in [e["field"] for e in response.json()["errors"]], (field, response.json())
    assert (await client.get("/api/price-lists", headers=tenant.admin)).json()["total"] == 0


async def test_the_applicable_price_follows_the_customers_list_only_while_valid_and_holding_the_product(
    client, tenant, other_tenant, product_body, customer_body
):
    p0, p1 = await make_products(client, tenant, product_body)
    today = datetime.now(UTC).date()
    valid = {"name": "Valid", "currency": "KES", "valid_from": str(today - timedelta(days=1)), "valid_to": str(today)}
    expired = {"name": "Expired", "currency": "KES", "valid_to": str(today - timedelta(days=1))}
    lists = {}
    for body in (valid, expired):
        body["prices"] = [{"product_id": p0["id"], "price": "7.00"}]
        lists[body["name"]] = (await client.post("/api/price-lists", json=body, headers=tenant.admin)).json()
    with_valid = (
        await client.post(
            "/api/customers", json=customer_body("A", price_list_id=lists["Valid"]["id"]), headers=tenant.admin
        )
    ).json()
    with_expired = (
        await client.post(
            "/api/customers", json=customer_body("B", price_list_id=lists["Expired"]["id"]), headers=tenant.admin
        )
    ).json()
    without = (await client.post("/api/customers", json=customer_body("C"), headers=tenant.admin)).json()

    async def price(product: dict, customer: dict | None) -> dict:
        query = f"?customer_id={customer['id']}" if customer else ""
        response = await client.get(f"/api/products/{product['id']}/price{query}", headers=tenant.as_("salesman"))
        assert response.status_code == 200, response.text
        return response.json()

    applied = await price(p0, with_valid)
    assert (applied["price"], applied["source"], applied["price_list_id"]) == (
        "7.00",
        "price_list",
        lists["Valid"]["id"],
    )
    assert applied["tax_rate"] == "0.16" and applied["currency"] == "KES"
    assert ((await price(p1, with_valid))["price"], (await price(p1, with_valid))["source"]) == ("10.00", "product")
    assert (await price(p0, with_expired))["source"] == "product"
    assert (await price(p0, without))["source"] == "product"
    assert (await price(p0, None))["price"] == "10.00"

    in_use = await client.delete(f"/api/price-lists/{lists['Valid']['id']}", headers=tenant.admin)
    assert in_use.status_code == 409 and in_use.json()["code"] == "in_use"
    missing = await client.get(f"/api/products/{p0['id']}/price?customer_id={uuid.uuid4()}", headers=tenant.admin)
    assert missing.status_code == 404
    stranger = other_tenant.admin
    assert (await client.get(f"/api/products/{p0['id']}/price", headers=stranger)).status_code == 404
    for url in (f"/api/price-lists/{lists['Valid']['id']}", f"/api/price-lists/{lists['Valid']['id']}/prices"):
        assert (await client.get(url, headers=stranger)).status_code == 404
    assert (
        await client.patch(f"/api/price-lists/{lists['Valid']['id']}", json={"name": "x"}, headers=stranger)
    ).status_code == 404
    assert (
        await client.put(f"/api/price-lists/{lists['Valid']['id']}/prices", json={"prices": []}, headers=stranger)
    ).status_code == 404
    assert (await client.delete(f"/api/price-lists/{lists['Valid']['id']}", headers=stranger)).status_code == 404


async def test_changing_a_lists_terms_checks_the_validity_range(client, tenant):
    created = await client.post(
        "/api/price-lists", json={"name": "L", "currency": "USD", "valid_from": "2026-01-10"}, headers=tenant.admin
    )
    url = f"/api/price-lists/{created.json()['id']}"
    bad = await client.patch(url, json={"valid_to": "2026-01-01"}, headers=tenant.admin)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "valid_to"
    good = await client.patch(url, json={"valid_to": "2026-12-31", "status": "inactive"}, headers=tenant.admin)
    assert good.status_code == 200 and good.json()["valid_to"] == "2026-12-31" and good.json()["version"] == 2
