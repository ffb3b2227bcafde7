"""Real small upstream apps and the gateway, each served by uvicorn on a free 127.0.0.1 port in this loop."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import ORJSONResponse, Response
from pydantic import BaseModel

from gateway.main import create_app
from gateway.settings import GatewaySettings
from gateway.tunnel import WebSocketTunnel
from salessync.embedded import free_port
from salessync.testing.helpers import serving
from salessync.testing.tokens import TestKeys

BIG = b"x" * (1024 * 1024 + 7)


class Upstream:
    """An app that answers every request with what it received; a few routes are documented in OpenAPI."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.ws_closes: list[int] = []
        self.app = self._build()

    def _build(self) -> FastAPI:
        app = FastAPI(title=self.name)
        name = self.name

        if name == "catalog":

            class Item(BaseModel):
                name: str

            @app.get("/api/products", response_model=list[Item])
            async def products() -> list[Item]:
                return [Item(name="soap")]

        if name == "orders":

            class Item(BaseModel):  # same name, other shape: the merge must rename one
                total: int

            @app.get("/api/orders", response_model=list[Item])
            async def orders() -> list[Item]:
                return [Item(total=3)]

            @app.get("/api/orders/slow", include_in_schema=False)
            async def slow() -> dict[str, str]:
                await asyncio.sleep(3)  # the slow service under test, not a wait in a test
                return {"late": "yes"}

            @app.get("/api/orders/big", include_in_schema=False)
            async def big() -> Response:
                return Response(BIG, media_type="application/octet-stream")

        @app.websocket("/ws")
        async def echo(websocket: WebSocket) -> None:
            await websocket.accept()
            try:
                while True:
                    text = await websocket.receive_text()
                    if text == "headers":  # what the gateway told the notifier about the client
                        await websocket.send_text(json.dumps(dict(websocket.headers)))
                        continue
                    if text.startswith("close:"):
                        await websocket.close(code=int(text.split(":")[1]), reason="asked to")
                        return
                    await websocket.send_text(f"echo:{text}")
            except WebSocketDisconnect as exc:
                self.ws_closes.append(exc.code)

        @app.api_route(
            "/{rest:path}",
            methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
            include_in_schema=False,
        )
        async def echo_http(request: Request) -> Response:
            body = await request.body()
            return ORJSONResponse(
                {
                    "service": name,
                    "method": request.method,
                    "path": request.url.path,
                    "raw_path": request.scope["raw_path"].decode("latin-1"),
                    "query": request.url.query,
                    "headers": [[k.decode(), v.decode()] for k, v in request.scope["headers"]],
                    "body": body.decode("latin-1"),
                },
                headers={"X-Upstream": name, "Server": "upstream", "X-Request-ID": "from-upstream"},
            )

        return app


def serve(
    app: Any, port: int | None = None, ws: Any = "websockets-sansio", **options: Any
) -> AbstractAsyncContextManager[str]:
    """Serve `app` with uvicorn in this event loop; yields its base URL. `ws`: uvicorn's WebSocket protocol."""
    return serving(app, port=port, ws=ws, proxy_headers=False, timeout_graceful_shutdown=1, **options)


@pytest.fixture(scope="session")
def upstream_objects() -> dict[str, Upstream]:
    return {name: Upstream(name) for name in ("identity", "catalog", "orders", "notifier")}


@pytest.fixture(scope="session")
async def upstreams(upstream_objects: dict[str, Upstream]) -> AsyncIterator[dict[str, str]]:
    """Base URLs: four running services; `field` is a free port nobody listens on (a stopped service)."""
    urls: dict[str, str] = {}
    async with (
        serve(upstream_objects["identity"].app) as identity,
        serve(upstream_objects["catalog"].app) as catalog,
        serve(upstream_objects["orders"].app) as orders,
        serve(upstream_objects["notifier"].app) as notifier,
    ):
        urls = {
            "identity": identity,
            "catalog": catalog,
            "orders": orders,
            "notifier": notifier,
            "field": f"http://127.0.0.1:{free_port()}",
        }
        yield urls


def gateway_settings(upstreams: dict[str, str], keys: TestKeys, **overrides: Any) -> GatewaySettings:
    data: dict[str, Any] = {
        "environment": "test",
        "log_level": "WARNING",
        "auth": {"jwks_json": keys.jwks_json()},
        "upstreams": upstreams,
        "cors": {"origins": ["https://console.example.com"]},
        "rate_limit": {"enabled": False},
    }
    data.update(overrides)
    return GatewaySettings(**data)


@asynccontextmanager
async def running_gateway(settings: GatewaySettings, ws: Any = WebSocketTunnel) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway as the launcher serves it (WebSockets through gateway.tunnel), or with `ws` instead."""
    async with serve(create_app(settings), ws=ws) as url, httpx.AsyncClient(base_url=url, timeout=10) as client:
        yield client


@pytest.fixture(scope="session")
async def gateway(upstreams: dict[str, str], test_keys: TestKeys) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway in front of the upstreams; read timeout 0.5 s."""
    settings = gateway_settings(upstreams, test_keys, client={"read_timeout_s": 0.5, "connect_timeout_s": 1})
    async with running_gateway(settings) as client:
        yield client
