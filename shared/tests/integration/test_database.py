"""`salessync.db.Database` on a real PostgreSQL: the asyncpg pool every service runs its statements on."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from salessync.db import Database
from salessync.events import new_event


@pytest.fixture
async def single(shared_db_url: str, db: Database) -> AsyncIterator[Database]:
    """A pool of one connection on the test schema: what one block leaves on it, the next one meets."""
    database = Database.from_url(shared_db_url, db.schema, pool_size=1, max_overflow=0)
    yield database
    await database.dispose()


async def test_json_comes_back_decoded_and_goes_in_as_text_or_value(db: Database) -> None:
    async with db.autocommit() as tx:
        raw = await tx.raw()
        assert await raw.fetchval("SELECT $1::jsonb", '{"a": 1}') == {"a": 1}
        assert await raw.fetchval("SELECT $1::jsonb", {"b": [1, 2]}) == {"b": [1, 2]}
        assert await raw.fetchval("SELECT '[1, \"x\"]'::json") == [1, "x"]


async def test_a_failed_transaction_leaves_nothing_and_its_connection_is_reused(single: Database) -> None:
    event_id = str(uuid.uuid4())
    with pytest.raises(RuntimeError):
        async with single.transaction() as tx:
            await (await tx.raw()).execute(
                "INSERT INTO processed_events (consumer, event_id) VALUES ('t', $1)", event_id
            )
            raise RuntimeError("the command failed")
    async with single.transaction() as tx:  # the pool's only connection, rolled back and usable
        found = await (await tx.raw()).fetchval("SELECT count(*) FROM processed_events WHERE event_id = $1", event_id)
    assert found == 0


async def test_a_transaction_left_open_on_a_released_connection_is_rolled_back(single: Database) -> None:
    """The pool's reset does only this (asyncpg's default would add a round trip per release)."""
    event_id = str(uuid.uuid4())
    async with single.autocommit() as tx:
        raw = await tx.raw()
        await raw.execute("BEGIN")
        await raw.execute("INSERT INTO processed_events (consumer, event_id) VALUES ('t', $1)", event_id)
    async with single.autocommit() as tx:
        raw = await tx.raw()
        assert not raw.is_in_transaction()
        assert await raw.fetchval("SELECT count(*) FROM processed_events WHERE event_id = $1", event_id) == 0


async def test_the_relay_is_woken_after_a_commit_with_events_only(db: Database) -> None:
    woken: list[bool] = []
    db.on_events_committed(lambda: woken.append(True))
    event = new_event("widget.made", tenant_id=uuid.uuid4(), aggregate_id="w", payload={}, producer="t")
    with pytest.raises(RuntimeError):
        async with db.transaction() as tx:
            await tx.add_event(event)
            raise RuntimeError("rolled back")
    assert woken == []
    async with db.transaction() as tx:
        await (await tx.raw()).fetchval("SELECT 1")
    assert woken == []
    async with db.transaction() as tx:
        await tx.add_event(event)
    assert woken == [True]


async def test_sessions_carry_the_schema_or_the_given_application_name(shared_db_url: str, db: Database) -> None:
    """PostgreSQL's activity views (and bench/cpu_profile.py) tell the pools apart by it."""
    reads = Database.from_url(shared_db_url, db.schema, pool_size=1, max_overflow=0, application_name="t-reads")
    try:
        for database, expected in ((db, db.schema), (reads, "t-reads")):
            async with database.autocommit() as tx:
                assert await (await tx.raw()).fetchval("SELECT current_setting('application_name')") == expected
    finally:
        await reads.dispose()


async def test_claiming_an_event_begins_its_transaction_and_a_second_claim_gets_none(single: Database) -> None:
    event_id = str(uuid.uuid4())
    async with single.claiming("orders-stock_reserved", event_id) as tx:
        assert tx is not None
        raw = await tx.raw()
        assert raw.is_in_transaction()
        await raw.execute("INSERT INTO processed_events (consumer, event_id) VALUES ('side-effect', $1)", event_id)
    async with single.claiming("orders-stock_reserved", event_id) as again:
        assert again is None
    async with single.claiming("field-order_placed", event_id) as other:  # another consumer claims it for itself
        assert other is not None
    async with single.autocommit() as tx:
        raw = await tx.raw()
        assert not raw.is_in_transaction()  # the refused claim was rolled back before the connection went back
        rows = await raw.fetch("SELECT consumer FROM processed_events WHERE event_id = $1 ORDER BY consumer", event_id)
    assert [r["consumer"] for r in rows] == ["field-order_placed", "orders-stock_reserved", "side-effect"]


async def test_a_failed_handler_gives_its_claim_back_so_the_event_is_handled_again(single: Database) -> None:
    event_id = str(uuid.uuid4())
    with pytest.raises(RuntimeError):
        async with single.claiming("field-order_placed", event_id) as tx:
            assert tx is not None
            raise RuntimeError("the handler failed")
    async with single.claiming("field-order_placed", event_id) as retry:
        assert retry is not None


@pytest.mark.parametrize(
    ("consumer", "event_id"),
    [("x'); DROP TABLE outbox; --", str(uuid.uuid4())), ("field-order_placed", "1'); DROP TABLE outbox; --")],
)
async def test_claiming_refuses_what_is_no_consumer_name_or_event_id(single: Database, consumer, event_id) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        async with single.claiming(consumer, event_id):
            pass
    async with single.autocommit() as tx:
        assert await (await tx.raw()).fetchval("SELECT count(*) FROM outbox") >= 0
