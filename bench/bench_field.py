"""Field's stock engine under 32 concurrent callers: adjustments/s over HTTP and reservations/s of the command.

    python -m bench.bench_field [--duration 10] [--concurrency 32]

Standalone, it starts an embedded PostgreSQL and NATS in a temp dir, migrates and seeds field (demo warehouse,
500 units of each of 200 products), runs field under uvicorn on a free 127.0.0.1 port with a test signing key,
and measures:
- `POST /api/inventory/adjustments` (+1/-1 on random demo products, as warehouse staff), with the HTTP stack;
- `reserve_order` + `release_order` of one-line orders (the `order.placed` consumer's work without NATS), each
  in its own transaction, against the same database: the row-lock path every order takes.

`async def run(ctx) -> list[dict]` does the same for `bench/run.py`: the HTTP row goes to the running system's
field service (a demo warehouse-staff login), the reservation row uses its own embedded PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiohttp

from bench.common import LoadResult, http_call, new_session, run_load, wait_ready
from salessync.db import Database
from salessync.demo import DEMO
from salessync.embedded import EmbeddedNats, EmbeddedPostgres, free_port
from salessync.migrations import upgrade
from salessync.registry import discover
from salessync.testing.tokens import TestKeys, bearer

ROOT = Path(__file__).resolve().parents[1]


def _adjustment_call(url: str, headers: dict[str, str]) -> Any:
    """+1 then -1 on random demo products at the demo warehouse: stock stays near 500, rows spread out."""
    rng = random.Random(1)
    calls = {
        sign: [
            http_call(
                "POST",
                url,
                headers=headers,
                json={
                    "location_id": str(DEMO.warehouse_id),
                    "product_id": str(DEMO.product_id(i)),
                    "quantity": sign,
                    "reason": "count",
                },
                ok=(201,),
            )
            for i in range(1, DEMO.product_count + 1)
        ]
        for sign in (1, -1)
    }
    turn = [0]

    async def call(session: aiohttp.ClientSession) -> bool:
        turn[0] += 1
        return await rng.choice(calls[1 if turn[0] % 2 else -1])(session)

    return call


async def reservations_row(db: Database, concurrency: int, duration_s: float) -> dict[str, Any]:
    """Reserve then release one-line orders against the demo warehouse, `concurrency` at a time."""
    from field.domain.orders import OrderLine, PlacedOrder
    from field.service_layer import reservations

    rng = random.Random(2)
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + duration_s
    started = time.perf_counter()

    async def worker() -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            product = DEMO.product_id(rng.randint(1, DEMO.product_count))
            order = PlacedOrder(uuid.uuid4(), None, None, "credit", Decimal("1.00"), [OrderLine(product, 1)])
            t0 = time.perf_counter()
            async with db.transaction() as tx:
                result = await reservations.reserve_order(tx, DEMO.id, order)
            latencies.append((time.perf_counter() - t0) * 1000)
            if result.status != "reserved":
                errors += 1
            async with db.transaction() as tx:
                await reservations.release_order(tx, DEMO.id, order.order_id)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    result = LoadResult("reserve_order (1 line, command + outbox, own transaction)", len(latencies), errors,
                        elapsed, latencies, concurrency, note="each followed by its release (not timed)")  # fmt: skip
    return result.row()


async def _seeded_database(pg: EmbeddedPostgres) -> tuple[str, Database]:
    from field.seed import seed_demo

    spec = next(s for s in discover() if s.name == "field")
    url = pg.create_database(f"bench_field_{uuid.uuid4().hex[:6]}")
    upgrade(spec.service_dir, url)
    db = Database.from_url(url, "field", pool_size=8, max_overflow=8)
    await seed_demo(db, DEMO)
    return url, db


async def _own_reservations_row(concurrency: int, duration_s: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="ss-bf-", dir="/tmp") as tmp:
        pg = EmbeddedPostgres(Path(tmp) / "pg")
        pg.start()
        try:
            _, db = await _seeded_database(pg)
            try:
                return await reservations_row(db, concurrency, duration_s)
            finally:
                await db.dispose()
        finally:
            pg.stop()


async def run(ctx: Any) -> list[dict[str, Any]]:
    headers = await ctx.auth_headers(DEMO.user("warehouse_staff").email)
    service = "field" if "field" in ctx.ports else None
    call = _adjustment_call(ctx.url("/api/inventory/adjustments", service), headers)
    result = await ctx.load_call(f"POST /api/inventory/adjustments ({'field direct' if service else 'gateway'})", call)
    return [result.row(), await _own_reservations_row(ctx.concurrency, min(ctx.duration_s, 10.0))]


async def standalone(concurrency: int, duration_s: float) -> list[dict[str, Any]]:
    keys = TestKeys()
    with tempfile.TemporaryDirectory(prefix="ss-bf-", dir="/tmp") as tmp:
        pg = EmbeddedPostgres(Path(tmp) / "pg")
        nats_server = EmbeddedNats(Path(tmp) / "nats", free_port())
        pg.start()
        nats_server.start()
        port = free_port()
        proc = None
        try:
            url, db = await _seeded_database(pg)
            env = {**os.environ, "FIELD_DATABASE__URL": url, "FIELD_NATS__URL": nats_server.url,
                   "FIELD_AUTH__JWKS_JSON": keys.jwks_json(), "FIELD_LOG_LEVEL": "WARNING"}  # fmt: skip
            proc = subprocess.Popen(  # noqa: ASYNC220 (started once, before the load)
                [sys.executable, "-m", "uvicorn", "field.main:create_app", "--factory", "--host", "127.0.0.1",
                 "--port", str(port), "--no-access-log", "--log-level", "warning"],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
            )  # fmt: skip
            base = f"http://127.0.0.1:{port}"
            headers = bearer(keys.mint(user_id=uuid.uuid4(), tenant_id=DEMO.id, role="warehouse_staff"))
            async with new_session(concurrency) as session:
                await wait_ready(base + "/ready", proc)
                call = _adjustment_call(base + "/api/inventory/adjustments", headers)
                http = await run_load("POST /api/inventory/adjustments (field alone)", call, session,
                                      concurrency=concurrency, duration_s=duration_s, warmup=32)  # fmt: skip
            rows = [http.row(), await reservations_row(db, concurrency, duration_s)]
            await db.dispose()
            return rows
        finally:
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=15)
            nats_server.stop()
            pg.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_field")
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    for row in asyncio.run(standalone(args.concurrency, min(args.duration, 60.0))):
        print(row)


if __name__ == "__main__":
    main()
