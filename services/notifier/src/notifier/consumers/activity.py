"""Consumer of every event (`salessync.*.>`, durable `notifier-activity`): the timeline and notifications.

The notifier reads every event of the stream. The shared runner takes a fetched batch in one transaction with one
`processed_events` insert (events already there are skipped: idempotent by event id) and hands the fresh ones to
the subscription's batch handler, which records the batch's activities in one insert. Events that leave no trace here (locations, chat, ...) are acked with the
batch and not recorded as processed. If the batch fails (a poison event, a lost connection), the shared runner
handles it again event by event, and retries, naks or terminates each on its own.
"""

from __future__ import annotations

from notifier.domain.routing import is_business
from notifier.service_layer.timeline import record_event, record_events
from salessync.consumer import Subscription
from salessync.db import Tx
from salessync.events import Event


async def handle(tx: Tx, event: Event) -> None:
    await record_event(tx, event)


def records(event: Event) -> bool:
    """Does the event leave a trace here (users copy, activity, notification)? Traffic (locations, chat,
    sales figures, notifications) does not: it is acked with no transaction."""
    return event.type.startswith("user.") or is_business(event.type)


SUBSCRIPTION = Subscription(
    "activity.recorded", handle, subject="salessync.*.>", name="activity", wants=records, batch_handler=record_events
)
