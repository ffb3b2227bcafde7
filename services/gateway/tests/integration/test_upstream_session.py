"""The gateway's aiohttp session towards the services: its pool, a refused connection, a client that leaves mid-body."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from fastapi import FastAPI, Request
from prometheus_client import REGISTRY
from starlette.types import Message

from gateway.proxy import Proxy
from gateway.routing import RouteTable
from gateway.settings import UpstreamClientSettings
from gateway.upstream import UPSTREAM_ERRORS, failure_status, make_session
from salessync.auth import verifier_from_settings
from salessync.embedded import free_port
from salessync.testing.tokens import TestKeys

from .conftest import gateway_settings, serve


def peer_port_app() -> FastAPI:
    """Answers with the caller's source port: the same port twice means the connection was reused."""
    app = FastAPI()

    @app.get("/port")
    async def port(request: Request) -> int:
        assert request.client is not None
        return request.client.port

    return app


async def test_a_pooled_connection_is_reused_until_idle_for_keepalive_expiry() -> None:
    async with (
        serve(peer_port_app()) as url,
        make_session(UpstreamClientSettings(keepalive_expiry_s=0.2)) as session,
    ):

        async def port() -> int:
            async with session.get(f"{url}/port") as answer:
                return int(await answer.read())

        first = await port()
        assert await port() == first
        await asyncio.sleep(0.3)  # idle past the expiry: the time under test, not a wait for a condition
        assert await port() != first


async def test_a_refused_connection_is_502_not_a_timeout() -> None:
    async with make_session(UpstreamClientSettings()) as session:
        with pytest.raises(UPSTREAM_ERRORS) as refused:
            await session.get(f"http://127.0.0.1:{free_port()}/")  # nobody listens there

    assert isinstance(refused.value, aiohttp.ClientConnectorError)
    assert failure_status(refused.value) == 502


def upstream_failures(service: str) -> float:
    return sum(
        REGISTRY.get_sample_value("gateway_upstream_failures_total", {"service": service, "status": status}) or 0.0
        for status in ("502", "504")
    )


async def test_a_client_gone_while_its_body_streams_is_no_upstream_failure(
    upstreams: dict[str, str], test_keys: TestKeys
) -> None:
    settings = gateway_settings(upstreams, test_keys)
    proxy = Proxy(settings, RouteTable(settings.routes), verifier_from_settings(settings.auth))
    route = proxy.table.match("/api/orders")
    assert route is not None
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/api/orders",
        "raw_path": b"/api/orders",
        "query_string": b"",
        "headers": [(b"transfer-encoding", b"chunked")],
        "client": ("127.0.0.1", 50000),
        "scheme": "http",
    }
    arriving: list[Message] = [{"type": "http.request", "body": b"x" * 1000, "more_body": True}]
    arriving.append({"type": "http.disconnect"})
    sent: list[Message] = []

    async def receive() -> Message:
        return arriving.pop(0)

    async def send(message: Message) -> None:
        sent.append(message)

    before = upstream_failures("orders")
    async with make_session(settings.client) as proxy.session:
        await proxy.forward(scope, receive, send, route)

    assert sent == []  # nobody to answer: no 502 problem either
    assert upstream_failures("orders") == before
