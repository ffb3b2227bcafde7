"""The notifier app: HTTP API, the `/ws` socket hub, its live stream reader and the activity consumer."""

from __future__ import annotations

from fastapi import FastAPI

from notifier.adapters.upstream import Upstreams
from notifier.api import routes
from notifier.consumers import activity
from notifier.settings import NotifierSettings
from notifier.ws import endpoint
from notifier.ws.hub import Hub
from notifier.ws.protocol import RESTARTING
from notifier.ws.stream import LiveReader
from salessync.app import Runtime, create_service_app, retrying
from salessync.consumer import ConsumerRunner


def create_app(settings: NotifierSettings | None = None) -> FastAPI:
    settings = settings or NotifierSettings()

    async def start_sockets(runtime: Runtime) -> None:
        if runtime.nc is not None:  # stopped by the shared shutdown, as `runtime.consumers`
            runner = ConsumerRunner(
                settings.service_name, runtime.db, runtime.nc, [activity.SUBSCRIPTION], stream=settings.nats.stream
            )
            runtime.consumers = runner
            await retrying("start the consumers", runner.start)
        hub = Hub()
        upstreams = Upstreams(settings.upstreams, settings.ws.upstream_timeout_s)
        runtime.extras["sockets"] = endpoint.SocketHub(hub=hub, upstreams=upstreams, settings=settings.ws)
        if runtime.js is not None:
            reader = LiveReader(runtime.js, hub, settings.nats.stream)
            await reader.start()
            runtime.extras["live_reader"] = reader

    async def stop_sockets(runtime: Runtime) -> None:
        sockets: endpoint.SocketHub | None = runtime.extras.get("sockets")
        reader: LiveReader | None = runtime.extras.get("live_reader")
        if reader is not None:
            await reader.stop()
        if sockets is not None:
            await sockets.hub.close_all(RESTARTING, "server restarting")
            await sockets.upstreams.close()

    return create_service_app(
        settings,
        title="SalesSync notifier",
        description="Live events over WebSockets, the activity timeline and notifications.",
        routers=[routes.router, endpoint.router],
        on_startup=start_sockets,
        on_shutdown=stop_sockets,
    )
