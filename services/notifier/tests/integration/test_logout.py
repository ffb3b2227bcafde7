"""`user.logged_out` closes the sockets of that login session (the token's `sid`) with 4401, and a token of that
session is refused afterwards, by this instance and by any other (the ended session is kept in the database)."""

from __future__ import annotations

import uuid
from typing import Any

import websockets

from salessync.embedded import EmbeddedNats
from salessync.testing.helpers import eventually
from salessync.testing.tokens import TestKeys

from .conftest import Notifier, Socket, User, notifier_settings, running_notifier

TENANT = str(uuid.uuid4())


async def _auth(notifier: Notifier, token: str) -> tuple[Socket, dict[str, Any] | None]:
    """Open a socket and authenticate; the first frame back (None when the socket was closed instead)."""
    socket = Socket(await websockets.connect(notifier.ws_url, open_timeout=5))
    await socket.send({"event": "auth", "data": {"token": token}})
    try:
        return socket, await socket.next()
    except websockets.ConnectionClosed:
        return socket, None


async def _connect(notifier: Notifier, token: str) -> Socket:
    socket, ready = await _auth(notifier, token)
    assert ready is not None and ready["event"] == "ready", ready
    socket.ready = ready
    return socket


async def _refused(notifier: Notifier, token: str) -> bool:
    socket, first = await _auth(notifier, token)
    if first is not None:
        await socket.close()
        return False
    return bool(socket.ws.close_code == 4401)


async def test_logout_closes_only_that_sessions_sockets_and_its_token_is_refused_after(
    notifier: Notifier, database_url: str, embedded_nats: EmbeddedNats, test_keys: TestKeys
) -> None:
    user = User(TENANT, "salesman")
    ended, kept = str(uuid.uuid4()), str(uuid.uuid4())
    old_token = notifier.keys.mint(user_id=user.id, tenant_id=TENANT, role=user.role, sid=ended)
    other_token = notifier.keys.mint(user_id=user.id, tenant_id=TENANT, role=user.role, sid=kept)
    logged_out = await _connect(notifier, old_token)
    other_session = await _connect(notifier, other_token)

    payload = {"id": user.id, "session_id": ended, "reason": "logout"}
    await notifier.publish(TENANT, "user.logged_out", payload, aggregate_id=user.id)

    assert await logged_out.closed_with() == 4401
    await other_session.send({"event": "no:such", "ref": "alive", "data": {}})
    assert (await other_session.next())["ref"] == "alive"
    assert await _refused(notifier, old_token)
    await other_session.close()

    # Another instance started after the event (it never saw it live) refuses the token too, from the database.
    settings = notifier_settings(database_url, embedded_nats, test_keys)
    async with running_notifier(settings, test_keys, embedded_nats.url) as another:

        async def refused_there() -> bool:
            return await _refused(another, old_token)

        await eventually(refused_there, timeout=10)
        still_open = await _connect(another, other_token)
        await still_open.close()


async def test_a_token_without_a_session_id_is_not_refused_by_a_logout(notifier: Notifier) -> None:
    user = User(TENANT, "manager")
    await notifier.publish(TENANT, "user.logged_out", {"id": user.id, "session_id": "", "reason": "logout"})
    socket = await _connect(notifier, notifier.token(user))
    assert socket.ready["data"]["user_id"] == user.id
    await socket.close()
