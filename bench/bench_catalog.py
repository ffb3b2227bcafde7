"""Catalog lists and search at scale: 100,000 products and 100,000 customers in one tenant.

    python -m bench.bench_catalog [--duration 10] [--concurrency 32] [--rows 100000]

Standalone, it starts an embedded PostgreSQL and NATS in a temp dir, migrates catalog, loads `--rows` products and
customers into one tenant with COPY (straight into catalog's database, then VACUUM ANALYZE), runs catalog under
uvicorn on a free 127.0.0.1 port with a test signing key, and measures p50/p95/p99 of pages of 50:
the default list, search (word prefixes of names, code prefixes, barcodes, phone digits, varied per request),
filters with another sort, and a deep page.

`async def run(ctx) -> list[dict]` (for `bench/run.py`) first measures the demo tenant's lists and search through
the running system's gateway (200 products, 500 customers: the TARGETS.md rows), then the same scale rows as
standalone against its own catalog instance, since the running system's database is not reachable from the
bench context.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp
import asyncpg

from bench.common import LoadResult, check_loopback, new_session, run_load, wait_ready
from salessync.demo import DEMO
from salessync.embedded import EmbeddedNats, EmbeddedPostgres, free_port
from salessync.migrations import upgrade
from salessync.registry import discover
from salessync.testing.tokens import TestKeys, bearer

ROOT = Path(__file__).resolve().parents[1]
BRANDS = ["Sunrise", "Baraka", "Tamu", "Safi", "Nyota", "Kilele", "Maziwa", "Upendo", "Jambo", "Simba", "Twiga",
          "Duma", "Pwani", "Mlima", "Zawadi", "Furaha", "Amani", "Kifaru", "Ndovu", "Chui"]  # fmt: skip
KINDS = ["Soda", "Juice", "Water", "Energy Drink", "Tea", "Crisps", "Biscuits", "Peanuts", "Chocolate", "Popcorn",
         "Milk", "Yoghurt", "Butter", "Cheese", "Detergent", "Soap", "Bleach", "Tissue", "Toothpaste", "Lotion",
         "Shampoo", "Flour", "Rice", "Sugar", "Cooking Oil"]  # fmt: skip
SIZES = ["250ml", "500ml", "1L", "2L", "100g", "250g", "500g", "1kg", "2kg", "6-pack"]
PLACES = ["Mama", "Baba", "Star", "City", "Corner", "Green", "Royal", "Sunset", "Hilltop", "Market", "Station",
          "Riverside", "Junction", "Unity", "Prime"]  # fmt: skip
TYPES = ["retail", "wholesale", "supermarket", "kiosk", "pharmacy", "horeca", "other"]
ROUTES = [f"Route {c}" for c in "ABCDEFGHIJKLMNOPQRST"]


def product_records(tenant: uuid.UUID, n: int, categories: list[uuid.UUID], brands: list[uuid.UUID]) -> Iterator[tuple]:
    rng = random.Random(1)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(1, n + 1):
        b, k = rng.randrange(len(BRANDS)), rng.randrange(len(KINDS))
        price = Decimal(rng.randrange(50, 500_00)) / 100
        stamp = start + timedelta(seconds=i * 60)
        yield (
            uuid.uuid4(), tenant, f"P{i:06d}", f"{BRANDS[b]} {KINDS[k]} {rng.choice(SIZES)} {i}", None,
            f"61{i:011d}", categories[k % len(categories)], brands[b % len(brands)], "pcs", price,
            (price * Decimal("0.7")).quantize(Decimal("0.01")), Decimal("0.16"), 10, "active", 1, stamp, stamp,
        )  # fmt: skip


def customer_records(tenant: uuid.UUID, n: int) -> Iterator[tuple]:
    rng = random.Random(2)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(1, n + 1):
        kind = TYPES[i % len(TYPES)]
        stamp = start + timedelta(seconds=i * 60)
        yield (
            uuid.uuid4(), tenant, f"C{i:06d}", f"{rng.choice(PLACES)} {kind.title()} {i}", kind, f"Owner {i}",
            f"+254 7{rng.randrange(10, 99)} {rng.randrange(100_000, 999_999)}", None, f"Plot {i}",
            DEMO.city_latitude + rng.uniform(-0.09, 0.09), DEMO.city_longitude + rng.uniform(-0.09, 0.09), 100,
            ROUTES[i % len(ROUTES)], Decimal("50000"), 30, None, "active", 1, stamp, stamp,
        )  # fmt: skip


PRODUCT_COLUMNS = ["id", "tenant_id", "code", "name", "description", "barcode", "category_id", "brand_id", "unit",
                   "price", "cost", "tax_rate", "reorder_level", "status", "version", "created_at", "updated_at"]  # fmt: skip
CUSTOMER_COLUMNS = ["id", "tenant_id", "code", "name", "type", "contact_name", "phone", "email", "address",
                    "latitude", "longitude", "geofence_radius_m", "route", "credit_limit", "payment_terms_days",
                    "price_list_id", "status", "version", "created_at", "updated_at"]  # fmt: skip


async def load_rows(url: str, tenant: uuid.UUID, n: int) -> dict[str, Any]:
    """`n` products (in 25 categories, 20 brands) and `n` customers with COPY; returns ids the queries use."""
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        categories = [uuid.uuid4() for _ in KINDS]
        brands = [uuid.uuid4() for _ in BRANDS]
        await conn.copy_records_to_table(
            "categories", schema_name="catalog", columns=["id", "tenant_id", "name"],
            records=[(c, tenant, k) for c, k in zip(categories, KINDS, strict=True)],
        )  # fmt: skip
        await conn.copy_records_to_table(
            "brands", schema_name="catalog", columns=["id", "tenant_id", "name"],
            records=[(b, tenant, name) for b, name in zip(brands, BRANDS, strict=True)],
        )  # fmt: skip
        await conn.copy_records_to_table(
            "products", schema_name="catalog", columns=PRODUCT_COLUMNS,
            records=product_records(tenant, n, categories, brands),
        )  # fmt: skip
        await conn.copy_records_to_table(
            "customers", schema_name="catalog", columns=CUSTOMER_COLUMNS, records=customer_records(tenant, n)
        )
        await conn.execute("VACUUM ANALYZE catalog.products")
        await conn.execute("VACUUM ANALYZE catalog.customers")
    finally:
        await conn.close()
    return {"categories": categories, "brands": brands}


def rotating_get(paths: list[str], base: str, headers: dict[str, str]) -> Any:
    """GET a different path each call (round robin), so search is not one cached plan on one hot page."""
    check_loopback(base)
    cycle = itertools.cycle(paths)

    async def call(session: aiohttp.ClientSession) -> bool:
        async with session.get(base + next(cycle), headers=headers) as answer:
            await answer.read()
            return answer.status == 200

    return call


def scale_queries(n: int, ids: dict[str, Any]) -> list[tuple[str, list[str]]]:
    rng = random.Random(3)
    words = [w.lower() for w in BRANDS + KINDS]
    product_searches = (
        [quote(f"{rng.choice(BRANDS)} {rng.choice(KINDS).split()[0]}") for _ in range(40)]
        + [quote(w[:3]) for w in rng.sample(words, 20)]
        + [f"P{rng.randrange(1, n // 100):04d}" for _ in range(20)]
        + [f"61{rng.randrange(1, n):011d}" for _ in range(20)]
    )
    customer_searches = (
        [quote(f"{rng.choice(PLACES)} {rng.choice(TYPES)}") for _ in range(40)]
        + [f"C{rng.randrange(1, n // 100):04d}" for _ in range(30)]
        + [f"2547{rng.randrange(10, 99)}" for _ in range(30)]
    )
    return [
        ("GET /api/products (page of 50)", ["/api/products?page=1&limit=50"]),
        ("GET /api/products?search= (varied)", [f"/api/products?page=1&limit=50&search={s}" for s in product_searches]),
        (
            "GET /api/products?category_id=&status=active&sort=-price",
            [f"/api/products?page=1&limit=50&status=active&sort=-price&category_id={c}" for c in ids["categories"]],
        ),
        (
            "GET /api/products?page=1000&sort=-created_at (deep page)",
            ["/api/products?page=1000&limit=50&sort=-created_at"],
        ),
        ("GET /api/customers (page of 50)", ["/api/customers?page=1&limit=50"]),
        (
            "GET /api/customers?search= (varied)",
            [f"/api/customers?page=1&limit=50&search={s}" for s in customer_searches],
        ),
        (
            "GET /api/customers?route=&type=",
            [f"/api/customers?page=1&limit=50&route={quote(r)}&type={t}" for r in ROUTES for t in TYPES],
        ),
    ]


def cpu_ticks(pids: list[int]) -> int:
    """User + system clock ticks used so far by these processes (those that are gone count 0)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total


def children_of(pid: int) -> list[int]:
    """The processes whose parent is `pid` (PostgreSQL's backends of one postmaster)."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return out


async def measure(
    base: str, headers: dict[str, str], queries: list[tuple[str, list[str]]], concurrency: int, duration_s: float,
    note: str, cpu_of: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """Each query set under load; with `cpu_of` ({label: pid or callable giving pids}), the note also says the
    CPU milliseconds per request each used (steadier than req/s on a shared machine)."""
    rows = []
    tick_ms = 1000 / os.sysconf("SC_CLK_TCK")
    async with new_session(concurrency) as session:
        for name, paths in queries:
            call = rotating_get(paths, base, headers)
            if cpu_of:  # every pooled connection open before the processes are listed
                await asyncio.gather(*(call(session) for _ in range(concurrency)))
            pids = {k: (v() if callable(v) else [v]) for k, v in (cpu_of or {}).items()}
            before = {k: cpu_ticks(v) for k, v in pids.items()}
            result: LoadResult = await run_load(
                name, call, session, concurrency=concurrency, duration_s=duration_s, warmup=min(len(paths), 100)
            )
            used = {k: (cpu_ticks(pids[k]) - before[k]) * tick_ms / max(result.requests, 1) for k in pids}
            result.note = note + "".join(f"; {k} CPU {ms:.2f} ms/req" for k, ms in used.items())
            rows.append(result.row())
    return rows


async def scale_rows(
    rows_per_table: int, concurrency: int, duration_s: float, caches: tuple[bool, ...] = (False, True)
) -> list[dict[str, Any]]:
    """Own PostgreSQL + NATS + catalog under uvicorn, `rows_per_table` products and customers in one tenant;
    the whole set once per entry of `caches` (catalog's page cache off, then on)."""
    keys = TestKeys()
    tenant = uuid.uuid4()
    with tempfile.TemporaryDirectory(prefix="ss-bc-", dir="/tmp") as tmp:
        pg = EmbeddedPostgres(Path(tmp) / "pg")
        nats_server = EmbeddedNats(Path(tmp) / "nats", free_port())
        pg.start()
        nats_server.start()
        try:
            spec = next(s for s in discover() if s.name == "catalog")
            url = pg.create_database("bench_catalog")
            upgrade(spec.service_dir, url)
            started = time.perf_counter()
            ids = await load_rows(url, tenant, rows_per_table)
            load_s = time.perf_counter() - started
            rows: list[dict[str, Any]] = []
            for cached in caches:
                port = free_port()
                env = {**os.environ, "CATALOG_DATABASE__URL": url, "CATALOG_NATS__URL": nats_server.url,
                       "CATALOG_AUTH__JWKS_JSON": keys.jwks_json(), "CATALOG_LOG_LEVEL": "WARNING",
                       "CATALOG_LIST_CACHE_MB": "32" if cached else "0"}  # fmt: skip
                proc = subprocess.Popen(  # noqa: ASYNC220 (started once per set, before its load)
                    [sys.executable, "-m", "uvicorn", "catalog.main:create_app", "--factory", "--host", "127.0.0.1",
                     "--port", str(port), "--no-access-log", "--log-level", "warning", "--loop", "uvloop",
                     "--http", "httptools"],
                    cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                )  # fmt: skip
                try:
                    base = f"http://127.0.0.1:{port}"
                    await wait_ready(base + "/ready", proc)
                    headers = bearer(keys.mint(user_id=uuid.uuid4(), tenant_id=tenant, role="salesman"))
                    note = (
                        f"catalog alone, page cache {'on (repeated pages)' if cached else 'off'}, "
                        f"{rows_per_table:,} products + {rows_per_table:,} customers (COPY in {load_s:.0f} s)"
                    )
                    cpu_of = {"catalog": proc.pid, "postgres": lambda: children_of(pg_postmaster(pg))}
                    queries = scale_queries(rows_per_table, ids)
                    rows += await measure(base, headers, queries, concurrency, duration_s, note, cpu_of)
                finally:
                    proc.terminate()
                    proc.wait(timeout=15)
            return rows
        finally:
            nats_server.stop()
            pg.stop()


def pg_postmaster(pg: EmbeddedPostgres) -> int:
    """The postmaster's pid, from the first line of its `postmaster.pid`."""
    return int((pg.data_dir / "postmaster.pid").read_text().split()[0])


DEMO_QUERIES = [
    ("GET /api/products (page of 50)", ["/api/products?page=1&limit=50"]),
    ("GET /api/products?search= (demo words)", [f"/api/products?page=1&limit=50&search={w}"
                                                for w in ("soda", "sunrise", "milk", "P00", "tamu%20tea", "616")]),
    ("GET /api/customers (page of 50)", ["/api/customers?page=1&limit=50"]),
    ("GET /api/customers?search= (demo words)", [f"/api/customers?page=1&limit=50&search={w}"
                                                 for w in ("kiosk", "mama", "C01", "2547")]),
]  # fmt: skip


async def run(ctx: Any) -> list[dict[str, Any]]:
    headers = await ctx.auth_headers(DEMO.user("admin").email)
    rows = await measure(ctx.base_url, headers, DEMO_QUERIES, ctx.concurrency, ctx.duration_s,
                         "through the gateway, demo tenant (200 products, 500 customers)")  # fmt: skip
    return rows + await scale_rows(100_000, ctx.concurrency, min(ctx.duration_s, 10.0))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_catalog")
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rows", type=int, default=100_000, help="products and customers in the tenant")
    parser.add_argument("--cache", choices=("both", "off", "on"), default="both", help="catalog's page cache")
    args = parser.parse_args()
    caches = {"both": (False, True), "off": (False,), "on": (True,)}[args.cache]
    rows = asyncio.run(scale_rows(args.rows, args.concurrency, min(args.duration, 60.0), caches))
    columns = ("requests", "req/s", "p50", "p95", "p99", "errors")
    print("| work | " + " | ".join(columns) + " |")
    print("|---" * (len(columns) + 1) + "|")
    for row in rows:
        print(f"| {row['name']} | " + " | ".join(str(row[c]) for c in columns) + " |")
    for row in rows:
        print(f"- {row['name']}: {row['note']}")


if __name__ == "__main__":
    main()
