"""Writing event frames straight to a socket's transport: one encoding per event, no await per socket.

A server frame is not masked, so with no extension negotiated (no permessage-deflate) the bytes of a text
frame are the same for every recipient: they are built once per event and written to each transport. This
is only used when the ASGI server is uvicorn's `websockets` protocol (it exposes the protocol object behind
the ASGI `send`); anything else (another server, a compressed socket, a test fake) takes the ASGI path.
"""

from __future__ import annotations

import struct
from typing import Any

_TEXT_FIN = 0x81


def text_frame(text: str) -> bytes:
    """The wire bytes of one unfragmented, unmasked, uncompressed text frame (RFC 6455 §5.2)."""
    payload = text.encode()
    size = len(payload)
    if size < 126:
        header = bytes((_TEXT_FIN, size))
    elif size < 65536:
        header = struct.pack("!BBH", _TEXT_FIN, 126, size)
    else:
        header = struct.pack("!BBQ", _TEXT_FIN, 127, size)
    return header + payload


class DirectWriter:
    """The transport of one uvicorn `websockets` connection, written to while the connection is open."""

    __slots__ = ("_open", "_protocol", "_transport")

    def __init__(self, protocol: Any) -> None:
        self._protocol = protocol
        self._transport = protocol.transport
        self._open = type(protocol.state).OPEN

    def usable(self) -> bool:
        protocol = self._protocol
        return protocol.state is self._open and not protocol.extensions and not self._transport.is_closing()

    def write(self, wire: bytes) -> None:
        self._transport.write(wire)

    def buffered(self) -> int:
        return self._transport.get_write_buffer_size()


def _server_send(send: Any, depth: int = 8) -> Any:
    """Unwrap the `send` closures of ASGI middleware (Starlette wraps it for http.response.start only)."""
    while depth > 0 and send is not None and not hasattr(send, "__self__"):
        code, cells = getattr(send, "__code__", None), getattr(send, "__closure__", None) or ()
        names = code.co_freevars if code is not None else ()
        send = next((c.cell_contents for n, c in zip(names, cells, strict=False) if n == "send"), None)
        depth -= 1
    return send


def direct_writer(send: Any) -> DirectWriter | None:
    """A DirectWriter for the ASGI `send` of a uvicorn `websockets` connection, else None."""
    protocol = getattr(_server_send(send), "__self__", None)
    if protocol is None or getattr(protocol, "is_client", True):
        return None
    needed = ("transport", "state", "extensions", "write_frame_sync")
    if not all(hasattr(protocol, name) for name in needed) or protocol.transport is None:
        return None
    if protocol.extensions:  # permessage-deflate negotiated: frames differ per socket
        return None
    return DirectWriter(protocol)
