"""The demo seed: the shared demo ids, positions around the city, one price list, idempotent with its events."""

from __future__ import annotations

import math

from catalog.seed import seed_demo
from salessync.demo import DEMO
from salessync.testing.helpers import database_for
from salessync.testing.tokens import bearer


def km_between(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lng2 - lng1)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


async def test_the_demo_seed_creates_the_demo_catalog_once_with_one_event_per_record(
    catalog_url, client, event_log, test_keys
):
    db = database_for(catalog_url, "catalog")
    try:
        await seed_demo(db, DEMO)
        first = await event_log.types(DEMO.id)
        await seed_demo(db, DEMO)
        assert await event_log.types(DEMO.id) == first
    finally:
        await db.dispose()
    assert first.count("product.created") == DEMO.product_count == 200
    assert first.count("customer.created") == DEMO.customer_count == 500
    assert first.count("price_list.created") == 1

    headers = bearer(test_keys.mint(tenant_id=DEMO.id, role="salesman"))
    product = (await client.get(f"/api/products/{DEMO.product_id(7)}", headers=headers)).json()
    assert product["code"] == DEMO.product_code(7) and product["category_id"] and product["brand_id"]
    assert (await client.get("/api/products?limit=1", headers=headers)).json()["total"] == 200
    assert (await client.get("/api/categories", headers=headers)).json()["total"] >= 4
    listing = (await client.get("/api/customers?limit=100", headers=headers)).json()
    assert listing["total"] == 500
    for customer in listing["items"]:
        distance = km_between(customer["latitude"], customer["longitude"], DEMO.city_latitude, DEMO.city_longitude)
        assert distance <= 10.05, customer
    assert len({c["route"] for c in listing["items"]}) > 1
    with_list = [c for c in listing["items"] if c["price_list_id"]]
    assert with_list and len(with_list) < len(listing["items"])
    applied = (
        await client.get(f"/api/products/{DEMO.product_id(1)}/price?customer_id={with_list[0]['id']}", headers=headers)
    ).json()
    assert applied["source"] == "price_list"
