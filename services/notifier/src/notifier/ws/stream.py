"""Reading the stream: the live reader of this instance, and the replay of what a reconnecting client missed.

Every notifier instance reads the whole stream itself with an ephemeral ordered consumer, so a client gets
the same events whichever instance it reaches. The reader starts right after the stream's last sequence at
start-up (equivalent to deliver policy NEW, without the gap between reading that sequence and subscribing).
"""

from __future__ import annotations

import contextlib
import logging
import time
from datetime import datetime

from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from prometheus_client import Histogram

from notifier.domain.routing import client_names, may_see
from notifier.ws.hub import Hub, frames_for
from notifier.ws.session import Session
from salessync.events import SUBJECT_PREFIX, InvalidEvent, decode_event

log = logging.getLogger("notifier.stream")
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
EVENT_LAG = Histogram(
    "notifier_event_lag_seconds",
    "From an event's occurred_at (the producer's clock) to its arrival at this notifier's live reader",
    buckets=LATENCY_BUCKETS,
)
FANOUT = Histogram(
    "notifier_fanout_seconds", "Handing one live event to every local socket allowed to see it", buckets=LATENCY_BUCKETS
)


class LiveReader:
    def __init__(self, js: JetStreamContext, hub: Hub, stream: str) -> None:
        self.js = js
        self.hub = hub
        self.stream = stream
        self._sub = None

    async def start(self) -> None:
        info = await self.js.stream_info(self.stream)
        self.hub.last_seq = info.state.last_seq
        config = ConsumerConfig(deliver_policy=DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=info.state.last_seq + 1)
        self._sub = await self.js.subscribe(
            f"{SUBJECT_PREFIX}.>", stream=self.stream, ordered_consumer=True, config=config, cb=self._on_message
        )

    async def _on_message(self, msg) -> None:  # type: ignore[no-untyped-def]
        try:
            event = decode_event(msg.data)
        except InvalidEvent:
            log.warning("undecodable event skipped", extra={"subject": msg.subject})
            return
        started = time.perf_counter()
        with contextlib.suppress(ValueError):
            EVENT_LAG.observe(max(0.0, time.time() - datetime.fromisoformat(event.occurred_at).timestamp()))
        self.hub.dispatch(msg.metadata.sequence.stream, event)
        FANOUT.observe(time.perf_counter() - started)

    async def stop(self) -> None:
        if self._sub is not None:
            with contextlib.suppress(Exception):
                await self._sub.unsubscribe()


async def replay(js: JetStreamContext, stream: str, session: Session, last_id: int, max_events: int) -> bool:
    """Queue every event of the session's tenant after `last_id` that it may see, in order.

    Returns False when that point is gone from the stream (or too far back): the client must resync.
    """
    state = (await js.stream_info(stream)).state
    if last_id > state.last_seq or last_id + 1 < state.first_seq:
        return False
    if last_id == state.last_seq:
        return True
    config = ConsumerConfig(
        deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
        opt_start_seq=last_id + 1,
        ack_policy=AckPolicy.NONE,
        inactive_threshold=10.0,
        mem_storage=True,
    )
    psub = await js.pull_subscribe(f"{SUBJECT_PREFIX}.{session.tenant_id}.>", stream=stream, config=config)
    try:
        pending = (await psub.consumer_info()).num_pending
        if pending > max_events:
            return False
        while pending > 0 and not session.closed:
            for msg in await psub.fetch(min(pending, 256), timeout=5):
                seq = msg.metadata.sequence.stream
                pending = msg.metadata.num_pending
                if seq > state.last_seq:
                    return True  # the live reader delivers the rest
                await _replay_one(session, seq, msg.data)
    finally:
        with contextlib.suppress(Exception):
            await psub.unsubscribe()
    return True


async def _replay_one(session: Session, seq: int, data: bytes) -> None:
    try:
        event = decode_event(data)
    except InvalidEvent:
        return
    names = client_names(event.type)
    if names and may_see(session.role, session.user_id, event.type, event.payload):
        await session.deliver_replayed(seq, frames_for(seq, event, names))
