"""uvicorn's httptools protocol, with each answer's head and body leaving in one send.

uvicorn writes the status line and headers as soon as the app sends `http.response.start`, and the body in a
second write when `http.response.body` follows. Every answer then cost two sends on the socket, and the peer (the
gateway reading a service, a client reading the gateway) often woke up twice to read it. Under order load the
gateway made 4.2 write calls an order and orders 5.6; with this protocol 3.2 and 4.6.

Here a request's cycle writes through `OneSendPerTurn`: what it writes in one turn of the event loop leaves in one
send at the end of that turn. The head and a body sent right after it (every `Response`, and the gateway's
answers whose body came with the upstream's head) go out together; a body that comes later (a stream, an
upstream that answers slowly) still finds the head sent, one turn late at most. The protocol's own writes (a
400 for a malformed request) and a WebSocket upgrade keep the connection's transport as it is.

Used by every service: `uvicorn --http salessync.httpserver:HttpProtocol` (the supervisor and the Dockerfiles).
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class OneSendPerTurn:
    """A transport whose writes of one event-loop turn are joined into one write of the real transport."""

    __slots__ = ("_loop", "_pending", "_transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []

    def write(self, data: bytes) -> None:
        if not data:
            return
        if not self._pending:
            self._loop.call_soon(self.flush)
        self._pending.append(data)

    def flush(self) -> None:
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        if not self._transport.is_closing():
            self._transport.write(pending[0] if len(pending) == 1 else b"".join(pending))

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        self._pending = []
        self._transport.abort()

    def __getattr__(self, name: str) -> Any:  # is_closing, get_extra_info, pause_reading, ...
        return getattr(self._transport, name)


class HttpProtocol(HttpToolsProtocol):
    """HttpToolsProtocol whose request cycles write through the connection's `OneSendPerTurn`."""

    _sends: OneSendPerTurn

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._sends = OneSendPerTurn(transport, self.loop)

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        # A cycle is made here (its task starts on a later turn), except for an upgrade, which keeps the transport.
        if self.cycle is not None and self.cycle.transport is self.transport:
            self.cycle.transport = self._sends  # type: ignore[assignment]

    def send_400_response(self, msg: str) -> None:
        self._sends.flush()  # an answer of this turn goes before the 400 and the close
        super().send_400_response(msg)

    def shutdown(self) -> None:
        self._sends.flush()  # an answer completed in this turn is sent before an idle connection is closed
        super().shutdown()
