"""A real notifier served by uvicorn on a free port (real sockets), real PostgreSQL and NATS JetStream."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
import pytest
import websockets
from fastapi import FastAPI
from nats.aio.client import Client as Nats

from notifier.main import create_app
from notifier.settings import NotifierSettings
from salessync.embedded import EmbeddedNats, EmbeddedPostgres
from salessync.events import encode_event, new_event
from salessync.nats import connect, ensure_stream
from salessync.testing.helpers import migrated_database, serving, settings_for
from salessync.testing.tokens import TestKeys


def serve(app: FastAPI, **options: Any) -> AbstractAsyncContextManager[str]:
    """Run `app` with uvicorn on 127.0.0.1 and a free port; yields its base URL (http://...).

    As the launcher runs it (service.py): no permessage-deflate, so live frames take the direct write path.
    `options` are further uvicorn settings (the heartbeat test shortens the ping interval)."""
    return serving(app, ws_per_message_deflate=False, **options)


@dataclass
class Notifier:
    base_url: str
    keys: TestKeys
    nc: Nats
    http: httpx.AsyncClient

    @property
    def ws_url(self) -> str:
        return self.base_url.replace("http://", "ws://") + "/ws"

    async def publish(self, tenant: str, event_type: str, payload: dict[str, Any], aggregate_id: str = "") -> int:
        """Publish an event to the stream as a producing service's relay would; returns its stream sequence."""
        event = new_event(
            event_type, tenant_id=tenant, aggregate_id=aggregate_id or uuid.uuid4(), payload=payload, producer="test"
        )
        ack = await self.nc.jetstream().publish(
            event.subject, encode_event(event), headers={"Nats-Msg-Id": event.event_id}
        )
        return int(ack.seq)

    def token(self, user: User, ttl_s: int = 900) -> str:
        return self.keys.mint(user_id=user.id, tenant_id=user.tenant, role=user.role, ttl_s=ttl_s)

    async def connect(self, user: User, last_id: str | None = None, ttl_s: int = 900) -> Socket:
        ws = await websockets.connect(self.ws_url, open_timeout=5, max_size=None)
        await ws.send(
            orjson.dumps({"event": "auth", "data": {"token": self.token(user, ttl_s), "last_id": last_id}}).decode()
        )
        socket = Socket(ws)
        ready = await socket.next()
        assert ready["event"] == "ready", ready
        socket.ready = ready["data"]
        return socket


@dataclass(frozen=True)
class User:
    tenant: str
    role: str
    id: str = field(default_factory=lambda: str(uuid.uuid4()))


@dataclass
class Socket:
    ws: Any
    ready: dict[str, Any] = field(default_factory=dict)

    async def next(self, timeout: float = 5.0) -> dict[str, Any]:
        return orjson.loads(await asyncio.wait_for(self.ws.recv(), timeout))  # type: ignore[no-any-return]

    async def send(self, frame: dict[str, Any] | str) -> None:
        await self.ws.send(frame if isinstance(frame, str) else orjson.dumps(frame).decode())

    async def until(self, predicate: Any, timeout: float = 5.0) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """Frames up to the first that matches; returns it and the frames seen before it."""
        before: list[dict[str, Any]] = []
        while True:
            frame = await self.next(timeout)
            if predicate(frame):
                return frame, before
            before.append(frame)

    async def closed_with(self, timeout: float = 5.0) -> int | None:
        with_code = None
        try:
            while True:
                await asyncio.wait_for(self.ws.recv(), timeout)
        except websockets.ConnectionClosed as exc:
            with_code = exc.rcvd.code if exc.rcvd else None
        return with_code

    async def close(self) -> None:
        await self.ws.close()


@pytest.fixture(scope="module")
def database_url(embedded_pg: EmbeddedPostgres) -> str:
    return migrated_database(embedded_pg, "notifier")


def notifier_settings(database_url: str, nats: EmbeddedNats, keys: TestKeys, **overrides: Any) -> NotifierSettings:
    return settings_for(NotifierSettings, database_url=database_url, nats_url=nats.url, keys=keys, **overrides)


@asynccontextmanager
async def running_notifier(
    settings: NotifierSettings, keys: TestKeys, nats_url: str, **options: Any
) -> AsyncIterator[Notifier]:
    nc = await connect(nats_url, "test")
    await ensure_stream(nc.jetstream())
    try:
        async with (
            serve(create_app(settings), **options) as base_url,
            httpx.AsyncClient(base_url=base_url, timeout=10) as http,
        ):
            yield Notifier(base_url, keys, nc, http)
    finally:
        await nc.close()


@pytest.fixture(scope="module")
async def notifier(database_url: str, embedded_nats: EmbeddedNats, test_keys: TestKeys) -> AsyncIterator[Notifier]:
    settings = notifier_settings(database_url, embedded_nats, test_keys)
    async with running_notifier(settings, test_keys, embedded_nats.url) as running:
        yield running
