"""`/ws` through the gateway: frames both ways, close codes passed through in both directions."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from salessync.embedded import free_port
from salessync.testing.helpers import eventually
from salessync.testing.tokens import TestKeys

from .conftest import Upstream, gateway_settings, running_gateway


def ws_url(client: httpx.AsyncClient) -> str:
    return str(client.base_url).replace("http://", "ws://").rstrip("/") + "/ws"


@pytest.fixture(scope="module")
async def gw(upstreams: dict[str, str], test_keys: TestKeys) -> AsyncIterator[httpx.AsyncClient]:
    async with running_gateway(gateway_settings(upstreams, test_keys)) as client:
        yield client


async def test_frames_are_piped_both_ways(gw: httpx.AsyncClient) -> None:
    async with connect(ws_url(gw)) as socket:
        await socket.send('{"event": "auth", "data": {"token": "t"}}')
        first = await socket.recv()
        await socket.send("second")
        second = await socket.recv()

    assert first == 'echo:{"event": "auth", "data": {"token": "t"}}'
    assert second == "echo:second"


@pytest.mark.parametrize("code", [4401, 4403, 1009, 1012])
async def test_the_notifier_close_code_reaches_the_client(gw: httpx.AsyncClient, code: int) -> None:
    async with connect(ws_url(gw)) as socket:
        await socket.send(f"close:{code}")
        with pytest.raises(ConnectionClosed):
            await socket.recv()

    assert socket.close_code == code
    assert socket.close_reason == "asked to"


async def test_the_client_close_code_reaches_the_notifier(
    gw: httpx.AsyncClient, upstream_objects: dict[str, Upstream]
) -> None:
    notifier = upstream_objects["notifier"]
    async with connect(ws_url(gw)) as socket:
        await socket.send("hello")
        await socket.recv()
        await socket.close(code=4000, reason="bye")

    async def notifier_saw_it() -> bool:
        return 4000 in notifier.ws_closes

    await eventually(notifier_saw_it, timeout=5)


async def test_an_unreachable_notifier_closes_the_socket_with_1012(
    upstreams: dict[str, str], test_keys: TestKeys
) -> None:
    settings = gateway_settings(upstreams | {"notifier": f"http://127.0.0.1:{free_port()}"}, test_keys)
    async with running_gateway(settings) as client, connect(ws_url(client)) as socket:
        with pytest.raises(ConnectionClosed):
            await socket.recv()

    assert socket.close_code == 1012
