"""JetStream publishes of a batch, acked on one inbox of this process (`BatchPublisher`), for the outbox relay.

nats-py's `JetStreamContext.publish` is one request each: under `asyncio.gather`, a task per message, then a
future and an `asyncio.wait_for` per message, and its ack parsed with the standard json module into a dataclass.
Here the batch's messages are sent one after the other with replies to `<inbox>.<n>`, a callback counts the acks,
and the relay awaits one future for the batch.

An ack is JetStream's `{"stream": ..., "seq": ...}` (with `"duplicate": true` when the stream already had the
message's `Nats-Msg-Id`: published before, so acked all the same), or `{"error": {...}}`. A reply with a
`Status` header and no body is the server's own answer (503: no stream takes the subject).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

import orjson
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

from salessync.nats import status_of

Message = tuple[str, bytes, str]  # subject, body, Nats-Msg-Id


class PublishRefused(RuntimeError):
    """The stream did not take a message of the batch (an error ack, or no stream for its subject)."""


@dataclass
class _Batch:
    left: int
    done: asyncio.Future[None]


class BatchPublisher:
    def __init__(self, nc: Client) -> None:
        self._nc = nc
        self._prefix = ""
        self._sub: Subscription | None = None
        self._next = 0
        self._waiting: dict[int, _Batch] = {}  # reply number -> the batch its message belongs to

    async def start(self) -> None:
        self._prefix = self._nc.new_inbox()
        self._sub = await self._nc.subscribe(f"{self._prefix}.*", cb=self._on_ack)

    async def publish(self, messages: Sequence[Message], timeout: float) -> None:
        """Publish the messages in order; return once the stream has acked every one. Raises `PublishRefused` for
        one it refused and `TimeoutError` when acks are missing after `timeout` (publishing the batch again is
        safe: the stream drops a message whose `Nats-Msg-Id` it has)."""
        if not messages:
            return
        if self._sub is None:
            await self.start()
        batch = _Batch(len(messages), asyncio.get_running_loop().create_future())
        first = self._next
        self._next += len(messages)
        numbers = range(first, self._next)
        for number in numbers:
            self._waiting[number] = batch
        try:
            for number, (subject, body, msg_id) in zip(numbers, messages, strict=True):
                await self._nc.publish(subject, body, reply=f"{self._prefix}.{number}", headers={"Nats-Msg-Id": msg_id})
            async with asyncio.timeout(timeout):
                await batch.done
        finally:
            for number in numbers:
                self._waiting.pop(number, None)
            if batch.done.done() and not batch.done.cancelled():
                batch.done.exception()  # retrieved: a refusal that came while a send failed is not logged as lost

    async def _on_ack(self, msg: Msg) -> None:
        try:
            batch = self._waiting.pop(int(msg.subject.rpartition(".")[2]), None)
        except ValueError:
            return
        if batch is None or batch.done.done():
            return  # an ack of a batch that gave up (it is published again)
        problem = _problem(msg)
        if problem:
            batch.done.set_exception(PublishRefused(problem))
            return
        batch.left -= 1
        if batch.left == 0:
            batch.done.set_result(None)


def _problem(msg: Msg) -> str:
    """Why the reply is not an ack ('' when it is one)."""
    if not msg.data:
        return f"no ack from the stream (status {status_of(msg) or 'none'}) for {msg.subject}"
    try:
        ack = orjson.loads(msg.data)
    except orjson.JSONDecodeError:
        return f"unreadable ack: {msg.data[:200]!r}"
    if not isinstance(ack, dict) or "error" in ack or "seq" not in ack:
        return f"refused by the stream: {ack}"
    return ""
