"""The one pooled HTTP client the gateway forwards with, and how its failures map to 502/504.

Two transports behind the same httpx API (`client.transport` setting): httpx's own, and aiohttp through
`httpx_aiohttp.AiohttpTransport`. bench/bench_gateway.py measures both; the faster is the default.
"""

from __future__ import annotations

import asyncio

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport

from gateway.settings import UpstreamClientSettings


def timeout_of(cfg: UpstreamClientSettings) -> dict[str, float | None]:
    """The per-request timeout extension (httpx and the aiohttp transport both read it)."""
    return httpx.Timeout(
        connect=cfg.connect_timeout_s, read=cfg.read_timeout_s, write=cfg.write_timeout_s, pool=cfg.pool_timeout_s
    ).as_dict()


def make_client(cfg: UpstreamClientSettings) -> httpx.AsyncClient:
    """Create inside the running event loop (the lifespan); close with `aclose()`."""
    limits = httpx.Limits(
        max_connections=cfg.max_connections,
        max_keepalive_connections=cfg.max_keepalive,
        keepalive_expiry=cfg.keepalive_expiry_s,
    )
    transport: httpx.AsyncBaseTransport
    if cfg.transport == "aiohttp":

        def session() -> aiohttp.ClientSession:
            connector = aiohttp.TCPConnector(
                limit=cfg.max_connections, keepalive_timeout=cfg.keepalive_expiry_s, ttl_dns_cache=60
            )
            # No cookie jar (answers of one user must never leak into another's requests) and no default
            # headers of aiohttp's own: the gateway forwards what the client sent.
            return aiohttp.ClientSession(
                connector=connector,
                cookie_jar=aiohttp.DummyCookieJar(),
                skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding"),
                auto_decompress=False,
            )

        transport = AiohttpTransport(limits=limits, client=session)
    else:
        transport = httpx.AsyncHTTPTransport(limits=limits, retries=0)
    return httpx.AsyncClient(transport=transport, timeout=httpx.Timeout(**timeout_of(cfg)), trust_env=False)


# What a forward can raise when the upstream is down, slow or drops the connection.
UPSTREAM_ERRORS = (httpx.HTTPError, aiohttp.ClientError, OSError, TimeoutError)


def failure_status(exc: BaseException) -> int:
    """504 for a timeout, 502 for anything else (refused, reset, protocol error).

    `httpx_aiohttp` maps every aiohttp connection error to `httpx.ConnectTimeout`, a refused connection
    included, so the aiohttp cause is looked at first.
    """
    cause = exc.__cause__
    root = cause if isinstance(cause, aiohttp.ClientError | asyncio.TimeoutError) else exc
    if isinstance(root, httpx.TimeoutException | TimeoutError):
        return 504
    return 502
