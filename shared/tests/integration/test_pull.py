"""`Puller` against a real JetStream: a backlog in batches, an idle consumer's next event at once, nothing as an
empty batch after the wait, and messages acked through it are not delivered again."""

from __future__ import annotations

import asyncio
import time
import uuid

from nats.js.api import AckPolicy, ConsumerConfig

from salessync.embedded import EmbeddedNats
from salessync.nats import connect, ensure_stream
from salessync.pull import Puller

STREAM = "SALESSYNC"  # the one stream every test here shares (its subjects are `salessync.>`)


async def test_a_puller_takes_a_backlog_in_batches_and_an_idle_consumers_next_event_at_once(
    embedded_nats: EmbeddedNats,
) -> None:
    nc = await connect(embedded_nats.url, "test-pull")
    js = nc.jetstream()
    await ensure_stream(js, STREAM)
    subject = f"salessync.{uuid.uuid4()}.thing.made"
    durable = f"pull-{uuid.uuid4().hex[:8]}"
    await js.add_consumer(
        STREAM, ConsumerConfig(durable_name=durable, ack_policy=AckPolicy.EXPLICIT, filter_subject=subject)
    )
    puller = Puller(nc, STREAM, durable)
    await puller.start()
    try:
        for n in range(100):
            await js.publish(subject, str(n).encode())
        started = time.monotonic()
        first, second, third = await puller.fetch(64), await puller.fetch(64), await puller.fetch(64)
        assert [len(first), len(second), third] == [64, 36, []]
        assert [int(m.data) for m in first + second] == list(range(100))
        assert time.monotonic() - started < 2.0  # no batch waited to fill
        for msg in first + second:
            await msg.ack()

        started = time.monotonic()
        asyncio.get_running_loop().call_later(0.2, asyncio.ensure_future, js.publish(subject, b"late"))
        [late] = await puller.fetch(64, wait_s=10.0)
        assert late.data == b"late" and time.monotonic() - started < 5.0  # at once, not after the wait
        await late.ack()

        started = time.monotonic()
        assert await puller.fetch(64, wait_s=0.3) == []  # the server's 408 ends the wait
        assert 0.25 < time.monotonic() - started < 1.0

        info = await js.consumer_info(STREAM, durable)
        assert (info.num_pending, info.num_ack_pending) == (0, 0)  # every ack reached the server
    finally:
        await puller.stop()
        await nc.close()
