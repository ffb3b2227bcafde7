"""`/ws` as a byte tunnel: the gateway hands the client's upgrade request to the notifier and then copies bytes.

This is uvicorn's `ws` protocol class for the gateway (`--ws gateway.tunnel:WebSocketTunnel`; the launcher and
the image use it). uvicorn parses the HTTP request and, on `Upgrade: websocket`, gives the connection to this
class together with the request head. From then on nothing is parsed, decoded or re-encoded: the notifier speaks
WebSocket with the client itself, through the gateway, as a TCP proxy would (the way nginx proxies upgrades).
Relaying frame by frame (`websocket.py`, the ASGI fallback) cost the gateway about 0.25 ms of CPU per frame and
put a fan-out to 1,000 sockets at p50 267 ms; copying bytes costs a few microseconds.

What the gateway still does for a socket:
- it answers only `/ws` (404 otherwise), applies the per-address rate limit (429 with `Retry-After`), sets
  `X-Forwarded-For` and `X-Request-ID`, and logs the tunnel's opening and end with the request id;
- flow control both ways: a client that does not read stops the gateway reading the notifier's side, so the
  notifier sees the slow client and drops it (1013) as it would directly;
- a notifier that cannot be reached: the handshake is completed here and closed at once with 1012 (reconnect);
  a notifier that drops the connection without a close frame: 1012 too. For that, the notifier's bytes are
  followed frame by frame (header lengths only), so a close frame is only ever written between two frames;
- the gateway's own shutdown closes each socket with 1012, so clients reconnect elsewhere and resume.
Heartbeats, size limits and close codes are the notifier's, end to end.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import struct
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

from prometheus_client import Gauge

from gateway.forwarding import client_address
from salessync.context import request_id_var
from salessync.web import problem

log = logging.getLogger("gateway.websocket")
OPEN_TUNNELS = Gauge("gateway_websockets_open", "WebSocket tunnels open from clients to the notifier")
STATE_KEY = "ws_tunnel"  # the lifespan state entry uvicorn hands to each connection (`app_state`)
GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
SERVICE_RESTART = 1012
NOT_FORWARDED = frozenset({b"host", b"x-forwarded-for", b"x-real-ip", b"forwarded", b"x-request-id"})


@dataclass(frozen=True)
class TunnelContext:
    """What each tunnel needs from the gateway app, put in the lifespan state by `create_app`."""

    upstream_host: str
    upstream_port: int
    connect_timeout_s: float
    trust_forwarded: bool
    rate_limit: Callable[[str], float] | None  # address -> seconds to wait (0: go on); None when limits are off

    @classmethod
    def for_url(cls, url: str, **kwargs: Any) -> TunnelContext:
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"the notifier's upstream must be a plain http:// URL for the WebSocket tunnel: {url!r}")
        return cls(upstream_host=parts.hostname, upstream_port=parts.port or 80, **kwargs)


def close_frame(code: int, reason: str) -> bytes:
    """An unmasked close frame, as a server sends it."""
    payload = struct.pack("!H", code) + reason.encode()[:120]
    return bytes((0x88, len(payload))) + payload


def accept_key(key: bytes) -> bytes:
    return base64.b64encode(hashlib.sha1(key + GUID).digest())


def http_error(status: int, title: str, detail: str, headers: dict[str, str] | None = None) -> bytes:
    """A whole HTTP/1.1 answer carrying the project's problem+json (`salessync.web.problem`), then close."""
    answer = problem(status, title, detail, instance="/ws", headers=headers)
    head = b"HTTP/1.1 %d %s\r\n" % (status, HTTPStatus(status).phrase.encode())
    fields = b"".join(name + b": " + value + b"\r\n" for name, value in answer.raw_headers)
    return head + fields + b"connection: close\r\n\r\n" + bytes(answer.body)


class FrameBoundaries:
    """Follows the server's frames by their headers only, to know when a close frame may be inserted and whether
    the notifier sent one. The HTTP response head comes first; frames are counted only after a 101."""

    __slots__ = ("closed_by_server", "head", "partial", "remaining", "upgraded")

    def __init__(self) -> None:
        self.head = b""  # the HTTP response head until it is complete
        self.upgraded: bool | None = None  # None: head not complete yet
        self.partial = b""  # an incomplete frame header
        self.remaining = 0  # payload bytes of the current frame still to come
        self.closed_by_server = False

    @property
    def at_boundary(self) -> bool:
        return bool(self.upgraded) and self.remaining == 0 and not self.partial

    def feed(self, data: bytes) -> None:
        if self.upgraded is None:
            self.head += data
            end = self.head.find(b"\r\n\r\n")
            if end < 0:
                return
            self.upgraded = self.head.startswith((b"HTTP/1.1 101", b"HTTP/1.0 101"))
            data, self.head = self.head[end + 4 :], b""
        if not self.upgraded:
            return
        i, n = 0, len(data)
        while i < n:
            if self.remaining:
                step = min(self.remaining, n - i)
                self.remaining -= step
                i += step
                continue
            known = len(self.partial)
            buf = self.partial + data[i : i + 14]
            if len(buf) < 2:
                self.partial = buf
                return
            first, second = buf[0], buf[1]
            short = second & 0x7F
            size = 2 + (2 if short == 126 else 8 if short == 127 else 0) + (4 if second & 0x80 else 0)
            if len(buf) < size:
                self.partial = buf  # the rest of `data` was all header
                return
            if short == 126:
                length = int.from_bytes(buf[2:4], "big")
            elif short == 127:
                length = int.from_bytes(buf[2:10], "big")
            else:
                length = short
            self.partial = b""
            i += size - known
            self.remaining = length
            if first & 0x0F == 0x8:
                self.closed_by_server = True


class _Upstream(asyncio.Protocol):
    """The gateway's connection to the notifier: every byte goes to the tunnel."""

    def __init__(self, tunnel: WebSocketTunnel) -> None:
        self.tunnel = tunnel

    def data_received(self, data: bytes) -> None:
        self.tunnel.from_upstream(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self.tunnel.upstream_lost()

    def pause_writing(self) -> None:
        self.tunnel.pause_client()

    def resume_writing(self) -> None:
        self.tunnel.resume_client()


class WebSocketTunnel(asyncio.Protocol):
    """One client socket: its request head arrives first (from uvicorn), then raw bytes both ways."""

    def __init__(self, config: Any, server_state: Any, app_state: dict[str, Any]) -> None:
        self.server_state = server_state
        self.started_up = STATE_KEY in app_state  # the app's lifespan has run
        self.context: TunnelContext | None = app_state.get(STATE_KEY)  # None: no plain-http notifier configured
        self.client: asyncio.Transport | None = None
        self.upstream: asyncio.Transport | None = None
        self.pending: list[bytes] = []  # client bytes before the notifier's side is open
        self.opening: asyncio.Task[None] | None = None
        self.frames = FrameBoundaries()
        self.request_id = ""
        self.address = "unknown"
        self.started = time.monotonic()
        self.bytes_up = self.bytes_down = 0
        self.counted = False
        self.done = False
        self.why = "client closed"  # for the closing log line

    # -- the client's side ----------------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.client = transport  # type: ignore[assignment]
        self.server_state.connections.add(self)

    def data_received(self, data: bytes) -> None:
        if self.upstream is not None:
            self.bytes_up += len(data)
            self.upstream.write(data)
        elif self.opening is None and not self.done:
            self.opening = asyncio.get_running_loop().create_task(self._open(data))
            self.server_state.tasks.add(self.opening)
            self.opening.add_done_callback(self.server_state.tasks.discard)
        else:
            self.pending.append(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self.server_state.connections.discard(self)
        if self.opening is not None and not self.opening.done():
            self.opening.cancel()
        if self.upstream is not None:
            self.upstream.close()
        self._finish(self.why)

    def pause_writing(self) -> None:  # the client does not read fast enough: stop reading the notifier
        if self.upstream is not None:
            self.upstream.pause_reading()

    def resume_writing(self) -> None:
        if self.upstream is not None:
            self.upstream.resume_reading()

    def shutdown(self) -> None:
        """uvicorn's graceful shutdown: tell the client to reconnect (1012) and let go of both sides."""
        if self.client is None or self.client.is_closing():
            return
        self.why = "gateway shutting down"
        if self.opening is not None and not self.opening.done():
            self.opening.cancel()  # no 101 sent yet: the client sees a failed connect and retries
        elif self.upstream is not None and self.frames.at_boundary and not self.frames.closed_by_server:
            self.client.write(close_frame(SERVICE_RESTART, "gateway restarting"))
        self.client.close()
        if self.upstream is not None:
            self.upstream.close()

    # -- the notifier's side --------------------------------------------------------------------------------
    def from_upstream(self, data: bytes) -> None:
        self.bytes_down += len(data)
        self.frames.feed(data)
        if self.client is not None:
            self.client.write(data)

    def upstream_lost(self) -> None:
        client = self.client
        if client is None or client.is_closing():
            return
        self.why = "notifier closed" if self.frames.closed_by_server else "notifier connection lost"
        if self.frames.at_boundary and not self.frames.closed_by_server:
            client.write(close_frame(SERVICE_RESTART, "notifier connection lost"))
        client.close()

    def pause_client(self) -> None:
        if self.client is not None and not self.client.is_closing():
            self.client.pause_reading()

    def resume_client(self) -> None:
        if self.client is not None and not self.client.is_closing():
            self.client.resume_reading()

    # -- opening --------------------------------------------------------------------------------------------
    async def _open(self, head: bytes) -> None:
        assert self.client is not None
        client = self.client
        lines = head.split(b"\r\n")
        method, target, _ = [*lines[0].split(b" ", 2), b"", b""][:3]
        headers = [tuple(line.split(b": ", 1)) for line in lines[1:] if b": " in line]
        context = self.context
        peer = client.get_extra_info("peername")
        scope = {"headers": headers, "client": peer[:2] if peer else None}
        if context is None:
            if self.started_up:
                self._refuse(http_error(404, "Not Found", "no plain-http WebSocket service is configured"))
            else:
                self._refuse(http_error(503, "Service Unavailable", "the gateway is starting"))
            return
        self.address = client_address(scope, trust_forwarded=context.trust_forwarded)
        given = dict(headers).get(b"x-request-id", b"").decode("latin-1")[:128]
        self.request_id = given or uuid.uuid4().hex
        request_id_var.set(self.request_id)  # this task's own context: its log lines and problem answers carry it
        if method != b"GET" or target.split(b"?", 1)[0] != b"/ws":
            self._refuse(http_error(404, "Not Found", "WebSockets are served at /ws"))
            return
        wait = context.rate_limit(self.address) if context.rate_limit is not None else 0.0
        if wait:
            retry = max(1, round(wait + 0.5))
            self._refuse(http_error(429, "Too Many Requests", "rate limited", {"Retry-After": str(retry)}))
            return
        loop = asyncio.get_running_loop()
        try:
            transport, _ = await asyncio.wait_for(
                loop.create_connection(lambda: _Upstream(self), context.upstream_host, context.upstream_port),
                context.connect_timeout_s,
            )
        except (OSError, TimeoutError) as exc:
            log.warning("notifier unreachable", extra={"error": type(exc).__name__, "request_id": self.request_id})
            self._complete_and_close(headers, "notifier is unavailable")
            return
        if client.is_closing():
            transport.close()
            return
        forwarded = [(k, v) for k, v in headers if k.lower() not in NOT_FORWARDED]
        host = f"{context.upstream_host}:{context.upstream_port}".encode()
        extra = [
            (b"host", host),
            (b"x-forwarded-for", self.address.encode()),
            (b"x-request-id", self.request_id.encode()),
        ]
        request = b"GET %s HTTP/1.1\r\n" % target + b"".join(k + b": " + v + b"\r\n" for k, v in extra + forwarded)
        self.upstream = transport  # type: ignore[assignment]
        transport.write(request + b"\r\n" + b"".join(self.pending))
        self.bytes_up += sum(map(len, self.pending))
        self.pending.clear()
        self.counted = True
        OPEN_TUNNELS.inc()
        log.info("websocket tunnel opened", extra={"request_id": self.request_id, "client": self.address})

    def _refuse(self, response: bytes) -> None:
        assert self.client is not None
        self.done = True
        self.client.write(response)
        self.client.close()

    def _complete_and_close(self, headers: list[tuple[bytes, ...]], reason: str) -> None:
        """Finish the handshake here and close at once with 1012: the client's reconnect logic takes over."""
        key = dict(headers).get(b"sec-websocket-key", b"")  # type: ignore[arg-type]
        if not key:
            self._refuse(http_error(400, "Bad Request", "not a WebSocket handshake"))
            return
        self._refuse(
            b"HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\n"
            b"sec-websocket-accept: " + accept_key(key) + b"\r\n\r\n" + close_frame(SERVICE_RESTART, reason)
        )

    def _finish(self, why: str) -> None:
        if self.done and not self.counted:
            return
        self.done = True
        if self.counted:
            self.counted = False
            OPEN_TUNNELS.dec()
            log.info(
                "websocket tunnel closed",
                extra={
                    "request_id": self.request_id,
                    "client": self.address,
                    "why": why,
                    "seconds": round(time.monotonic() - self.started, 1),
                    "bytes_in": self.bytes_up,
                    "bytes_out": self.bytes_down,
                },
            )
