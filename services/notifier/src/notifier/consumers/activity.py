"""Consumer of every event (`salessync.*.>`, durable `notifier-activity`): the timeline and notifications."""

from notifier.service_layer.timeline import record_event
from salessync.consumer import Subscription
from salessync.db import Tx
from salessync.events import Event


async def handle(tx: Tx, event: Event) -> None:
    await record_event(tx, event)


SUBSCRIPTION = Subscription("activity.recorded", handle, subject="salessync.*.>", name="activity")
