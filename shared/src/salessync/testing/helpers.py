"""Helpers for integration tests: a service's own database, its app running with lifespan, clean state."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import asyncpg
import httpx
import orjson
import uvicorn
from fastapi import FastAPI
from nats.js.api import ConsumerConfig, DeliverPolicy

from salessync.db import Database
from salessync.embedded import EmbeddedPostgres, free_port
from salessync.migrations import upgrade
from salessync.registry import discover
from salessync.settings import ServiceSettings
from salessync.testing.tokens import TestKeys

S = TypeVar("S", bound=ServiceSettings)


def migrated_database(pg: EmbeddedPostgres, service: str) -> str:
    """A fresh database for one test module, with `service`'s migrations applied; returns its URL."""
    spec = next(s for s in discover() if s.name == service)
    name = f"t_{service}_{uuid.uuid4().hex[:8]}"
    url = pg.create_database(name)
    upgrade(spec.service_dir, url)
    return url


def settings_for(settings_cls: type[S], *, database_url: str, nats_url: str, keys: TestKeys, **overrides: Any) -> S:
    data: dict[str, Any] = {
        "environment": "test",
        "log_level": "WARNING",
        "database": {"url": database_url, "pool_size": 4},
        "nats": {"url": nats_url},
        "auth": {"jwks_json": keys.jwks_json()},
        "http": {"host": "127.0.0.1", "port": 0},
    }
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return settings_cls(**data)


@asynccontextmanager
async def running_app(app: FastAPI, base_url: str = "http://testserver") -> AsyncIterator[httpx.AsyncClient]:
    """The app with its lifespan (database, NATS, relay, consumers) and an HTTP client bound to it."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=base_url, timeout=30) as client:
            yield client


@asynccontextmanager
async def serving(app: Any, *, port: int | None = None, **options: Any) -> AsyncIterator[str]:
    """Serve `app` with uvicorn in this event loop on 127.0.0.1 (real sockets); yields its base URL.

    `options` are further `uvicorn.Config` settings (WebSocket protocol, ping interval, ...). Stopping is bounded."""
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port or free_port(),
        log_config=None,
        log_level="warning",
        lifespan="on",
        **options,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())

    async def started() -> bool:
        if task.done():
            task.result()  # start-up failed: raise its error here
        return server.started

    await eventually(started, timeout=10)
    try:
        yield f"http://127.0.0.1:{config.port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=15)


async def truncate_all(database_url: str, schema: str) -> None:
    """Empty every table of a service's schema (per-test clean state), keeping the migrations table."""
    dsn = database_url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(dsn)
    try:
        tables = await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = $1 AND tablename <> 'alembic_version'", schema
        )
        if tables:
            names = ", ".join(f'"{schema}"."{t["tablename"]}"' for t in tables)
            await conn.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    finally:
        await conn.close()


T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T]], *, timeout: float = 10.0, interval: float = 0.05, message: str = ""
) -> T:
    """Poll `probe` until it returns a truthy value, or fail after `timeout` seconds (never a bare sleep)."""
    deadline = asyncio.get_running_loop().time() + timeout
    last: Any = None
    while True:
        last = await probe()
        if last:
            return last
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(message or f"condition not met within {timeout}s (last value: {last!r})")
        await asyncio.sleep(interval)


def database_for(url: str, schema: str) -> Database:
    return Database.from_url(url, schema, pool_size=2, max_overflow=2)


async def stream_data(js: Any, subject: str) -> list[bytes]:
    """Every message the stream holds on `subject`, in stream order: read with an ephemeral ordered consumer
    until it has been quiet for 0.3 s."""
    data: list[bytes] = []
    sub = await js.subscribe(subject, ordered_consumer=True, config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL))
    try:
        while True:
            try:
                msg = await sub.next_msg(timeout=0.3)
            except Exception:
                break
            data.append(msg.data)
    finally:
        await sub.unsubscribe()
    return data


async def published_events(db: Database, js: Any, tenant_id: Any, *, producer: str | None) -> list[dict[str, Any]]:
    """What a service wrote to its outbox for a tenant, read where the relay put it: waits until the outbox is
    empty (the relay deletes each row once JetStream has acked it), then reads the tenant's events from the
    stream, in order, those of `producer` only unless it is None. A row published twice is there once: JetStream
    drops the copy by its event id."""

    async def drained() -> bool:
        async with db.transaction() as tx:
            return not await (await tx.raw()).fetchval("SELECT count(*) FROM outbox")

    await eventually(drained, message="the outbox was not published")
    events = [orjson.loads(data) for data in await stream_data(js, f"salessync.{tenant_id}.>")]
    return [e for e in events if producer in (None, e["producer"])]


async def wait_until_blocked(watcher: Any, pids: list[int], *, timeout: float = 10.0) -> None:
    """Wait until the backend whose pid `pids` holds (filled in by the task under test) waits for a lock, as
    `pg_stat_activity` on the `watcher` connection shows it: a deadlock test's fixed interleaving."""

    async def blocked() -> bool:
        return bool(
            pids
            and await watcher.fetchval("SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = $1", pids[0])
        )

    await eventually(blocked, timeout=timeout, message="the transaction under test never waited for a lock")


async def interleave_locks(
    db: Database,
    first: Callable[[Any], Awaitable[Any]],
    under_test: Callable[[Any], Awaitable[Any]],
    second: Callable[[Any], Awaitable[Any]],
    *,
    timeout: float = 10.0,
) -> None:
    """A lock-order deadlock's interleaving, the same every run. Another transaction takes its first lock
    (`first(connection)`); `under_test(tx)` runs in a transaction of `db` until it waits for a lock
    (`wait_until_blocked`); the other transaction then takes its second lock (`second(connection)`) and commits,
    and `under_test` must finish. When the two take their locks in opposite orders, PostgreSQL fails one of them
    with `DeadlockDetectedError`, which this raises."""
    pool = await db.pool()
    async with pool.acquire() as other, pool.acquire() as watcher:
        locking = other.transaction()
        await locking.start()
        await first(other)
        pids: list[int] = []

        async def run() -> None:
            async with db.transaction() as tx:
                pids.append(await (await tx.raw()).fetchval("SELECT pg_backend_pid()"))
                await under_test(tx)

        task = asyncio.create_task(run())
        try:
            await wait_until_blocked(watcher, pids, timeout=timeout)
            await asyncio.wait_for(second(other), timeout=timeout)
            await locking.commit()
        except BaseException:
            await locking.rollback()
            await asyncio.gather(task, return_exceptions=True)
            raise
        await asyncio.wait_for(task, timeout=timeout)
