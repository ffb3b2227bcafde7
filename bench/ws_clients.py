"""The client side of the notifier fan-out benchmark: many sockets that timestamp `order:created`, cheaply.

A `websockets` client costs ~100 µs of CPU per received frame, so 1,000 of them in the benchmark's process
measured the client more than the notifier. Here each socket is a bare asyncio protocol (HTTP upgrade, masked
auth frame, then unmasked server frames parsed in place), and the sockets are spread over worker processes:
`python -m bench.ws_clients WS_URL TOKEN COUNT` connects COUNT sockets, prints `ready`, then for each line
`NUMBER` on stdin answers `NUMBER <perf_counter of its last receipt>` (CLOCK_MONOTONIC: comparable across
processes) or `NUMBER timeout`. Used only by bench_ws.py; loopback only.
"""

from __future__ import annotations

import asyncio
import base64
import gc
import os
import struct
import sys
import time
from urllib.parse import urlsplit

import orjson

try:
    import uvloop
except ImportError:  # pragma: no cover
    uvloop = None

_MARK = b'"order:created"'


def masked_text(text: str) -> bytes:
    payload = text.encode()
    mask = os.urandom(4)
    size = len(payload)
    header = bytes((0x81, 0x80 | size)) if size < 126 else struct.pack("!BBH", 0x81, 0x80 | 126, size)
    body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return header + mask + body


class Receipts:
    """Receipt times by order number, across the sockets of this process; `complete` when all have one."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.times: dict[str, list[float]] = {}
        self.waiters: dict[str, asyncio.Future[float]] = {}

    def add(self, number: str, at: float) -> None:
        times = self.times.setdefault(number, [])
        times.append(at)
        if len(times) == self.count:
            waiter = self.waiters.pop(number, None)
            if waiter is not None and not waiter.done():
                waiter.set_result(max(times))

    async def complete(self, number: str, timeout: float) -> float:
        times = self.times.get(number, [])
        if len(times) == self.count:
            return max(times)
        future = self.waiters.setdefault(number, asyncio.get_running_loop().create_future())
        return await asyncio.wait_for(future, timeout)


class RawClient(asyncio.Protocol):
    """One socket: upgrade, auth, `ready`, then every `order:created` number -> its receipt time."""

    def __init__(self, host: str, path: str, token: str, seen: Receipts) -> None:
        self.request = (
            f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
        self.auth = masked_text(orjson.dumps({"event": "auth", "data": {"token": token, "last_id": None}}).decode())
        self.seen = seen
        self.buffer = b""
        self.upgraded = False
        self.ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.transport.write(self.request)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.ready.done():
            self.ready.set_exception(ConnectionError("socket closed before ready"))

    def data_received(self, data: bytes) -> None:
        at = time.perf_counter()
        buffer = self.buffer + data
        if not self.upgraded:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                self.buffer = buffer
                return
            if not buffer.startswith(b"HTTP/1.1 101"):
                self.ready.set_exception(ConnectionError(buffer[:80].decode(errors="replace")))
                return
            self.upgraded = True
            buffer = buffer[end + 4 :]
            self.transport.write(self.auth)  # type: ignore[union-attr]
        while len(buffer) >= 2:
            opcode, size = buffer[0] & 0x0F, buffer[1] & 0x7F
            start = 2
            if size == 126:
                if len(buffer) < 4:
                    break
                size, start = struct.unpack_from("!H", buffer, 2)[0], 4
            elif size == 127:
                if len(buffer) < 10:
                    break
                size, start = struct.unpack_from("!Q", buffer, 2)[0], 10
            if len(buffer) < start + size:
                break
            payload, buffer = buffer[start : start + size], buffer[start + size :]
            self._frame(opcode, payload, at)
        self.buffer = buffer

    def _frame(self, opcode: int, payload: bytes, at: float) -> None:
        if opcode == 0x9:  # ping -> pong
            mask = os.urandom(4)
            body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
            self.transport.write(bytes((0x8A, 0x80 | len(body))) + mask + body)  # type: ignore[union-attr]
        elif opcode == 0x1:
            if _MARK in payload:
                number = orjson.loads(payload)["data"].get("number")
                self.seen.add(number, at)
            elif not self.ready.done():
                if orjson.loads(payload).get("event") == "ready":
                    self.ready.set_result(None)
                else:
                    self.ready.set_exception(ConnectionError(payload[:200].decode(errors="replace")))
        elif opcode == 0x8 and not self.ready.done():
            self.ready.set_exception(ConnectionError("closed by the server"))


async def open_clients(ws_url: str, token: str, count: int, seen: Receipts) -> list[RawClient]:
    url = urlsplit(ws_url)
    loop = asyncio.get_running_loop()
    clients: list[RawClient] = []
    for start in range(0, count, 100):  # in batches: the notifier verifies each auth frame
        batch = []
        for _ in range(min(100, count - start)):
            _, client = await loop.create_connection(
                lambda: RawClient(url.netloc, url.path, token, seen), url.hostname, url.port
            )
            batch.append(client)
        await asyncio.wait_for(asyncio.gather(*(c.ready for c in batch)), 30)
        clients.extend(batch)
    return clients


async def worker(ws_url: str, token: str, count: int) -> None:
    seen = Receipts(count)
    clients = await open_clients(ws_url, token, count, seen)
    # The simulated phones must not measure their own collector: exempt the sockets from later collections.
    gc.collect()
    gc.freeze()
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    print("ready", flush=True)
    while line := (await reader.readline()).decode().strip():
        try:
            answer = str(await seen.complete(line, 10.0))
        except TimeoutError:
            answer = "timeout"
        seen.times.pop(line, None)
        print(f"{line} {answer}", flush=True)
    for client in clients:
        client.transport.close()  # type: ignore[union-attr]


if __name__ == "__main__":
    main = worker(sys.argv[1], sys.argv[2], int(sys.argv[3]))
    uvloop.run(main) if uvloop is not None else asyncio.run(main)
