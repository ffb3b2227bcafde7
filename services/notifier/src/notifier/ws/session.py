"""One connected socket: its user, its bounded send queue and writer, its place in the stream.

A live event frame is written straight to the socket's transport when nothing is waiting before it (the bytes
are encoded once per event, see `wire.py`); otherwise frames are queued for the socket's writer task. Either
way nothing awaits the client, so one slow client never slows the fan-out to the others: when its queue is full
or too many bytes wait in its transport, it is disconnected (1013, try again later) and resumes from its last
id when it comes back.
`last_sent` is the stream sequence of the last event frame queued; anything at or below it is dropped, which
makes the switch from replay to live free of gaps and duplicates.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from starlette.websockets import WebSocket

from notifier.ws.protocol import TRY_LATER
from notifier.ws.wire import DirectWriter, direct_writer, text_frame
from salessync.auth import Principal

log = logging.getLogger("notifier.ws")


class Session:
    def __init__(
        self, websocket: WebSocket, principal: Principal, token: str, *, queue_size: int, replay_max: int
    ) -> None:
        self.ws = websocket
        self.principal = principal
        self.token = token
        self.user_id = str(principal.user_id)
        self.tenant_id = str(principal.tenant_id)
        self.role = principal.role
        self.queue: asyncio.Queue[str] = asyncio.Queue(maxsize=queue_size)
        self.replay_max = replay_max
        self.last_sent = 0
        self.buffer: list[tuple[int, list[str]]] | None = None  # live frames held back while replaying
        self.closed = False
        self.close_code: int | None = None
        self._writer: asyncio.Task[None] | None = None
        self._closer: asyncio.Task[None] | None = None
        self._expiry: asyncio.TimerHandle | None = None
        self._direct: DirectWriter | None = None
        self._sending = False  # the writer holds a frame taken from the queue and not yet written
        self.max_buffered = queue_size * 2048  # bytes waiting in the transport before the client is too slow

    def start(self, expiry_code: int) -> None:
        self._direct = direct_writer(getattr(self.ws, "_send", None))
        self._writer = asyncio.create_task(self._write(), name=f"ws-writer-{self.user_id}")
        delay = max(0.0, self.principal.expires_at - time.time())
        self._expiry = asyncio.get_running_loop().call_later(delay, self.close, expiry_code, "token expired")

    # -- queueing -------------------------------------------------------------------------------------------
    def send(self, frame: str) -> None:
        """A control frame (ready, ack, error, resync): not sequenced."""
        if self.closed:
            return
        try:
            self.queue.put_nowait(frame)
        except asyncio.QueueFull:
            self.close(TRY_LATER, "client too slow")

    def deliver(self, seq: int, frames: list[str], wire: bytes | None = None) -> None:
        """A live event: written or queued now, or held back while the replay runs.

        `wire` is the encoding of `frames` one after the other (`wire.text_frame`), shared by every recipient of
        the event and written with one call.
        """
        if self.closed or seq <= self.last_sent:
            return
        if self.buffer is not None:
            self.buffer.append((seq, frames))
            if len(self.buffer) > self.replay_max:
                self.close(TRY_LATER, "too many events during replay")
            return
        direct = self._direct
        if direct is not None and not self._sending and self.queue.empty() and direct.usable():
            if direct.buffered() > self.max_buffered:
                self.close(TRY_LATER, "client too slow")
                return
            direct.write(wire if wire is not None else b"".join(text_frame(f) for f in frames))
            self.last_sent = seq
            return
        for frame in frames:
            self.send(frame)
        self.last_sent = seq

    async def deliver_replayed(self, seq: int, frames: list[str]) -> None:
        """A missed event from JetStream: waits for room in the queue (the replay follows the client's pace)."""
        if self.closed or seq <= self.last_sent:
            return
        for frame in frames:
            await self.queue.put(frame)
        self.last_sent = seq

    def begin_replay(self, last_id: int) -> None:
        self.last_sent = last_id
        self.buffer = []

    def end_replay(self, skip_to: int = 0) -> None:
        """Flush the live frames held back (those after the last one sent) and go live."""
        held, self.buffer = self.buffer or [], None
        self.last_sent = max(self.last_sent, skip_to)
        for seq, frames in held:
            self.deliver(seq, frames)

    # -- closing --------------------------------------------------------------------------------------------
    def close(self, code: int, reason: str = "") -> None:
        if self.closed:
            return
        self.closed = True
        self.close_code = code
        if self._expiry is not None:
            self._expiry.cancel()
        self._closer = asyncio.create_task(self._close(code, reason))

    async def _close(self, code: int, reason: str) -> None:
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._writer
        with contextlib.suppress(Exception):
            await self.ws.close(code, reason)
        log.info("socket closed", extra={"code": code, "reason": reason, "tenant_id": self.tenant_id})

    async def wait_closed(self) -> None:
        if self._closer is not None:
            with contextlib.suppress(Exception):
                await self._closer

    def detach(self) -> None:
        """The peer is gone: stop the writer and the expiry timer without sending anything."""
        self.closed = True
        if self._expiry is not None:
            self._expiry.cancel()
        if self._writer is not None:
            self._writer.cancel()

    async def _write(self) -> None:
        send = self.ws._send  # the ASGI send itself: the state checks of send_text cost on every frame of the fan-out
        try:
            while True:
                text = await self.queue.get()
                self._sending = True
                await send({"type": "websocket.send", "text": text})
                self._sending = False
                if not self.queue.empty():
                    await asyncio.sleep(0)  # round-robin: every socket gets its first frame before any its second
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the peer went away
            log.debug("socket write failed: %s", exc)
            self.closed = True

    def __hash__(self) -> int:
        return id(self)

    def __eq__(self, other: Any) -> bool:
        return self is other
