"""Heartbeats: the server pings every socket; a peer that stops answering (a phone gone into a tunnel, a dead
NAT mapping) is dropped and forgotten by the hub, while a peer that answers stays connected.

The notifier runs here with a 0.2 s ping interval and a 0.5 s pong timeout instead of the launcher's 20 s / 20 s,
so the test takes a second rather than forty. The dead peer is a bare TCP socket that completes the handshake and
the auth frame and then never reads or writes again, which is what a vanished client looks like to the server.
The server sends its close frame (1011) as soon as the pong is late, then waits for the peer's TCP close for the
websockets library's close timeout (10 s) before it lets go of the connection: a dead peer is forgotten after
ping interval + ping timeout + 10 s (50 s with the launcher's settings).
"""

from __future__ import annotations

import asyncio
import base64
import os
import re
import struct
import uuid
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import orjson
import pytest

from salessync.embedded import EmbeddedNats
from salessync.testing.helpers import eventually
from salessync.testing.tokens import TestKeys

from .conftest import Notifier, User, notifier_settings, running_notifier

TENANT = str(uuid.uuid4())
MANAGER = User(TENANT, "manager")
PING, CLOSE, TEXT = 0x9, 0x8, 0x1


@pytest.fixture(scope="module")
async def notifier(database_url: str, embedded_nats: EmbeddedNats, test_keys: TestKeys) -> AsyncIterator[Notifier]:
    settings = notifier_settings(database_url, embedded_nats, test_keys)
    async with running_notifier(
        settings, test_keys, embedded_nats.url, ws_ping_interval=0.2, ws_ping_timeout=0.5
    ) as running:
        yield running


async def open_sockets(notifier: Notifier) -> int:
    text = (await notifier.http.get("/metrics")).text
    match = re.search(r"^notifier_websockets_open (\S+)$", text, re.MULTILINE)
    assert match, "the notifier_websockets_open gauge is missing from /metrics"
    return int(float(match.group(1)))


def masked_text(text: str) -> bytes:
    """A client text frame (clients must mask, RFC 6455 §5.3)."""
    payload, mask = text.encode(), os.urandom(4)
    size = len(payload)
    header = bytes((0x81, 0x80 | size)) if size < 126 else struct.pack("!BBH", 0x81, 0x80 | 126, size)
    return header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


async def read_frame(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """One unmasked server frame: (opcode, payload)."""
    first, second = await reader.readexactly(2)
    size = second & 0x7F
    if size == 126:
        (size,) = struct.unpack("!H", await reader.readexactly(2))
    elif size == 127:
        (size,) = struct.unpack("!Q", await reader.readexactly(8))
    return first & 0x0F, await reader.readexactly(size)


class DeadPeer:
    """Handshake and auth by hand, then silence: no reads, so no pong ever goes back."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def connect(cls, notifier: Notifier, token: str) -> DeadPeer:
        url = urlsplit(notifier.ws_url)
        reader, writer = await asyncio.open_connection(url.hostname, url.port)
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write(
            f"GET /ws HTTP/1.1\r\nHost: {url.netloc}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        assert head.startswith(b"HTTP/1.1 101"), head
        auth = {"event": "auth", "data": {"token": token, "last_id": None}}
        writer.write(masked_text(orjson.dumps(auth).decode()))
        opcode, payload = await asyncio.wait_for(read_frame(reader), 5)
        assert (opcode, orjson.loads(payload)["event"]) == (TEXT, "ready")
        return cls(reader, writer)

    async def what_the_server_sent(self) -> list[tuple[int, bytes]]:
        """Every frame that waited in the socket, up to the server's end of the connection."""
        frames = []
        try:
            while True:
                frames.append(await asyncio.wait_for(read_frame(self.reader), 5))
        except asyncio.IncompleteReadError:
            pass
        self.writer.close()
        return frames


async def test_a_peer_that_stops_answering_pings_is_dropped_and_forgotten(notifier: Notifier) -> None:
    before = await open_sockets(notifier)
    peer = await DeadPeer.connect(notifier, notifier.token(MANAGER))
    assert await open_sockets(notifier) == before + 1

    async def forgotten() -> bool:
        return await open_sockets(notifier) == before

    await eventually(forgotten, timeout=25, interval=0.25, message="the silent socket is still counted open")
    frames = await peer.what_the_server_sent()
    opcodes = [opcode for opcode, _ in frames]
    assert PING in opcodes, opcodes
    assert opcodes[-1] == CLOSE, opcodes
    (code,) = struct.unpack("!H", frames[-1][1][:2])
    assert code == 1011  # "keepalive ping timeout"


async def test_a_peer_that_answers_pings_stays_and_keeps_receiving(notifier: Notifier) -> None:
    socket = await notifier.connect(MANAGER)
    try:
        await asyncio.sleep(1.5)  # three ping intervals and more than the pong timeout: a dead peer is gone by now
        seq = await notifier.publish(TENANT, "order.placed", {"order_id": str(uuid.uuid4()), "number": "ORD-HB-1"})
        frame, _ = await socket.until(lambda f: f.get("event") == "order:created")
        assert frame["id"] == str(seq)
        assert frame["data"]["number"] == "ORD-HB-1"
    finally:
        await socket.close()
