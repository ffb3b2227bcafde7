"""The gateway app: its own routes (probes, merged OpenAPI, Swagger UI, /ws) and the catch-all proxy.

Middleware, outermost first: request id + access log + metrics, security headers, CORS.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, WebSocket
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.routing import Route

from gateway.docs import docs_routes
from gateway.forwarding import client_address
from gateway.openapi import MergedOpenAPI
from gateway.proxy import Proxy, public_set
from gateway.ratelimit import retry_after
from gateway.routing import RouteTable
from gateway.security import SecurityHeadersMiddleware
from gateway.settings import GatewaySettings
from gateway.tunnel import STATE_KEY as TUNNEL_STATE
from gateway.tunnel import TunnelContext
from gateway.upstream import make_session
from gateway.websocket import pipe
from salessync import gcstats
from salessync.auth import verifier_from_settings
from salessync.logging import configure_logging
from salessync.web import RequestContextMiddleware, install_error_handlers, install_probes

log = logging.getLogger("gateway.main")
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
CORS_HEADERS = ["Authorization", "Content-Type", "Idempotency-Key", "If-Match", "X-Request-ID", "X-Tenant-Code"]
CORS_EXPOSED = ["X-Request-ID", "Location", "Retry-After", "Idempotent-Replayed", "ETag"]


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()
    configure_logging(settings.service_name, settings.log_level)
    auth = settings.auth
    if auth.jwks_json is None and "jwks_url" not in auth.model_fields_set and "identity" in settings.upstreams:
        auth = auth.model_copy(
            update={"jwks_url": settings.upstreams["identity"].rstrip("/") + "/.well-known/jwks.json"}
        )
    table = RouteTable(settings.routes)
    proxy = Proxy(settings, table, verifier_from_settings(auth))
    openapi = MergedOpenAPI(
        table,
        settings.upstreams,
        ttl_s=settings.openapi_cache_s,
        timeout_s=settings.openapi_fetch_timeout_s,
        public=public_set(settings.public_routes),
    )

    ws_route = table.match("/ws")
    ws_base = settings.upstreams.get(ws_route.service, "") if ws_route else ""
    ws_url = ws_base.replace("http://", "ws://", 1).replace("https://", "wss://", 1).rstrip("/") + "/ws"
    tunnel = (
        TunnelContext.for_url(
            ws_base,
            connect_timeout_s=settings.client.connect_timeout_s,
            trust_forwarded=settings.trust_forwarded,
            rate_limit=proxy.by_address.take if proxy.limits_on else None,
        )
        if ws_base.startswith("http://")
        else None
    )
    if ws_base and tunnel is None:
        log.warning("the /ws tunnel needs a plain http:// notifier URL; it answers 404", extra={"url": ws_base})

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
        session = proxy.session = make_session(settings.client)
        gcstats.after_startup()
        try:
            yield {TUNNEL_STATE: tunnel}  # read by gateway.tunnel.WebSocketTunnel when uvicorn serves with it
        finally:
            await session.close()

    app = FastAPI(title="SalesSync gateway", lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)
    app.state.proxy = proxy
    install_error_handlers(app)

    async def client_ready() -> bool:
        return proxy.session is not None and not proxy.session.closed

    install_probes(app, {"upstream_client": client_ready})

    @app.get("/openapi.json", include_in_schema=False)
    async def merged_openapi() -> Response:
        assert proxy.session is not None
        return Response(await openapi.document(proxy.session), media_type="application/json")

    app.router.routes.extend(docs_routes())

    @app.websocket("/ws")  # the fallback when the server does not hand upgrades to gateway.tunnel
    async def websocket_proxy(websocket: WebSocket) -> None:
        if proxy.limits_on:
            wait = proxy.by_address.take(client_address(websocket.scope, trust_forwarded=settings.trust_forwarded))
            if wait:
                await websocket.accept()
                await websocket.close(code=1013, reason=f"rate limited; retry after {retry_after(wait)} s")
                return
        await pipe(
            websocket,
            ws_url,
            max_frame=settings.ws_max_frame_bytes,
            open_timeout=settings.client.connect_timeout_s,
        )

    app.router.routes.append(Route("/{path:path}", endpoint=proxy, methods=ALL_METHODS, include_in_schema=False))

    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors.origins,
        allow_methods=ALL_METHODS,
        allow_headers=CORS_HEADERS,
        expose_headers=CORS_EXPOSED,
        allow_credentials=False,
        max_age=settings.cors.max_age_s,
    )
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RequestContextMiddleware)
    return app
