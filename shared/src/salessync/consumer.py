"""Durable JetStream consumers with idempotent handlers.

A `Subscription` binds one event type to one handler. The runner creates (or joins) the durable pull consumer
`<service>-<aggregate>_<event>`, so replicas of a service share it and each event is handled by one of them.
The handler runs in one transaction together with the insert into `processed_events`, so a redelivered event
has no second effect; a fetched batch of several events shares one transaction (see `handle_batch`). Every
message ends in ack, nak with delay (transient failure) or term (poison or a business rule that will never
pass), logged as JSON lines with the event ids.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from salessync.context import event_id_var, request_id_var, tenant_id_var
from salessync.db import Database, Tx
from salessync.errors import DomainError
from salessync.events import Event, InvalidEvent, decode_event, subscription_subject
from salessync.pull import Puller

log = logging.getLogger("salessync.consumer")

Handler = Callable[[Tx, Event], Awaitable[None]]
BatchHandler = Callable[[Tx, list[Event]], Awaitable[None]]


@dataclass(frozen=True)
class Subscription:
    """One event type (`order.placed`) handled by one handler. `subject` and `name` override the defaults
    for a consumer of many types (the notifier's `salessync.*.>` with name `activity`). `wants`, when given, picks
    the events the handler acts on: any other is acked at once, with no transaction (it would have no effect).
    `batch_handler`, when given, takes a batch's fresh events at once, in order, with the effect of `handler` on
    each in turn (it can read and write them in a few statements instead of a few per event); `handler` still
    takes an event handled on its own."""

    event_type: str
    handler: Handler
    subject: str | None = None
    name: str | None = None
    wants: Callable[[Event], bool] | None = None
    batch_handler: BatchHandler | None = None

    def durable_name(self, service: str) -> str:
        return f"{service}-{self.name or self.event_type.replace('.', '_')}"

    def filter_subject(self) -> str:
        return self.subject or subscription_subject(self.event_type)


class ConsumerRunner:
    def __init__(
        self,
        service: str,
        db: Database,
        nc: Client,
        subscriptions: list[Subscription],
        *,
        stream: str = "SALESSYNC",
        batch_size: int = 64,
        max_deliver: int = 20,
        ack_wait_s: float = 30.0,
        fetch_timeout_s: float = 1.0,
    ) -> None:
        self.service = service
        self.db = db
        self.nc = nc
        self.subscriptions = subscriptions
        self.stream = stream
        self.batch_size = batch_size
        self.max_deliver = max_deliver
        self.ack_wait_s = ack_wait_s
        self.fetch_timeout_s = fetch_timeout_s
        self._tasks: list[asyncio.Task[None]] = []
        self._pullers: list[Puller] = []
        self._stopping = False
        self._busy: set[str] = set()  # durables handling a batch (stop lets them finish it)
        self.handled = 0

    async def start(self) -> None:
        """Create or join every durable consumer; safe to call again after a partial failure."""
        started = {task.get_name() for task in self._tasks}
        js = self.nc.jetstream()
        for sub in self.subscriptions:
            durable = sub.durable_name(self.service)
            if durable in started:
                continue
            config = ConsumerConfig(
                durable_name=durable,
                ack_policy=AckPolicy.EXPLICIT,
                deliver_policy=DeliverPolicy.ALL,
                ack_wait=self.ack_wait_s,
                max_deliver=self.max_deliver,
                max_ack_pending=1000,
            )
            try:
                await js.consumer_info(self.stream, durable)  # joined as it is (another replica made it)
            except NotFoundError:
                config.filter_subject = sub.filter_subject()
                await js.add_consumer(self.stream, config)
            puller = Puller(self.nc, self.stream, durable)
            await puller.start()
            self._pullers.append(puller)
            self._tasks.append(asyncio.create_task(self._loop(sub, durable, puller), name=durable))

    def alive(self) -> bool:
        """Every durable's loop is running (for /ready): one that ended would leave its events unhandled."""
        return bool(self._tasks) and not any(task.done() for task in self._tasks)

    async def stop(self) -> None:
        """Finish the batch in hand, then stop fetching (graceful drain)."""
        self._stopping = True
        for task in self._tasks:
            if task.get_name() not in self._busy:
                task.cancel()  # waiting in a fetch: nothing in hand to finish
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=self.fetch_timeout_s + 5)
        for task in self._tasks:
            task.cancel()
        # A pull request still open would answer its inbox after the loop ended; unsubscribed, the connection's
        # drain does not wait for it.
        for puller in self._pullers:
            with contextlib.suppress(Exception):
                await puller.stop()

    async def _loop(self, sub: Subscription, durable: str, puller: Puller) -> None:
        while not self._stopping:
            try:
                msgs = await self._next_batch(puller)
                if not msgs:
                    continue
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("fetch failed for %s: %s", durable, exc)
                await asyncio.sleep(0.5)
                continue
            self._busy.add(durable)
            try:
                await self.handle_batch(sub, durable, msgs)
            except asyncio.CancelledError:
                raise
            except Exception:
                # Nothing may end this loop but stop(): a task that died here would stop the consumer without a
                # word (nobody awaits it). What the batch did not ack is delivered again after `ack_wait_s`.
                log.exception("handling a batch failed; its unacked events come again", extra={"consumer": durable})
                await asyncio.sleep(0.5)
            finally:
                self._busy.discard(durable)

    async def _next_batch(self, puller: Puller) -> list[Msg]:
        """What is waiting now, up to a batch; when nothing is, the next event as soon as it is published (none
        after `fetch_timeout_s`).

        Not one request for a batch with a long wait: the server would hold it until the batch was full or the
        wait over, so an event published to an idle consumer would sit there with it."""
        return await puller.fetch(self.batch_size) or await puller.fetch(self.batch_size, wait_s=self.fetch_timeout_s)

    async def handle_batch(self, sub: Subscription, durable: str, msgs: list[Msg]) -> None:
        """A batch of more than one event is handled in one transaction, in the order fetched; if anything in it
        fails (a business rule, a poison message, a deadlock), it is rolled back whole and handled again event
        by event, where each event is acked, retried or terminated on its own.

        One transaction per batch rather than per event: the BEGIN and COMMIT round trips, the pool checkout
        and the WAL flush are paid once per batch, which under load is most of a small handler's cost."""
        decoded = [(msg, _decoded(msg)) for msg in msgs]
        if len(decoded) > 1 and all(event is not None for _, event in decoded):
            try:
                fresh = await self._handle_together(sub, durable, [e for _, e in decoded if e is not None])
            except Exception as exc:
                log.info(
                    "batch failed, handled event by event: %s",
                    exc,
                    extra={"consumer": durable, "count": len(msgs), "error": type(exc).__name__},
                )
            else:
                for msg in msgs:
                    await msg.ack()
                self.handled += len(msgs)
                log.info(
                    "events consumed",
                    extra={
                        "consumer": durable,
                        "count": len(msgs),
                        "fresh": fresh,
                        "event_ids": [e.event_id for _, e in decoded if e is not None],
                    },
                )
                return
        await self.handle_each(sub, durable, msgs)

    async def _handle_together(self, sub: Subscription, durable: str, events: list[Event]) -> int:
        """Every wanted event of the batch not processed before, in one transaction; answers how many."""
        wanted = [e for e in events if sub.wants is None or sub.wants(e)]
        if not wanted:
            return 0
        async with self.db.transaction() as tx:
            fresh = await claim_fresh(tx, durable, wanted)
            await self.handle_fresh(tx, sub, fresh)
        return len(fresh)

    async def handle_fresh(self, tx: Tx, sub: Subscription, events: list[Event]) -> None:
        """The events of a batch not processed before, in order, in the batch's transaction: to the subscription's
        batch handler when it has one, else to its handler one by one."""
        if sub.batch_handler is not None and events:
            event_id_var.set(None)  # no one event: a log line of the batch handler names its own
            tenant_id_var.set(None)
            request_id_var.set(None)  # and the events it writes carry their own cause's correlation id
            await sub.batch_handler(tx, events)
            return
        for event in events:
            _enter(event)
            await sub.handler(tx, event)

    async def handle_each(self, sub: Subscription, durable: str, msgs: list[Msg]) -> None:
        """Event by event, each in its own transaction: one aggregate's in order, different ones concurrently."""
        groups: dict[str, list[tuple[Msg, Event | None]]] = defaultdict(list)
        for msg in msgs:
            event = _decoded(msg)
            groups[event.aggregate_id if event else ""].append((msg, event))

        async def run_group(items: list[tuple[Msg, Event | None]]) -> None:
            for msg, event in items:
                await self.handle_one(sub, durable, msg, event)

        await asyncio.gather(*(run_group(items) for items in groups.values()))

    async def handle_one(self, sub: Subscription, durable: str, msg: Msg, event: Event | None) -> None:
        if event is None:
            log.error("poison message terminated", extra={"consumer": durable, "subject": msg.subject})
            await msg.term()
            return
        if sub.wants is not None and not sub.wants(event):
            await msg.ack()
            self.handled += 1
            return
        _enter(event)
        try:
            async with self.db.claiming(durable, event.event_id) as tx:
                first = tx is not None
                if tx is not None:
                    await sub.handler(tx, event)
        except DomainError as exc:
            log.error(
                "event rejected by a business rule, terminated",
                extra={"consumer": durable, "type": event.type, "error": exc.code, "detail": exc.detail},
            )
            await msg.term()
            return
        except Exception as exc:
            delivered = msg.metadata.num_delivered if msg.metadata else 1
            if delivered >= self.max_deliver:
                log.exception("event failed %d times, terminated", delivered, extra={"consumer": durable})
                await msg.term()
            else:
                delay = min(0.2 * 2**delivered, 30.0)
                log.warning(
                    "event failed, retry in %.1fs: %s",
                    delay,
                    exc,
                    extra={"consumer": durable, "type": event.type, "delivered": delivered},
                )
                await msg.nak(delay=delay)
            return
        await msg.ack()
        self.handled += 1
        log.info(
            "event consumed" if first else "duplicate event skipped",
            extra={"consumer": durable, "type": event.type},
        )


async def claim_fresh(tx: Tx, durable: str, events: list[Event]) -> list[Event]:
    """Record `events` as processed by `durable` in the caller's transaction, in one statement; answer those not
    processed before, in their order, each once (an event twice in one batch is handled once)."""
    rows = await (await tx.raw()).fetch(
        "INSERT INTO processed_events (consumer, event_id) SELECT $1, unnest($2::uuid[]) "
        "ON CONFLICT DO NOTHING RETURNING event_id::text",
        durable,
        [e.event_id for e in events],
    )
    new = {row[0] for row in rows}
    fresh: list[Event] = []
    for event in events:
        event_id = str(uuid.UUID(event.event_id))
        if event_id in new:
            new.discard(event_id)
            fresh.append(event)
    return fresh


def _enter(event: Event) -> None:
    """The context of handling `event`: its id and tenant in log lines, and its correlation id as the request id,
    so the events its handler writes carry the correlation of the request that started the chain."""
    event_id_var.set(event.event_id)
    tenant_id_var.set(event.tenant_id)
    request_id_var.set(event.correlation_id)


def _decoded(msg: Msg) -> Event | None:
    try:
        return decode_event(msg.data)
    except InvalidEvent:
        return None
