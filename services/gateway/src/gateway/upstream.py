"""The one pooled HTTP client the gateway forwards with, and how its failures map to 502/504.

A plain `aiohttp.ClientSession`: httpx's request and URL models, URL parsing and cookie extraction cost about a
quarter of the gateway's CPU per forwarded request on top of the same aiohttp connection (TARGETS.md: 0.55 vs
0.8 ms per request; bench/bench_gateway.py measures it).
"""

from __future__ import annotations

import aiohttp

from gateway.settings import UpstreamClientSettings


def default_timeout(cfg: UpstreamClientSettings) -> aiohttp.ClientTimeout:
    """No overall deadline (answers are streamed); `connect` covers the wait for a pooled connection plus
    the TCP connect itself, `sock_read` is the longest silence from the upstream. aiohttp has no write timeout."""
    return aiohttp.ClientTimeout(
        total=None,
        connect=cfg.pool_timeout_s + cfg.connect_timeout_s,
        sock_connect=cfg.connect_timeout_s,
        sock_read=cfg.read_timeout_s,
    )


def make_session(cfg: UpstreamClientSettings) -> aiohttp.ClientSession:
    """Create inside the running event loop (the lifespan); close with `close()`."""
    connector = aiohttp.TCPConnector(
        limit=cfg.max_connections, keepalive_timeout=cfg.keepalive_expiry_s, ttl_dns_cache=60
    )
    # No cookie jar (answers of one user must never leak into another's requests), no headers of aiohttp's own
    # (it would add `Content-Type: application/octet-stream` to a body sent without one) and no decompression:
    # the gateway forwards what the client sent and what the service answered.
    return aiohttp.ClientSession(
        connector=connector,
        cookie_jar=aiohttp.DummyCookieJar(),
        skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding", "Content-Type"),
        auto_decompress=False,
        timeout=default_timeout(cfg),
    )


# What a forward can raise when the upstream is down, slow or drops the connection.
UPSTREAM_ERRORS = (aiohttp.ClientError, OSError, TimeoutError)


def failure_status(exc: BaseException) -> int:
    """504 for a timeout, 502 for anything else (refused, reset, disconnected, a broken answer).

    aiohttp's own timeouts (`ServerTimeoutError` and its connect and read kinds) are `TimeoutError`s too.
    """
    return 504 if isinstance(exc, TimeoutError) else 502
