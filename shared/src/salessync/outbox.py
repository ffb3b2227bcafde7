"""The outbox relay: publishes committed events to JetStream in order, exactly once in the stream.

Each batch runs in one transaction holding a transaction-scoped advisory lock, so among many replicas only
one relays at a time and order per aggregate is kept. Every message carries `Nats-Msg-Id = event_id`, so a
batch that is published again after a crash is dropped by JetStream's duplicate window. While NATS is away
the relay backs off and retries; the rows stay until their publish is acked.

A row lives only until JetStream has acked it: the relay deletes it in the batch's transaction. The stream is
the record of what was published. Deleting writes one small WAL record per row; marking the row published
(as the relay once did) rewrote the whole row, body included, with two new index entries, and left a dead
row for vacuum: 4.7 of the 16.6 KB of WAL an order wrote (bench/results/2026-11-26-order-pipeline.md). The
rows are read without `FOR UPDATE`: the advisory lock already keeps other relays out, and a row lock wrote one
more WAL record per row.
"""

from __future__ import annotations

import asyncio
import logging
import time

from salessync.db import Database
from salessync.pagination import limit_offset
from salessync.publish import BatchPublisher

SLOW_PUBLISH_S = 0.25  # JetStream acks slower than this are logged: the stream's storage is the suspect
log = logging.getLogger("salessync.outbox")

_SELECT = "SELECT id, event_id::text, subject, body FROM outbox ORDER BY id "  # + the batch's LIMIT, written in


class OutboxRelay:
    def __init__(
        self,
        db: Database,
        publisher: BatchPublisher,
        *,
        batch_size: int = 256,
        poll_interval: float = 0.5,
        publish_timeout: float = 5.0,
    ) -> None:
        self.db = db
        self.publisher = publisher
        self.batch_size = batch_size
        self._select = _SELECT + limit_offset(batch_size, 0)  # one plan, reused (salessync.pagination)
        self.poll_interval = poll_interval
        self.publish_timeout = publish_timeout
        self._wake = asyncio.Event()
        self._stopping = False
        self._last_cleanup = 0.0
        self._task: asyncio.Task[None] | None = None
        self.published = 0
        db.on_events_committed(self.wake)

    def alive(self) -> bool:
        """The relay's loop has started and not ended (for /ready)."""
        return self._task is not None and not self._task.done()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        self._task = asyncio.current_task()
        backoff = 0.1
        while not self._stopping:
            # Cleared before draining, not after: a commit that wakes the relay while a batch is in flight
            # must start another drain at once instead of waiting for the next poll.
            self._wake.clear()
            try:
                while await self.publish_batch() == self.batch_size:
                    pass
                backoff = 0.1
                await self._cleanup()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # NATS away, database away: retry, nothing is lost
                log.warning("outbox relay failed, retrying in %.1fs: %s", backoff, exc)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
                continue
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_interval)
            except TimeoutError:
                pass

    async def publish_batch(self) -> int:
        """Publish up to one batch; returns the number of events published."""
        async with self.db.transaction() as tx:
            raw = await tx.raw()
            if not await raw.fetchval("SELECT pg_try_advisory_xact_lock(hashtext(current_schema() || '.outbox'))"):
                return 0
            rows = await raw.fetch(self._select)
            if not rows:
                return 0
            started = time.monotonic()
            messages = [(row["subject"], row["body"], row["event_id"]) for row in rows]
            # Bounded as a whole: `publish`'s timeout bounds the wait for JetStream's acks, not the sends before
            # them, and a send that never returned would hold this transaction (and the relay) without a word.
            # Timing out rolls back, logs, and publishes the batch again (JetStream drops the copies by
            # Nats-Msg-Id).
            await asyncio.wait_for(self.publisher.publish(messages, self.publish_timeout), 2 * self.publish_timeout)
            took = time.monotonic() - started
            if took > SLOW_PUBLISH_S:
                log.warning("outbox publish slow", extra={"events": len(rows), "ms": round(took * 1000)})
            await raw.execute("DELETE FROM outbox WHERE id = ANY($1::bigint[])", [r["id"] for r in rows])
        self.published += len(rows)
        log.debug("published %d events", len(rows))
        return len(rows)

    async def _cleanup(self) -> None:
        now = time.monotonic()
        if now - self._last_cleanup < 600:
            return
        self._last_cleanup = now
        async with self.db.transaction() as tx:
            raw = await tx.raw()
            await raw.execute("DELETE FROM processed_events WHERE processed_at < now() - interval '7 days'")
