"""The outbox relay and the consumer runner against a real PostgreSQL and a real NATS JetStream."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator

import pytest
from nats.aio.client import Client
from nats.js import JetStreamContext

from salessync.consumer import ConsumerRunner, Subscription
from salessync.db import Database, Tx
from salessync.embedded import EmbeddedNats
from salessync.events import Event, decode_event, encode_event, new_event
from salessync.nats import connect, ensure_stream
from salessync.outbox import OutboxRelay
from salessync.publish import BatchPublisher
from salessync.testing.helpers import eventually, stream_data

STREAM = "SALESSYNC"


async def stream_events(js, subject: str) -> list[Event]:  # type: ignore[no-untyped-def]
    return [decode_event(data) for data in await stream_data(js, subject)]


@pytest.fixture
async def nc(embedded_nats: EmbeddedNats) -> AsyncIterator[Client]:
    """A connection to the test server with the stream in place; closed after the test."""
    client = await connect(embedded_nats.url, "test")
    await ensure_stream(client.jetstream(), STREAM)
    yield client
    await client.close()


@pytest.fixture
def js(nc: Client) -> JetStreamContext:
    return nc.jetstream()


def an_event(tenant: uuid.UUID, aggregate: str = "a1") -> Event:
    return new_event("widget.created", tenant_id=tenant, aggregate_id=aggregate, payload={"n": 1}, producer="test")


async def test_a_committed_event_is_published_exactly_once_across_a_nats_restart(
    db: Database, embedded_nats: EmbeddedNats, nc: Client, js: JetStreamContext
) -> None:
    tenant = uuid.uuid4()
    relay = OutboxRelay(db, BatchPublisher(nc), poll_interval=0.05, publish_timeout=1.0)
    task = asyncio.create_task(relay.run())
    try:
        first = an_event(tenant)
        async with db.transaction() as tx:
            await tx.add_event(first)
        await eventually(lambda: _drained(db))
        assert [e.event_id for e in await stream_events(js, f"salessync.{tenant}.>")] == [first.event_id]

        embedded_nats.stop()
        second = an_event(tenant, "a2")
        async with db.transaction() as tx:
            await tx.add_event(second)
        await asyncio.sleep(0.3)  # the relay tries and fails while NATS is down
        assert await _unpublished(db) == 1
        embedded_nats.start()
        await eventually(lambda: _drained(db), timeout=20)
        events = await eventually(lambda: _events_when(js, tenant, 2), timeout=10)
        assert [e.event_id for e in events] == [first.event_id, second.event_id]
    finally:
        relay.stop()
        task.cancel()


async def test_a_consumer_goes_on_pulling_across_a_nats_restart(
    db: Database, embedded_nats: EmbeddedNats, nc: Client, js: JetStreamContext
) -> None:
    """The consumer's pull requests die with the server; once its connection is back, the next events are
    handled without a restart of the service (its durable survives in the server's file store)."""
    tenant = uuid.uuid4()
    handled: list[str] = []

    async def handler(tx: Tx, event: Event) -> None:
        handled.append(event.event_id)

    service = f"svc{uuid.uuid4().hex[:6]}"
    runner = ConsumerRunner(service, db, nc, [Subscription("sprocket.made", handler)], fetch_timeout_s=0.5)
    await runner.start()
    try:
        before = new_event("sprocket.made", tenant_id=tenant, aggregate_id="s1", payload={}, producer="test")
        await js.publish(before.subject, encode_event(before))
        await eventually(lambda: _true(handled == [before.event_id]), timeout=10)

        embedded_nats.stop()
        await asyncio.sleep(1.5)  # the consumer's fetches fail or go unanswered meanwhile
        embedded_nats.start()
        after = new_event("sprocket.made", tenant_id=tenant, aggregate_id="s2", payload={}, producer="test")
        await eventually(lambda: _published(js, after), timeout=20)
        await eventually(lambda: _true(handled == [before.event_id, after.event_id]), timeout=20)
        assert runner.alive()
    finally:
        await runner.stop()


async def _published(js: JetStreamContext, event: Event) -> bool:
    """Publish `event` once the connection is back (JetStream drops a second copy by its Msg-Id)."""
    try:
        await js.publish(event.subject, encode_event(event), headers={"Nats-Msg-Id": event.event_id}, timeout=1.0)
    except Exception:
        return False
    return True


async def test_a_rolled_back_transaction_publishes_nothing(db: Database, nc: Client, js: JetStreamContext) -> None:
    tenant = uuid.uuid4()
    with pytest.raises(RuntimeError):
        async with db.transaction() as tx:
            await tx.add_event(an_event(tenant))
            raise RuntimeError("the command failed")
    relay = OutboxRelay(db, BatchPublisher(nc))
    assert await relay.publish_batch() == 0
    assert await stream_events(js, f"salessync.{tenant}.>") == []


async def test_republishing_the_same_rows_is_deduplicated_by_the_stream(
    db: Database, nc: Client, js: JetStreamContext
) -> None:
    tenant = uuid.uuid4()
    event = an_event(tenant)
    async with db.transaction() as tx:
        await tx.add_event(event)
    relay = OutboxRelay(db, BatchPublisher(nc))
    assert await relay.publish_batch() == 1
    assert await _unpublished(db) == 0  # a published row is deleted in the batch's transaction
    # a relay that died after publishing but before its delete committed: the row is there and published again
    async with db.transaction() as tx:
        await tx.add_event(event)
    assert await relay.publish_batch() == 1
    events = await stream_events(js, f"salessync.{tenant}.>")
    assert [e.event_id for e in events] == [event.event_id]


async def test_a_consumer_applies_a_redelivered_event_once_and_terminates_poison(
    db: Database, nc: Client, js: JetStreamContext, caplog: pytest.LogCaptureFixture
) -> None:
    tenant = uuid.uuid4()
    applied: list[str] = []

    async def handler(tx: Tx, event: Event) -> None:
        applied.append(event.event_id)

    event = new_event("gadget.made", tenant_id=tenant, aggregate_id="g", payload={}, producer="test")
    body = encode_event(event)
    await js.publish(event.subject, body)
    await js.publish(event.subject, body)  # the same event delivered twice (no Msg-Id: the stream keeps both)
    await js.publish(event.subject, b"{not json")
    service = f"svc{uuid.uuid4().hex[:6]}"
    runner = ConsumerRunner(service, db, nc, [Subscription("gadget.made", handler)], fetch_timeout_s=0.2)
    with caplog.at_level(logging.INFO, logger="salessync.consumer"):
        await runner.start()
        try:
            await eventually(lambda: _true(runner.handled >= 2), timeout=10)
            await eventually(lambda: _true("poison message terminated" in caplog.text), timeout=10)
        finally:
            await runner.stop()
    assert applied == [event.event_id]
    assert "duplicate event skipped" in caplog.text
    info = await js.consumer_info(STREAM, f"{service}-gadget_made")
    await eventually(lambda: _true(info.num_ack_pending == 0), timeout=5)


async def test_an_event_for_an_idle_consumer_is_handled_at_once_and_a_backlog_in_batches(
    db: Database, nc: Client, js: JetStreamContext
) -> None:
    """nats-py's fetch(batch) waits out its whole timeout for a batch to fill once a first message came; the
    runner must not: with a 30 s fetch timeout, an event reaching an idle consumer is handled long before."""
    tenant = uuid.uuid4()
    batches: list[int] = []
    handled: list[str] = []

    async def handler(tx: Tx, event: Event) -> None:
        handled.append(event.event_id)

    backlog = [
        new_event("gizmo.made", tenant_id=tenant, aggregate_id=f"g{i}", payload={}, producer="test") for i in range(30)
    ]
    for event in backlog:
        await js.publish(event.subject, encode_event(event))
    service = f"svc{uuid.uuid4().hex[:6]}"
    runner = ConsumerRunner(service, db, nc, [Subscription("gizmo.made", handler)], fetch_timeout_s=30.0)
    original = runner.handle_batch

    async def counting(sub: Subscription, durable: str, msgs: list) -> None:  # type: ignore[type-arg]
        batches.append(len(msgs))
        await original(sub, durable, msgs)

    runner.handle_batch = counting  # type: ignore[method-assign]
    await runner.start()
    try:
        await eventually(lambda: _true(len(handled) == 30), timeout=10)
        assert max(batches) > 1  # the backlog came in batches, not one fetch per event

        late = new_event("gizmo.made", tenant_id=tenant, aggregate_id="late", payload={}, producer="test")
        await js.publish(late.subject, encode_event(late))
        await eventually(lambda: _true(late.event_id in handled), timeout=10, message="held for a batch to fill")
    finally:
        await runner.stop()  # returns at once: the idle fetch is cancelled, not waited out


async def _true(value: bool) -> bool:
    return value


async def _unpublished(db: Database) -> int:
    """Rows still in the outbox: the relay deletes each once JetStream has acked it."""
    async with db.transaction() as tx:
        return int(await (await tx.raw()).fetchval("SELECT count(*) FROM outbox"))


async def _drained(db: Database) -> bool:
    return await _unpublished(db) == 0


async def _events_when(js, tenant: uuid.UUID, n: int) -> list[Event] | None:  # type: ignore[no-untyped-def]
    events = await stream_events(js, f"salessync.{tenant}.>")
    return events if len(events) == n else None


class SendHangsOnce:
    """A publisher whose first batch never returns (a send stuck before any ack is awaited)."""

    def __init__(self, publisher: BatchPublisher) -> None:
        self.publisher = publisher
        self.hung = 0

    async def publish(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.hung == 0:
            self.hung += 1
            await asyncio.Event().wait()
        return await self.publisher.publish(*args, **kwargs)


async def test_a_publish_that_never_returns_is_given_up_logged_and_the_batch_published_again(
    db: Database, nc: Client, js: JetStreamContext, caplog: pytest.LogCaptureFixture
) -> None:
    tenant = uuid.uuid4()
    relay = OutboxRelay(db, SendHangsOnce(BatchPublisher(nc)), poll_interval=0.05, publish_timeout=0.2)  # type: ignore[arg-type]
    task = asyncio.create_task(relay.run())
    try:
        with caplog.at_level(logging.WARNING, logger="salessync.outbox"):
            event = an_event(tenant, "hang")
            async with db.transaction() as tx:
                await tx.add_event(event)
            subject = f"salessync.{tenant}.widget.created"
            await eventually(lambda: _stream_has(js, subject, 1), timeout=10)
        assert "outbox relay failed, retrying" in caplog.text  # not a silent stop
        assert [e.event_id for e in await stream_events(js, subject)] == [event.event_id]
        assert relay.alive()
    finally:
        relay.stop()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def _stream_has(js, subject: str, n: int) -> bool:  # type: ignore[no-untyped-def]
    return len(await stream_events(js, subject)) == n
