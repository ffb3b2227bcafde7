"""A fetched batch of events is handled in one transaction; a batch that fails is handled again event by event.

Real PostgreSQL and JetStream. Each handler's effect is an outbox row named after the event it handled (the relay
is not running, so rows stay), so what committed, and how often, can be counted."""

from __future__ import annotations

import logging
import uuid

import orjson
import pytest

from salessync.consumer import ConsumerRunner, Subscription
from salessync.db import Database, Tx
from salessync.embedded import EmbeddedNats
from salessync.errors import DomainError
from salessync.events import Event, encode_event, new_event
from salessync.nats import connect, ensure_stream
from salessync.testing.helpers import eventually

STREAM = "SALESSYNC"


def event_type() -> str:
    """A type of this test's own, so no other test's events on the shared stream reach its consumer."""
    return "batch" + "".join(chr(97 + int(c, 16) % 26) for c in uuid.uuid4().hex[:8]) + ".made"


async def correlations(db: Database) -> dict[str, str | None]:
    """Handled event id -> the correlation id of the effect its handler wrote."""
    async with db.autocommit() as tx:
        rows = await (await tx.raw()).fetch("SELECT aggregate_id, body FROM outbox")
    return {r["aggregate_id"]: orjson.loads(r["body"])["correlation_id"] for r in rows}


async def effects(db: Database) -> dict[str, int]:
    """Handled event id -> how many times its effect committed."""
    async with db.autocommit() as tx:
        rows = await (await tx.raw()).fetch("SELECT aggregate_id, count(*) AS n FROM outbox GROUP BY aggregate_id")
    return {r["aggregate_id"]: r["n"] for r in rows}


def recording_handler(transactions: list[int], bad: set[str]):  # type: ignore[no-untyped-def]
    async def handler(tx: Tx, event: Event) -> None:
        raw = await tx.raw()
        transactions.append(await raw.fetchval("SELECT txid_current()"))
        effect = new_event(
            "effect.made", tenant_id=event.tenant_id, aggregate_id=event.event_id, payload={}, producer="t"
        )
        await tx.add_event(effect)
        if event.event_id in bad:
            raise DomainError("refused by a business rule", code="refused")

    return handler


async def run_backlog(
    db: Database, nats_url: str, bodies: list[bytes], handler, settled, batch_handler=None
) -> ConsumerRunner:  # type: ignore[no-untyped-def]
    """Publish `bodies` before the consumer starts (so they come as batches), run it until `settled()`."""
    nc = await connect(nats_url, "test")
    js = nc.jetstream()
    await ensure_stream(js, STREAM)
    kind = event_type()
    subject = f"salessync.{uuid.UUID(int=0)}.{kind}"
    for body in bodies:
        await js.publish(subject, body.replace(b"@TYPE@", kind.encode()))
    sub = Subscription(kind, handler, batch_handler=batch_handler)
    runner = ConsumerRunner(f"svc{uuid.uuid4().hex[:6]}", db, nc, [sub], fetch_timeout_s=0.2)
    await runner.start()
    try:
        await eventually(settled, timeout=15)
    finally:
        await runner.stop()
        await nc.close()
    return runner


def bodies_of(events: list[Event]) -> list[bytes]:
    return [encode_event(e) for e in events]


def backlog(n: int) -> list[Event]:
    tenant = uuid.UUID(int=0)
    return [
        new_event("widget.made", tenant_id=tenant, aggregate_id=f"w{i}", payload={}, producer="t",
                  correlation_id=f"req-{i}")
        for i in range(n)
    ]  # fmt: skip


def typed(events: list[Event]) -> list[bytes]:
    """Encoded with a placeholder type that `run_backlog` replaces with the test's own."""
    return [b.replace(b'"widget.made"', b'"@TYPE@"') for b in bodies_of(events)]


async def test_a_backlog_is_handled_in_shared_transactions_each_event_once(
    db: Database, embedded_nats: EmbeddedNats
) -> None:
    events = backlog(40)
    transactions: list[int] = []
    handler = recording_handler(transactions, bad=set())

    async def settled() -> bool:
        return len(await effects(db)) == 40

    runner = await run_backlog(db, embedded_nats.url, typed(events), handler, settled)
    assert await effects(db) == {e.event_id: 1 for e in events}
    # an event written by a handler carries the correlation id of the event it handles (the request's chain)
    assert await correlations(db) == {e.event_id: e.correlation_id for e in events}
    assert len(transactions) == 40
    assert len(set(transactions)) < 40  # events shared a transaction: the backlog came in batches
    assert runner.handled == 40


async def test_a_failing_event_rolls_its_batch_back_and_only_it_is_refused(
    db: Database, embedded_nats: EmbeddedNats, caplog: pytest.LogCaptureFixture
) -> None:
    events = backlog(30)
    bad = events[7].event_id
    transactions: list[int] = []
    handler = recording_handler(transactions, bad={bad})

    async def settled() -> bool:
        return "event rejected by a business rule, terminated" in caplog.text and len(await effects(db)) == 29

    with caplog.at_level(logging.INFO, logger="salessync.consumer"):
        await run_backlog(db, embedded_nats.url, typed(events), handler, settled)
    assert await effects(db) == {e.event_id: 1 for e in events if e.event_id != bad}  # no effect twice, none of it
    assert "batch failed, handled event by event" in caplog.text
    async with db.autocommit() as tx:
        processed = await (await tx.raw()).fetchval("SELECT count(*) FROM processed_events")
    assert processed == 29  # the refused event is not recorded as processed


async def test_the_same_event_twice_in_one_batch_has_one_effect(db: Database, embedded_nats: EmbeddedNats) -> None:
    events = backlog(5)
    bodies = typed(events)
    bodies.insert(3, bodies[1])  # redelivered by a producer that published it again (no Msg-Id)
    transactions: list[int] = []
    handler = recording_handler(transactions, bad=set())

    async def settled() -> bool:
        return len(await effects(db)) == 5

    runner = await run_backlog(db, embedded_nats.url, bodies, handler, settled)
    assert await effects(db) == {e.event_id: 1 for e in events}
    assert len(transactions) == 5
    assert runner.handled >= 5


async def test_a_batch_handler_takes_each_batchs_fresh_events_at_once_in_order(
    db: Database, embedded_nats: EmbeddedNats
) -> None:
    events = backlog(20)
    bodies = typed(events)
    bodies.insert(5, bodies[2])  # the same event again: handled once
    one_by_one: list[int] = []
    handler = recording_handler(one_by_one, bad=set())
    calls: list[list[str]] = []

    async def batch_handler(tx: Tx, batch: list[Event]) -> None:
        calls.append([e.event_id for e in batch])
        for event in batch:
            await tx.add_event(
                new_event(
                    "effect.made", tenant_id=event.tenant_id, aggregate_id=event.event_id, payload={}, producer="t"
                )
            )

    async def settled() -> bool:
        return len(await effects(db)) == 20

    await run_backlog(db, embedded_nats.url, bodies, handler, settled, batch_handler=batch_handler)
    assert await effects(db) == {e.event_id: 1 for e in events}
    assert any(len(call) > 1 for call in calls)  # the backlog came in batches, each taken in one call
    through_batches = [event_id for call in calls for event_id in call]
    order = [e.event_id for e in events]
    assert through_batches == sorted(through_batches, key=order.index)  # in the order published
    assert len(through_batches) + len(one_by_one) == 20  # a batch of one goes to the plain handler
