"""Consumer of every event (`salessync.*.>`, durable `notifier-activity`): the timeline and notifications.

The notifier reads every event of the stream, so its consumer records a fetched batch in one transaction:
one `processed_events` insert for the batch (the events already there are skipped: idempotent by event id),
one insert of the batch's activities, then ack. Events that leave no trace here (locations, chat, ...) are
acked with the batch and not recorded as processed. If the batch fails (a poison event, a lost connection), it
is handled again event by event by the shared runner, which retries, naks or terminates each on its own.
"""

from __future__ import annotations

import logging
import uuid

from nats.aio.msg import Msg

from notifier.domain.routing import is_business
from notifier.service_layer.timeline import record_event, record_events
from salessync.consumer import ConsumerRunner, Subscription
from salessync.db import Tx
from salessync.events import Event, InvalidEvent, decode_event

log = logging.getLogger("notifier.activity")


async def handle(tx: Tx, event: Event) -> None:
    await record_event(tx, event)


def records(event: Event) -> bool:
    """Does the event leave a trace here (users copy, activity, notification)? Traffic (locations, chat,
    sales figures, notifications) does not: it is acked with no transaction."""
    return event.type.startswith("user.") or is_business(event.type)


SUBSCRIPTION = Subscription("activity.recorded", handle, subject="salessync.*.>", name="activity", wants=records)


class ActivityRunner(ConsumerRunner):
    """The shared durable consumer runner, with a whole fetched batch recorded in one transaction."""

    async def handle_batch(self, sub: Subscription, durable: str, msgs: list[Msg]) -> None:
        events: list[Event] = []
        for msg in msgs:
            try:
                events.append(decode_event(msg.data))
            except InvalidEvent:
                await self.handle_each(sub, durable, msgs)  # terminates the poison, handles the others
                return
        events = [event for event in events if records(event)]
        try:
            fresh = await self._record(durable, events) if events else 0
        except Exception as exc:
            log.warning("batch failed, handled event by event: %s", exc, extra={"consumer": durable})
            await self.handle_each(sub, durable, msgs)
            return
        for msg in msgs:
            await msg.ack()
        self.handled += len(msgs)
        log.debug("events consumed", extra={"consumer": durable, "count": len(msgs), "fresh": fresh})

    async def _record(self, durable: str, events: list[Event]) -> int:
        async with self.db.transaction() as tx:
            raw = await tx.raw()
            rows = await raw.fetch(
                "INSERT INTO processed_events (consumer, event_id) SELECT $1, unnest($2::uuid[]) "
                "ON CONFLICT DO NOTHING RETURNING event_id::text",
                durable,
                [event.event_id for event in events],
            )
            new = {row[0] for row in rows}
            fresh: list[Event] = []
            for event in events:
                event_id = _canonical(event.event_id)
                if event_id in new:
                    new.discard(event_id)  # the same event twice in one batch: recorded once
                    fresh.append(event)
            await record_events(tx, fresh)
            return len(fresh)


def _canonical(event_id: str) -> str:
    return str(uuid.UUID(event_id))
