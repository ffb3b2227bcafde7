"""`create_service_app`: the same wiring for every service (FastAPI, database, NATS, outbox relay, consumers).

A service's `main.py` only says what is its own: settings, routers, subscriptions and any extra start-up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import ORJSONResponse
from nats.aio.client import Client
from nats.js import JetStreamContext

from salessync import gcstats
from salessync.auth import TokenVerifier, verifier_from_settings
from salessync.consumer import ConsumerRunner, Subscription
from salessync.db import Database
from salessync.logging import configure_logging
from salessync.nats import connect, ensure_stream
from salessync.outbox import OutboxRelay
from salessync.publish import BatchPublisher
from salessync.settings import ServiceSettings
from salessync.web import ReadinessCheck, RequestContextMiddleware, install_error_handlers, install_probes

log = logging.getLogger("salessync.app")


@dataclass
class Runtime:
    """What a running service holds for its lifetime; reachable as `request.app.state.runtime`."""

    settings: ServiceSettings
    db: Database
    verifier: TokenVerifier
    nc: Client | None = None
    js: JetStreamContext | None = None
    relay: OutboxRelay | None = None
    consumers: ConsumerRunner | None = None
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)


Hook = Callable[[Runtime], Awaitable[None]]
T = TypeVar("T")


async def retrying(what: str, step: Callable[[], Awaitable[T]], *, deadline_s: float = 30.0) -> T:
    """Run a start-up step, retrying with backoff while its dependency is still coming up (a busy machine, a
    NATS that is restarting), and give up loudly after `deadline_s`."""
    loop = asyncio.get_running_loop()
    end, delay = loop.time() + deadline_s, 0.2
    while True:
        try:
            return await step()
        except Exception as exc:
            if loop.time() + delay > end:
                raise
            log.warning("%s failed, retrying in %.1fs: %s", what, delay, exc)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 3.0)


def create_service_app(
    settings: ServiceSettings,
    *,
    title: str,
    routers: Sequence[APIRouter],
    subscriptions: Sequence[Subscription] = (),
    on_startup: Hook | None = None,
    on_shutdown: Hook | None = None,
    description: str = "",
    use_database: bool = True,
    use_nats: bool = True,
) -> FastAPI:
    configure_logging(settings.service_name, settings.log_level)
    schema = settings.service_name

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = Database.from_url(
            settings.database.url.get_secret_value(),
            schema,
            pool_size=settings.database.pool_size,
            max_overflow=settings.database.max_overflow,
        )
        runtime = Runtime(settings=settings, db=db, verifier=verifier_from_settings(settings.auth))
        app.state.runtime = runtime
        app.state.verifier = runtime.verifier
        try:
            if use_nats:
                runtime.nc = await retrying(
                    "connect to NATS", lambda: connect(settings.nats.url, settings.service_name)
                )
                js = runtime.js = runtime.nc.jetstream()
                await retrying(
                    "ensure the stream",
                    lambda: ensure_stream(
                        js, settings.nats.stream, settings.nats.duplicate_window_s, settings.nats.stream_replicas
                    ),
                )
                if use_database:
                    runtime.relay = OutboxRelay(db, BatchPublisher(runtime.nc))
                    runtime.tasks.append(asyncio.create_task(runtime.relay.run(), name="outbox-relay"))
                if subscriptions:
                    runtime.consumers = ConsumerRunner(
                        settings.service_name, db, runtime.nc, list(subscriptions), stream=settings.nats.stream
                    )
                    await retrying("start the consumers", runtime.consumers.start)
            if on_startup is not None:
                await on_startup(runtime)
            gcstats.after_startup()
            log.info("started", extra={"port": settings.http.port})
            yield
        finally:
            if on_shutdown is not None:
                await on_shutdown(runtime)
            if runtime.consumers is not None:
                await runtime.consumers.stop()
            if runtime.relay is not None:
                runtime.relay.stop()
            for task in runtime.tasks:
                task.cancel()
            for task in runtime.tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            if runtime.nc is not None:
                with contextlib.suppress(Exception):
                    await runtime.nc.drain()
            await db.dispose()
            log.info("stopped")

    app = FastAPI(
        title=title,
        description=description,
        version="1.0.0",
        lifespan=lifespan,
        default_response_class=ORJSONResponse,
    )
    install_error_handlers(app)

    async def database_ready() -> bool:
        return await app.state.runtime.db.ping()

    async def nats_ready() -> bool:
        nc = app.state.runtime.nc
        return nc is not None and nc.is_connected

    async def consumers_ready() -> bool:
        runtime = app.state.runtime
        return runtime.consumers is None or runtime.consumers.alive()

    async def relay_ready() -> bool:
        relay = app.state.runtime.relay
        return relay is None or relay.alive()

    checks: dict[str, ReadinessCheck] = {}
    if use_database:
        checks["database"] = database_ready
    if use_nats:
        checks["nats"] = nats_ready
        checks["consumers"] = consumers_ready
        if use_database:
            checks["outbox_relay"] = relay_ready
    install_probes(app, checks)
    for router in routers:
        app.include_router(router)
    app.add_middleware(RequestContextMiddleware)
    return app


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def database(request: Request) -> Database:
    """FastAPI dependency: the service's database."""
    return runtime_of(request).db
