"""`/ws` as an ASGI route, the fallback: accept the client's WebSocket, open one to the notifier, and pipe frames
both ways. The launcher and the images serve the gateway with `gateway.tunnel` instead, which takes the upgrade
before the ASGI app sees it and copies bytes (far cheaper per frame); this route answers under any other server.

The gateway does not authenticate the socket: the client's first frame carries the token and the notifier
checks it (and closes with 4401). Close codes pass through in both directions, so a client sees the
notifier's 4401, 4403, 1009 or 1012 as if it were connected directly. A notifier that cannot be reached, or
drops the connection without a close frame, closes the client's socket with 1012 (reconnect and resume).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from starlette.websockets import WebSocket, WebSocketDisconnect
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

log = logging.getLogger("gateway.websocket")
SERVICE_RESTART = 1012
NO_STATUS = 1005


def sendable(code: int | None, default: int = 1000) -> int:
    """A close code that may appear in a close frame (1005, 1006 and 1015 may not)."""
    if code is None:
        return default
    if code in (1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014) or 3000 <= code <= 4999:
        return code
    return default


async def pipe(websocket: WebSocket, upstream_url: str, *, max_frame: int, open_timeout: float) -> None:
    """Run one proxied socket until either side closes."""
    headers = [
        (name, value)
        for name, value in websocket.headers.items()
        if name in ("x-request-id", "user-agent", "accept-language")
    ]
    client = websocket.client
    headers.append(("x-forwarded-for", client.host if client else "unknown"))
    protocols = websocket.scope.get("subprotocols") or None
    try:
        upstream = await connect(
            upstream_url,
            additional_headers=headers,
            subprotocols=protocols,
            max_size=max_frame,
            open_timeout=open_timeout,
            user_agent_header=None,
        )
    except (OSError, InvalidHandshake, InvalidStatus, TimeoutError) as exc:
        log.warning("notifier unreachable", extra={"error": type(exc).__name__})
        await websocket.accept()
        await websocket.close(code=SERVICE_RESTART, reason="notifier is unavailable")
        return
    async with upstream:
        await websocket.accept(subprotocol=upstream.subprotocol)
        to_upstream = asyncio.create_task(_client_to_upstream(websocket, upstream))
        to_client = asyncio.create_task(_upstream_to_client(websocket, upstream))
        done, pending = await asyncio.wait({to_upstream, to_client}, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for task in done:
            if task.exception() is not None:
                log.warning("websocket pipe failed", extra={"error": type(task.exception()).__name__})


async def _client_to_upstream(websocket: WebSocket, upstream: ClientConnection) -> None:
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            code = sendable(message.get("code"))
            await upstream.close(code=code, reason=(message.get("reason") or "")[:120])
            return
        text = message.get("text")
        try:
            await upstream.send(text if text is not None else message.get("bytes") or b"")
        except ConnectionClosed:
            return  # the other task passes the notifier's close code on


async def _upstream_to_client(websocket: WebSocket, upstream: ClientConnection) -> None:
    try:
        async for frame in upstream:
            if isinstance(frame, str):
                await websocket.send_text(frame)
            else:
                await websocket.send_bytes(frame)
    except ConnectionClosed:
        pass
    except (WebSocketDisconnect, RuntimeError):
        return  # the client is gone; the other task closes the notifier's side
    received = upstream.protocol.close_rcvd
    if received is None:
        code, reason = SERVICE_RESTART, "notifier connection lost"
    else:
        code, reason = sendable(received.code), received.reason
    with contextlib.suppress(RuntimeError, WebSocketDisconnect):
        await websocket.close(code=code, reason=reason)
