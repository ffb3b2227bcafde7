"""`BatchPublisher` against a real JetStream: a batch lands in order, a batch sent again is acked as duplicates
and stored once, and a subject no stream takes refuses the batch instead of waiting out its timeout."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest

from salessync.embedded import EmbeddedNats
from salessync.nats import connect, ensure_stream
from salessync.publish import BatchPublisher, PublishRefused
from salessync.testing.helpers import stream_data


async def test_a_batch_lands_once_in_order_and_a_subject_without_a_stream_is_refused_at_once(
    embedded_nats: EmbeddedNats,
) -> None:
    nc = await connect(embedded_nats.url, "test-publish")
    try:
        js = nc.jetstream()
        await ensure_stream(js)
        publisher = BatchPublisher(nc)
        subject = f"salessync.{uuid.uuid4()}.thing.made"
        batch = [(subject, str(n).encode(), f"{subject}-{n}") for n in range(50)]
        await publisher.publish(batch, timeout=5.0)
        await publisher.publish(batch, timeout=5.0)  # published again (a relay that crashed before its commit)
        assert await stream_data(js, subject) == [str(n).encode() for n in range(50)]

        started = time.monotonic()
        with pytest.raises(PublishRefused):
            await asyncio.wait_for(publisher.publish([("nostream.thing", b"x", "x-1")], timeout=5.0), 10.0)
        assert time.monotonic() - started < 2.0
    finally:
        await nc.close()
