"""`/ws` through the gateway: frames both ways, close codes passed through in both directions.

Each behaviour is checked on both ways the gateway can serve a socket: the byte tunnel the launcher and the image
use (`gateway.tunnel`), and the frame relay of the ASGI route that any other server falls back to."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from gateway.tunnel import WebSocketTunnel
from salessync.embedded import free_port
from salessync.testing.helpers import eventually
from salessync.testing.tokens import TestKeys

from .conftest import Upstream, gateway_settings, running_gateway


def ws_url(client: httpx.AsyncClient) -> str:
    return str(client.base_url).replace("http://", "ws://").rstrip("/") + "/ws"


MODES = {"tunnel": WebSocketTunnel, "asgi": "websockets-sansio"}


@pytest.fixture(scope="module", params=list(MODES))
async def gw(
    request: pytest.FixtureRequest, upstreams: dict[str, str], test_keys: TestKeys
) -> AsyncIterator[httpx.AsyncClient]:
    async with running_gateway(gateway_settings(upstreams, test_keys), ws=MODES[request.param]) as client:
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


@pytest.mark.parametrize("mode", list(MODES))
async def test_an_unreachable_notifier_closes_the_socket_with_1012(
    upstreams: dict[str, str], test_keys: TestKeys, mode: str
) -> None:
    settings = gateway_settings(upstreams | {"notifier": f"http://127.0.0.1:{free_port()}"}, test_keys)
    async with running_gateway(settings, ws=MODES[mode]) as client, connect(ws_url(client)) as socket:
        with pytest.raises(ConnectionClosed):
            await socket.recv()

    assert socket.close_code == 1012


async def test_the_notifier_is_told_the_client_address_and_the_request_id(gw: httpx.AsyncClient) -> None:
    async with connect(
        ws_url(gw), additional_headers={"X-Request-ID": "rid-42", "X-Forwarded-For": "6.6.6.6"}
    ) as socket:
        await socket.send("headers")
        seen = json.loads(await socket.recv())

    assert seen["x-forwarded-for"] == "127.0.0.1"  # not the client's claim: trust_forwarded is off
    assert seen["x-request-id"] == "rid-42"


async def test_the_tunnel_answers_only_ws(upstreams: dict[str, str], test_keys: TestKeys) -> None:
    async with running_gateway(gateway_settings(upstreams, test_keys)) as client:
        with pytest.raises(InvalidStatus) as refused:
            await connect(ws_url(client).replace("/ws", "/api/ws"))

    assert refused.value.response.status_code == 404
    assert refused.value.response.headers["Content-Type"] == "application/problem+json"
    body = json.loads(refused.value.response.body)
    assert (body["status"], body["instance"]) == (404, "/ws")
    assert body["request_id"]  # the same request id as the tunnel's log lines


async def test_the_tunnel_rate_limits_upgrades_per_address_with_429(
    upstreams: dict[str, str], test_keys: TestKeys
) -> None:
    limits = {"enabled": True, "address_rate": 0.01, "address_burst": 2}
    async with running_gateway(gateway_settings(upstreams, test_keys, rate_limit=limits)) as client:
        for _ in range(2):
            async with connect(ws_url(client)) as socket:
                await socket.send("hi")
                assert await socket.recv() == "echo:hi"
        with pytest.raises(InvalidStatus) as refused:
            await connect(ws_url(client))

    assert refused.value.response.status_code == 429
    assert int(refused.value.response.headers["Retry-After"]) >= 1


async def test_the_gateway_shutting_down_tells_its_sockets_to_reconnect(
    upstreams: dict[str, str], test_keys: TestKeys
) -> None:
    async with AsyncExitStack() as stack:
        client = await stack.enter_async_context(running_gateway(gateway_settings(upstreams, test_keys)))
        socket = await connect(ws_url(client))
        await socket.send("hi")
        assert await socket.recv() == "echo:hi"
    # the gateway is stopped here, the socket was open through it
    with pytest.raises(ConnectionClosed):
        await asyncio.wait_for(socket.recv(), 5)

    assert socket.close_code == 1012
