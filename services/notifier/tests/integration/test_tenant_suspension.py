"""`tenant.suspended` closes every socket of that tenant with 4403 and refuses its tokens (here and on an instance
that never saw the event live, from the database); `tenant.reactivated` accepts them again."""

from __future__ import annotations

import uuid
from typing import Any

import websockets

from salessync.embedded import EmbeddedNats
from salessync.testing.helpers import eventually
from salessync.testing.tokens import TestKeys

from .conftest import Notifier, Socket, User, notifier_settings, running_notifier

SUSPENDED, OTHER = str(uuid.uuid4()), str(uuid.uuid4())


async def _auth(notifier: Notifier, token: str) -> tuple[Socket, dict[str, Any] | None]:
    socket = Socket(await websockets.connect(notifier.ws_url, open_timeout=5))
    await socket.send({"event": "auth", "data": {"token": token}})
    try:
        return socket, await socket.next()
    except websockets.ConnectionClosed:
        return socket, None


async def _close_code(notifier: Notifier, token: str) -> int | None:
    """The close code answering an auth frame with this token; None when it was accepted (`ready`)."""
    socket, first = await _auth(notifier, token)
    if first is not None:
        assert first["event"] == "ready", first
        await socket.close()
        return None
    return socket.ws.close_code


async def _connect(notifier: Notifier, token: str) -> Socket:
    socket, ready = await _auth(notifier, token)
    assert ready is not None and ready["event"] == "ready", ready
    return socket


async def test_a_suspended_tenants_sockets_close_4403_until_it_is_reactivated(
    notifier: Notifier, database_url: str, embedded_nats: EmbeddedNats, test_keys: TestKeys
) -> None:
    manager, salesman, outsider = User(SUSPENDED, "manager"), User(SUSPENDED, "salesman"), User(OTHER, "manager")
    sockets = [await _connect(notifier, notifier.token(u)) for u in (manager, salesman)]
    other = await _connect(notifier, notifier.token(outsider))

    await notifier.publish(SUSPENDED, "tenant.suspended", {"id": SUSPENDED, "code": "sus", "status": "suspended"})

    assert [await s.closed_with() for s in sockets] == [4403, 4403]
    await other.send({"event": "no:such", "ref": "alive", "data": {}})
    assert (await other.next())["ref"] == "alive"
    assert await _close_code(notifier, notifier.token(manager)) == 4403
    assert await _close_code(notifier, notifier.token(outsider)) is None
    await other.close()

    # Another instance started after the event (it never saw it live) refuses the tenant too, from the database.
    settings = notifier_settings(database_url, embedded_nats, test_keys)
    async with running_notifier(settings, test_keys, embedded_nats.url) as another:

        async def refused_there() -> bool:
            return await _close_code(another, notifier.token(salesman)) == 4403

        await eventually(refused_there, timeout=10)

        await notifier.publish(SUSPENDED, "tenant.reactivated", {"id": SUSPENDED, "code": "sus", "status": "active"})

        async def accepted_again() -> bool:
            return (
                await _close_code(notifier, notifier.token(manager)) is None
                and await _close_code(another, notifier.token(salesman)) is None
            )

        await eventually(accepted_again, timeout=10)
