"""`GET /ws`: the auth frame first, `ready`, the replay of what was missed, then live events and client events."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from fastapi import APIRouter, WebSocket
from pydantic import ValidationError

from notifier.adapters.upstream import Upstreams
from notifier.domain.ratelimit import TokenBucket
from notifier.service_layer.queries import session_ended, tenant_suspended, user_may_connect
from notifier.settings import WebSocketSettings
from notifier.ws import protocol as p
from notifier.ws.client_events import Context, handle_frame
from notifier.ws.hub import Hub
from notifier.ws.schemas import AuthIn
from notifier.ws.session import Session
from notifier.ws.stream import replay
from salessync.app import Runtime
from salessync.auth import Principal
from salessync.errors import Unauthorized

log = logging.getLogger("notifier.ws")
router = APIRouter()


@dataclass
class SocketHub:
    """What `/ws` needs, built at start-up (`runtime.extras["sockets"]`)."""

    hub: Hub
    upstreams: Upstreams
    settings: WebSocketSettings


def _last_id(value: str | int | None) -> int | None:
    """The client's last id; an unreadable one is treated as a point that is gone (resync)."""
    if value is None or value == "":
        return None
    try:
        parsed = int(value)
    except ValueError:
        return -1
    return parsed if parsed >= 0 else -1


async def _authenticate(
    ws: WebSocket, runtime: Runtime, hub: Hub, timeout: float
) -> tuple[Principal, str, int | None] | int:
    """The principal, its token and the client's last id; or the close code (4401, or 4403 for a suspended
    tenant)."""
    try:
        first = await asyncio.wait_for(ws.receive(), timeout=timeout)
        frame = p.parse_client_frame(first.get("text") or first.get("bytes") or b"")
        if frame.event != "auth":
            raise p.BadFrame("the first frame must be auth")
        auth = AuthIn.model_validate(frame.data)
        principal = await runtime.verifier.verify(auth.token)
    except (TimeoutError, p.BadFrame, ValidationError, Unauthorized, RuntimeError):
        return p.BAD_TOKEN
    tenant_id = str(principal.tenant_id)
    suspended = hub.tenant_suspended(tenant_id)
    if suspended or (suspended is None and await tenant_suspended(runtime.db, tenant_id)):
        return p.TENANT_SUSPENDED
    revoked = hub.revoked(str(principal.user_id), principal.role)
    if revoked or (revoked is None and not await user_may_connect(runtime.db, principal)):
        return p.BAD_TOKEN
    if hub.session_ended(principal.session_id) or await session_ended(runtime.db, principal):
        return p.BAD_TOKEN
    return principal, auth.token, _last_id(auth.last_id)


@router.websocket("/ws")
async def websocket_endpoint(ws: WebSocket) -> None:
    runtime: Runtime = ws.app.state.runtime
    sockets: SocketHub = runtime.extras["sockets"]
    settings = sockets.settings
    await ws.accept()
    authenticated = await _authenticate(ws, runtime, sockets.hub, settings.auth_timeout_s)
    if isinstance(authenticated, int):
        reason = "tenant suspended" if authenticated == p.TENANT_SUSPENDED else "authentication failed"
        with contextlib.suppress(Exception):
            await ws.close(authenticated, reason)
        return
    principal, token, last_id = authenticated
    session = Session(ws, principal, token, queue_size=settings.send_queue, replay_max=settings.replay_max)
    hub = sockets.hub
    hub.add(session)
    try:
        session.start(p.BAD_TOKEN)
        await _catch_up(runtime, session, hub, last_id, settings.replay_max)
        await _receive_loop(ws, session, Context(runtime.db, sockets.upstreams), settings)
    finally:
        hub.remove(session)
        if not session.closed:
            session.detach()
        await session.wait_closed()


async def _catch_up(runtime: Runtime, session: Session, hub: Hub, last_id: int | None, replay_max: int) -> None:
    ready = {"user_id": session.user_id, "tenant_id": session.tenant_id}
    if last_id is None:
        session.last_sent = hub.last_seq
        session.send(p.control_frame("ready", {**ready, "last_id": str(hub.last_seq)}))
        return
    session.begin_replay(max(last_id, 0))
    session.send(p.control_frame("ready", {**ready, "last_id": str(last_id) if last_id >= 0 else None}))
    complete = False
    if last_id >= 0 and runtime.js is not None:
        try:
            complete = await replay(runtime.js, runtime.settings.nats.stream, session, last_id, replay_max)
        except Exception as exc:
            log.warning("replay failed: %s", exc, extra={"tenant_id": session.tenant_id})
    if complete:
        session.end_replay()
    else:
        session.send(p.control_frame("resync", {"last_id": str(hub.last_seq)}))
        session.end_replay(skip_to=hub.last_seq)


async def _receive_loop(ws: WebSocket, session: Session, ctx: Context, settings: WebSocketSettings) -> None:
    bucket = TokenBucket(settings.rate_per_s, settings.rate_burst)
    limit = settings.max_frame_bytes
    while not session.closed:
        message = await ws.receive()
        if message["type"] == "websocket.disconnect":
            return
        text = message.get("text")
        payload: str | bytes = text if text is not None else (message.get("bytes") or b"")
        size = len(payload) if isinstance(payload, bytes) or len(payload) * 4 <= limit else len(payload.encode())
        if size > limit:
            session.close(p.TOO_BIG, "frame over the size limit")
            return
        if not bucket.take():
            session.send(_rate_limited(payload, bucket))
            continue
        await handle_frame(ctx, session, payload)


def _rate_limited(payload: str | bytes, bucket: TokenBucket) -> str:
    try:
        ref = p.parse_client_frame(payload).ref
    except p.BadFrame as exc:
        ref = exc.ref
    return p.error_frame(ref, 429, "Too many frames", retry_after=round(bucket.retry_after(), 3))
