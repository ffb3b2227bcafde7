"""The demo tenant's catalog: categories, brands, 200 products, a wholesale price list and 500 outlets around
the demo city. Ids come from `salessync.demo`, so other services' seeds refer to the same records.

Idempotent: a record that exists is left alone, and only records created now publish their `*.created` event
(through the outbox, in the same transaction), so a second run changes nothing.
"""

from __future__ import annotations

import math
import random
import uuid
from decimal import Decimal
from typing import Any

from catalog.adapters import customers, price_lists, products, taxonomy
from catalog.domain.categories import Brand, Category
from catalog.domain.customers import CUSTOMER_TYPES, Customer
from catalog.domain.price_lists import PriceList
from catalog.domain.products import Product
from catalog.service_layer.events import publish
from salessync.db import Database
from salessync.demo import DemoTenant, demo_id

CATEGORIES = {
    "Beverages": ["Soda", "Juice", "Water", "Energy Drink", "Tea"],
    "Snacks": ["Crisps", "Biscuits", "Peanuts", "Chocolate Bar", "Popcorn"],
    "Dairy": ["Milk", "Yoghurt", "Butter", "Cheese", "Cream"],
    "Household": ["Detergent", "Bar Soap", "Bleach", "Tissue Roll", "Dish Liquid"],
    "Personal Care": ["Toothpaste", "Lotion", "Shampoo", "Deodorant", "Petroleum Jelly"],
    "Staples": ["Maize Flour", "Rice", "Sugar", "Cooking Oil", "Wheat Flour"],
}
BRANDS = ["Sunrise", "Baraka", "Tamu", "Safi", "Nyota", "Kilele", "Maziwa Bora", "Upendo"]
SIZES = ["250ml", "500ml", "1L", "2L", "100g", "250g", "500g", "1kg", "2kg", "Pack of 6"]
ROUTES = ["Route A - CBD", "Route B - Westlands", "Route C - Eastlands", "Route D - Karen", "Route E - Thika Rd"]
TAX_RATES = [Decimal("0.16"), Decimal("0.16"), Decimal("0.16"), Decimal("0.08"), Decimal("0")]
PRICE_LIST_NAME = "Wholesale"
RADIUS_KM = 10.0


def category_id(name: str) -> uuid.UUID:
    return demo_id("category", name)


def brand_id(name: str) -> uuid.UUID:
    return demo_id("brand", name)


def demo_products(demo: DemoTenant) -> list[Product]:
    rng = random.Random(20261125)
    kinds = [(category, kind) for category, kinds in CATEGORIES.items() for kind in kinds]
    found = []
    for i in range(1, demo.product_count + 1):
        category, kind = kinds[(i - 1) % len(kinds)]
        brand = BRANDS[(i - 1) // len(kinds) % len(BRANDS)]
        price = Decimal(rng.randrange(50, 250_00)) / 100
        found.append(
            Product(
                id=demo.product_id(i),
                tenant_id=demo.id,
                code=demo.product_code(i),
                name=f"{brand} {kind} {SIZES[i % len(SIZES)]}",
                barcode=f"616{i:010d}",
                category_id=category_id(category),
                brand_id=brand_id(brand),
                unit="case" if i % 7 == 0 else "pcs",
                price=price,
                cost=(price * Decimal("0.72")).quantize(Decimal("0.01")),
                tax_rate=TAX_RATES[i % len(TAX_RATES)],
                reorder_level=rng.choice([10, 20, 24, 50]),
            )
        )
    return found


def scatter(rng: random.Random, latitude: float, longitude: float, radius_km: float) -> tuple[float, float]:
    """A point uniformly spread within `radius_km` of the centre."""
    distance = radius_km * math.sqrt(rng.random())
    bearing = rng.random() * 2 * math.pi
    d_lat = distance / 111.32 * math.cos(bearing)
    d_lng = distance / (111.32 * math.cos(math.radians(latitude))) * math.sin(bearing)
    return round(latitude + d_lat, 6), round(longitude + d_lng, 6)


def demo_customers(demo: DemoTenant, wholesale_list: uuid.UUID) -> list[Customer]:
    rng = random.Random(500)
    found = []
    for i in range(1, demo.customer_count + 1):
        kind = CUSTOMER_TYPES[(i - 1) % (len(CUSTOMER_TYPES) - 1)]
        latitude, longitude = scatter(rng, demo.city_latitude, demo.city_longitude, RADIUS_KM)
        found.append(
            Customer(
                id=demo.customer_id(i),
                tenant_id=demo.id,
                code=demo.customer_code(i),
                name=f"{rng.choice(['Mama', 'Baba', 'Uncle', 'Star', 'City', 'Corner', 'Green'])} {kind.title()} {i}",
                type=kind,
                contact_name=f"Contact {i}",
                phone=f"+254 7{rng.randrange(10, 99)} {rng.randrange(100_000, 999_999)}",
                address=f"Plot {i}, {ROUTES[i % len(ROUTES)].split(' - ')[1]}, Nairobi",
                latitude=latitude,
                longitude=longitude,
                geofence_radius_m=150 if kind in ("supermarket", "wholesale") else 100,
                route=ROUTES[i % len(ROUTES)],
                credit_limit=Decimal(rng.choice([50_000, 100_000, 250_000])),
                payment_terms_days=30 if kind in ("supermarket", "wholesale") else 7,
                price_list_id=wholesale_list if kind in ("wholesale", "supermarket") else None,
            )
        )
    return found


async def _missing(conn: Any, table: str, tenant_id: uuid.UUID, ids: list[uuid.UUID]) -> set[uuid.UUID]:
    rows = await conn.fetch(f"SELECT id FROM {table} WHERE tenant_id = $1 AND id = ANY($2::uuid[])", tenant_id, ids)
    return set(ids) - {r["id"] for r in rows}


async def seed_demo(db: Database, demo: DemoTenant) -> None:
    async with db.transaction() as tx:
        conn = await tx.raw()
        tenant = demo.id
        wanted_categories = [Category(id=category_id(n), tenant_id=tenant, name=n) for n in CATEGORIES]
        missing = await _missing(conn, "categories", tenant, [c.id for c in wanted_categories])
        for category in wanted_categories:
            if category.id in missing:
                await taxonomy.insert(conn, "categories", category)
        wanted_brands = [Brand(id=brand_id(n), tenant_id=tenant, name=n) for n in BRANDS]
        missing = await _missing(conn, "brands", tenant, [b.id for b in wanted_brands])
        for brand in wanted_brands:
            if brand.id in missing:
                await taxonomy.insert(conn, "brands", brand)

        wanted_products = demo_products(demo)
        missing = await _missing(conn, "products", tenant, [p.id for p in wanted_products])
        for product in wanted_products:
            if product.id in missing:
                await products.insert(conn, product)
                await publish(tx, tenant, product.id, [("product.created", product.snapshot())])

        wholesale = PriceList(
            id=demo_id("price_list", PRICE_LIST_NAME), tenant_id=tenant, name=PRICE_LIST_NAME, currency="KES"
        )
        if await _missing(conn, "price_lists", tenant, [wholesale.id]):
            prices = [(p.id, (p.price * Decimal("0.92")).quantize(Decimal("0.01"))) for p in wanted_products[::2]]
            await price_lists.insert(conn, wholesale)
            await price_lists.replace_prices(conn, tenant, wholesale.id, prices)
            stored = await price_lists.prices(conn, tenant, wholesale.id)
            await publish(tx, tenant, wholesale.id, [("price_list.created", wholesale.snapshot(stored))])

        wanted_customers = demo_customers(demo, wholesale.id)
        missing = await _missing(conn, "customers", tenant, [c.id for c in wanted_customers])
        for customer in wanted_customers:
            if customer.id in missing:
                await customers.insert(conn, customer)
                await publish(tx, tenant, customer.id, [("customer.created", customer.snapshot())])
