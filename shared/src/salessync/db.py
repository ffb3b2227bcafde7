"""Database access: one asyncpg pool per process, a schema per service, one transaction per command.

`Database.transaction()` yields a `Tx`: the asyncpg connection inside the transaction (`await tx.raw()`), and
`add_event()`, which writes to the outbox in the same transaction. When a transaction that added events commits,
the in-process outbox relay is woken so events leave at once.

Every statement the services run is plain SQL on asyncpg, so the pool is asyncpg's own. SQLAlchemy describes the
tables (for Alembic) and nothing else: checking a connection out through its engine (a greenlet, its pool's
bookkeeping and a separate BEGIN round trip) cost 10-13% of a consumer's CPU (bench/cpu_profile.py, py-spy).
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import orjson
from sqlalchemy import MetaData
from sqlalchemy.engine import make_url

from salessync.events import Event, encode_event

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
IDLE_LIFETIME_S = 300.0  # a pooled connection idle this long is closed
_CONSUMER_NAME = re.compile(r"[A-Za-z0-9_.-]{1,200}")


def make_metadata(schema: str) -> MetaData:
    """Metadata for one service: its tables live in a schema named after the service."""
    return MetaData(schema=schema, naming_convention=NAMING_CONVENTION)


def async_url(url: str) -> str:
    """Accept plain `postgresql://` URLs and use the asyncpg driver (SQLAlchemy's form, for Alembic)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed.render_as_string(hide_password=False)


def plain_dsn(url: str) -> str:
    """The URL as asyncpg takes it (`postgresql://`), whatever driver suffix it was given with."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _init_connection(conn: asyncpg.Connection) -> None:
    """json and jsonb come back decoded; parameters are passed as JSON text (the services encode with orjson)."""
    for name in ("json", "jsonb"):
        await conn.set_type_codec(name, schema="pg_catalog", encoder=_as_text, decoder=orjson.loads, format="text")


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else orjson.dumps(value).decode()


async def _reset(conn: asyncpg.Connection) -> None:
    """On release: roll back what a failed block left open, nothing else. asyncpg's default reset (RESET ALL,
    UNLISTEN, advisory unlocks) is a round trip per release; the services keep no session state (their advisory
    locks are transaction-scoped)."""
    if conn.is_in_transaction():
        await conn.execute("ROLLBACK")


class Tx:
    """One open transaction of a command or a consumed event (or, from `autocommit()`, a connection with none)."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn
        self.events: list[Event] = []

    async def raw(self) -> Any:
        """The asyncpg connection under this transaction, for statements in plain SQL."""
        return self.conn

    async def add_event(self, event: Event) -> None:
        """Write `event` to the outbox in this transaction; the relay publishes it after the commit."""
        await self.add_events([event])

    async def add_events(self, events: list[Event]) -> None:
        """Write `events` to the outbox in this transaction, in order, in one statement (the relay publishes
        them in this order)."""
        if not events:
            return
        await self.conn.execute(
            "INSERT INTO outbox (event_id, subject, aggregate_id, body) "
            "SELECT i, s, a, b FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bytea[]) "
            "WITH ORDINALITY AS e(i, s, a, b, n) ORDER BY n",
            [e.event_id for e in events],
            [e.subject for e in events],
            [str(e.aggregate_id) for e in events],
            [encode_event(e) for e in events],
        )
        self.events.extend(events)


class Database:
    """A lazily opened asyncpg pool of up to `pool_size + max_overflow` connections to one service's schema.

    The pool opens on first use inside the running event loop, so a `Database` can be made anywhere; a database
    that is down at that moment fails that use only, and the next one tries again."""

    def __init__(self, url: str, schema: str, *, max_size: int, application_name: str | None = None) -> None:
        self.dsn = plain_dsn(url)
        self.schema = schema
        self.max_size = max_size
        self.application_name = application_name or schema  # how PostgreSQL's activity views name its sessions
        self._pool: asyncpg.Pool | None = None
        self._opening: asyncio.Lock | None = None
        self._on_events: list[Callable[[], None]] = []

    @classmethod
    def from_url(
        cls, url: str, schema: str, *, pool_size: int = 4, max_overflow: int = 4, application_name: str | None = None
    ) -> Database:
        return cls(url, schema, max_size=pool_size + max_overflow, application_name=application_name)

    def on_events_committed(self, callback: Callable[[], None]) -> None:
        self._on_events.append(callback)

    async def pool(self) -> asyncpg.Pool:
        if self._pool is not None:
            return self._pool
        if self._opening is None:
            self._opening = asyncio.Lock()
        async with self._opening:
            if self._pool is None:
                self._pool = await asyncpg.create_pool(
                    self.dsn,
                    min_size=0,
                    max_size=self.max_size,
                    max_inactive_connection_lifetime=IDLE_LIFETIME_S,
                    init=_init_connection,
                    reset=_reset,
                    server_settings={"search_path": f"{self.schema},public", "application_name": self.application_name},
                )
        return self._pool

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        pool = self._pool or await self.pool()
        async with pool.acquire() as conn, conn.transaction():
            tx = Tx(conn)
            yield tx
        self._committed(tx)

    @asynccontextmanager
    async def claiming(self, consumer: str, event_id: str) -> AsyncIterator[Tx | None]:
        """A transaction in which `consumer` has recorded `event_id` as processed, begun in the same round trip
        as that insert (one simple-protocol query: `BEGIN; INSERT ... ON CONFLICT DO NOTHING`, whose status
        says whether the row was new); None, with nothing left open, when the event was processed before.

        A consumed event's transaction was BEGIN, the claim, the handler's statements and COMMIT: for a small
        handler, BEGIN was a quarter of its round trips. The values go into the query text, so both are checked
        first: the consumer name against a strict pattern, the event id by parsing it as a UUID."""
        if not _CONSUMER_NAME.fullmatch(consumer):
            raise ValueError(f"not a consumer name: {consumer!r}")
        claim = (
            "BEGIN; INSERT INTO processed_events (consumer, event_id) "
            f"VALUES ('{consumer}', '{uuid.UUID(event_id)}') ON CONFLICT DO NOTHING"
        )
        pool = self._pool or await self.pool()
        async with pool.acquire() as conn:
            if await conn.execute(claim) != "INSERT 0 1":
                await conn.execute("ROLLBACK")
                yield None
                return
            tx = Tx(conn)
            try:
                yield tx
            except BaseException:
                if conn.is_in_transaction() and not conn.is_closed():
                    await conn.execute("ROLLBACK")
                raise
            await conn.execute("COMMIT")
        self._committed(tx)

    @asynccontextmanager
    async def autocommit(self) -> AsyncIterator[Tx]:
        """A connection with no transaction begun: each statement on `await tx.raw()` commits by itself, and
        `raw.transaction()` makes an explicit one. Events whose outbox rows its statements wrote (appended to
        `tx.events`) wake the relay when the block ends, as after a transaction."""
        pool = self._pool or await self.pool()
        async with pool.acquire() as conn:
            tx = Tx(conn)
            yield tx
        self._committed(tx)

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[Tx]:
        """A read-only unit of work (still one transaction, so reads are consistent)."""
        async with self.transaction() as tx:
            yield tx

    def _committed(self, tx: Tx) -> None:
        if tx.events:
            for callback in self._on_events:
                callback()

    async def ping(self) -> bool:
        pool = self._pool or await self.pool()
        await pool.fetchval("SELECT 1")
        return True

    async def dispose(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()
