"""Pull requests to one durable JetStream consumer, answered on an inbox of this process (`Puller`).

nats-py's `PullSubscription.fetch` waits for each message of a batch with `Subscription.next_msg`, which makes a
uuid, a task and an `asyncio.wait_for` (a second task on Python 3.11) per message. On an idle consumer, a fetch
of "what is waiting now" with a short timeout sent a second request when the first found nothing, and raised
twice before the next event could be awaited. Here the inbox's messages go to a callback that fills the batch
in hand, and a fetch awaits one future: one request and one wake-up per batch.

The JetStream pull protocol (`$JS.API.CONSUMER.MSG.NEXT.<stream>.<consumer>`, reply to the inbox): the server
sends up to `batch` messages. With `no_wait` it then answers `404 No Messages` when it had fewer; with `expires`
it holds the request until it has sent `batch` or the time is up (`408 Request Timeout`). A message is an event
(with its `$JS.ACK...` reply subject); a status has a `Status` header and no body.
"""

from __future__ import annotations

import asyncio

import orjson
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

from salessync.nats import status_of

API_PREFIX = "$JS.API"
ENDED = frozenset({"404", "408"})  # No Messages, Request Timeout: the request ended as it should
GRACE_S = 1.0  # how long past its own expiry a request may go unanswered (NATS away) before the fetch gives up


class PullRefused(RuntimeError):
    """The server ended a pull request with another status (409: the consumer was deleted, or too many requests
    wait on it) and sent nothing: the caller backs off instead of asking again at once."""


class Puller:
    """Fetches of one durable consumer, one at a time (one loop per durable)."""

    def __init__(self, nc: Client, stream: str, durable: str) -> None:
        self._nc = nc
        self._next = f"{API_PREFIX}.CONSUMER.MSG.NEXT.{stream}.{durable}"
        self._inbox = ""
        self._sub: Subscription | None = None
        self._got: list[Msg] = []  # messages of the batch in hand, or delivered after the last fetch ended
        self._want = 0
        self._done: asyncio.Future[None] | None = None
        self._refused = ""  # the status that ended the request in hand, when not one of ENDED

    async def start(self) -> None:
        self._inbox = self._nc.new_inbox()
        self._sub = await self._nc.subscribe(self._inbox, cb=self._on_message)

    async def stop(self) -> None:
        if self._sub is not None:
            await self._sub.unsubscribe()
            self._sub = None

    async def fetch(self, batch: int, *, wait_s: float | None = None) -> list[Msg]:
        """Up to `batch` messages: with no `wait_s`, those waiting now (none: at once, an empty list); with
        `wait_s`, the next one as soon as it is published, or none after `wait_s`. Messages that came after the
        last fetch ended (its request was answered late) come first, with no request. Raises `PullRefused` when
        the server refused the request and sent nothing."""
        if self._got:
            out, self._got = self._got[:batch], self._got[batch:]
            return out
        if wait_s is None:
            self._want, request = batch, {"batch": batch, "no_wait": True}
        else:
            self._want, request = 1, {"batch": 1, "expires": int(wait_s * 1e9)}
        done = self._done = asyncio.get_running_loop().create_future()
        self._refused = ""
        try:
            await self._nc.publish(self._next, orjson.dumps(request), reply=self._inbox)
            async with asyncio.timeout((wait_s or 0.0) + GRACE_S):
                await done
        except TimeoutError:
            pass  # no answer in time (NATS away, or reconnecting): what came, if anything
        finally:
            self._done = None
        out, self._got = self._got[:batch], self._got[batch:]
        if not out and self._refused:
            raise PullRefused(self._refused)
        return out

    async def _on_message(self, msg: Msg) -> None:
        done = self._done
        status = status_of(msg)
        if status is not None:
            if done is not None and not done.done():  # the request ended: the batch is what came
                if status not in ENDED:
                    self._refused = f"{status} {(msg.headers or {}).get('Description', '')}".strip()
                done.set_result(None)
            return
        self._got.append(msg)
        if done is not None and not done.done() and len(self._got) >= self._want:
            done.set_result(None)
