"""Database access: one async engine per process, a schema per service, one transaction per command.

`Database.transaction()` yields a `Tx`: the SQLAlchemy connection for Core statements, the raw asyncpg
connection for hot paths, and `add_event()` which writes to the outbox in the same transaction. When a
transaction that added events commits, the in-process outbox relay is woken so events leave at once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import MetaData, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from salessync.events import Event, encode_event

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def make_metadata(schema: str) -> MetaData:
    """Metadata for one service: its tables live in a schema named after the service."""
    return MetaData(schema=schema, naming_convention=NAMING_CONVENTION)


def async_url(url: str) -> str:
    """Accept plain `postgresql://` URLs and use the asyncpg driver."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, schema: str, *, pool_size: int = 4, max_overflow: int = 4) -> AsyncEngine:
    return create_async_engine(
        async_url(url),
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_pre_ping=False,
        connect_args={"server_settings": {"search_path": f"{schema},public", "application_name": schema}},
    )


async def raw_connection(conn: AsyncConnection) -> Any:
    """The asyncpg connection of `conn`, inside the transaction `conn` has begun.

    SQLAlchemy starts the asyncpg transaction lazily, on its own first statement; a statement sent straight
    to the driver before that would run in autocommit. So the transaction is started here first.
    """
    fairy = await conn.get_raw_connection()
    adapted: Any = fairy.dbapi_connection
    if conn.in_transaction() and not adapted._started:
        await adapted._start_transaction()
    return fairy.driver_connection


class Tx:
    """One open transaction of a command or a consumed event."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn
        self.events: list[Event] = []
        self._raw: Any = None

    async def raw(self) -> Any:
        """The asyncpg connection under this transaction, for hot paths written in plain SQL."""
        if self._raw is None:
            self._raw = await raw_connection(self.conn)
        return self._raw

    async def add_event(self, event: Event) -> None:
        raw = await self.raw()
        await raw.execute(
            "INSERT INTO outbox (event_id, subject, aggregate_id, body) VALUES ($1, $2, $3, $4)",
            event.event_id,
            event.subject,
            event.aggregate_id,
            encode_event(event),
        )
        self.events.append(event)


class Database:
    def __init__(self, engine: AsyncEngine, schema: str) -> None:
        self.engine = engine
        self.schema = schema
        self._on_events: list[Callable[[], None]] = []

    @classmethod
    def from_url(cls, url: str, schema: str, *, pool_size: int = 4, max_overflow: int = 4) -> Database:
        return cls(make_engine(url, schema, pool_size=pool_size, max_overflow=max_overflow), schema)

    def on_events_committed(self, callback: Callable[[], None]) -> None:
        self._on_events.append(callback)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        async with self.engine.begin() as conn:
            tx = Tx(conn)
            yield tx
        if tx.events:
            for callback in self._on_events:
                callback()

    @asynccontextmanager
    async def autocommit(self) -> AsyncIterator[Tx]:
        """A connection with no transaction begun: each statement on `await tx.raw()` commits by itself, and
        `raw.transaction()` makes an explicit one. Events whose outbox rows its statements wrote (appended to
        `tx.events`) wake the relay when the block ends, as after a transaction."""
        async with self.engine.connect() as conn:
            tx = Tx(conn)
            yield tx
        if tx.events:
            for callback in self._on_events:
                callback()

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[Tx]:
        """A read-only unit of work (still one transaction, so reads are consistent)."""
        async with self.transaction() as tx:
            yield tx

    async def ping(self) -> bool:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return True

    async def dispose(self) -> None:
        await self.engine.dispose()
