"""The catch-all route: a raw ASGI app that checks the edge policies and forwards to the owning service.

No FastAPI dependency machinery here: this is the path every API request takes (TARGETS.md counts its CPU).
Order of checks: route known → per-address bucket → access token (unless public) → per-user bucket →
body size → forward and stream the answer back.
"""

from __future__ import annotations

import logging

import aiohttp
from prometheus_client import Counter
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from yarl import URL

from gateway.forwarding import (
    SMALL_BODY,
    BodyStream,
    BodyTooLarge,
    ClientGone,
    client_address,
    content_length,
    header,
    read_body,
    response_headers,
    upstream_request_headers,
)
from gateway.ratelimit import TokenBuckets, retry_after
from gateway.routing import Route, RouteTable
from gateway.settings import GatewaySettings
from gateway.upstream import UPSTREAM_ERRORS, failure_status
from salessync.auth import InvalidToken, TokenVerifier
from salessync.context import request_id_var, tenant_id_var
from salessync.web import problem

log = logging.getLogger("gateway.proxy")
UPSTREAM_FAILURES = Counter("gateway_upstream_failures_total", "Failed forwards", ["service", "status"])


def public_set(entries: list[str]) -> frozenset[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for entry in entries:
        method, _, path = entry.strip().partition(" ")
        out.add((method.upper(), path.strip()))
        if method.upper() == "GET":
            out.add(("HEAD", path.strip()))
    return frozenset(out)


class Proxy:
    def __init__(self, settings: GatewaySettings, table: RouteTable, verifier: TokenVerifier) -> None:
        self.settings = settings
        self.table = table
        self.verifier = verifier
        self.public = public_set(settings.public_routes)
        self.upstreams = {name: url.rstrip("/") for name, url in settings.upstreams.items()}
        self.max_body = settings.max_body_bytes
        self.trust_forwarded = settings.trust_forwarded
        rl = settings.rate_limit
        self.limits_on = rl.enabled
        self.by_user = TokenBuckets(rl.user_rate, rl.user_burst, max_keys=rl.max_keys)
        self.by_address = TokenBuckets(rl.address_rate, rl.address_burst, max_keys=rl.max_keys)
        self.session: aiohttp.ClientSession | None = None  # set by the lifespan

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        route = self.table.match(path)
        if route is None or route.service not in self.upstreams:
            await problem(404, "Not found", f"no route for {path}", instance=path)(scope, receive, send)
            return
        scope["route"] = route  # its `path` (the rule's prefix) labels the request metrics
        denied = await self.admit(scope, path)
        if denied is not None:
            await denied(scope, receive, send)
            return
        await self.forward(scope, receive, send, route)

    async def admit(self, scope: Scope, path: str) -> Response | None:
        """None when the request may pass; else the problem answer (429 or 401)."""
        if self.limits_on:
            wait = self.by_address.take(client_address(scope, trust_forwarded=self.trust_forwarded))
            if wait:
                return _too_many(wait, path)
        if (scope["method"], path) in self.public:
            return None
        try:
            principal = await self.verifier.verify(_bearer(header(scope, b"authorization")))
        except InvalidToken as exc:
            return problem(
                401,
                "Unauthorized",
                exc.detail,
                type_="/problems/invalid_token",
                instance=path,
                headers={"WWW-Authenticate": "Bearer"},
                code="invalid_token",
            )
        tenant_id_var.set(str(principal.tenant_id))
        if self.limits_on:
            wait = self.by_user.take(str(principal.user_id))
            if wait:
                return _too_many(wait, path)
        return None

    async def forward(self, scope: Scope, receive: Receive, send: Send, route: Route) -> None:
        assert self.session is not None, "the lifespan creates the session"
        path = scope["path"]
        try:
            declared = content_length(scope)
        except ValueError:
            await problem(400, "Malformed request", "invalid Content-Length", instance=path)(scope, receive, send)
            return
        if declared is not None and declared > self.max_body:
            await _body_too_large(self.max_body, path)(scope, receive, send)
            return
        stream: BodyStream | None = None
        content: bytes | BodyStream | None = None
        try:
            if declared is not None and declared <= SMALL_BODY:
                content = await read_body(receive, self.max_body) if declared else b""
            elif declared is not None or header(scope, b"transfer-encoding") is not None:
                content = stream = BodyStream(receive, self.max_body)
        except BodyTooLarge:
            await _body_too_large(self.max_body, path)(scope, receive, send)
            return
        except ClientGone:
            return
        headers, _ = upstream_request_headers(scope, request_id_var.get() or "", trust_forwarded=self.trust_forwarded)
        try:
            # A declared Content-Length is among the headers; without one aiohttp sends the stream chunked.
            response = await self.session.request(
                scope["method"],
                self.upstream_url(scope, route),
                headers=[(name.decode("latin-1"), _wire_text(value)) for name, value in headers],
                data=content,
                allow_redirects=False,
            )
        except UPSTREAM_ERRORS as exc:
            # aiohttp reports the body stream's own failures as connection errors: the stream says which it was.
            if stream is not None and stream.gone:
                return
            if stream is not None and stream.too_large:
                await _body_too_large(self.max_body, path)(scope, receive, send)
                return
            await self.unavailable(route, exc, path)(scope, receive, send)
            return
        try:
            await _stream_back(response, send)
        except (aiohttp.ClientError, TimeoutError):
            log.warning("upstream answer cut short", extra={"service": route.service, "path": path})
            raise
        finally:
            response.release()  # an answer not read to its end closes its connection instead of pooling it

    def upstream_url(self, scope: Scope, route: Route) -> URL:
        """The client's raw path and query, byte for byte: `encoded=True` keeps yarl from requoting them."""
        url = self.upstreams[route.service] + (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
        query: bytes = scope.get("query_string", b"")
        if query:
            url += "?" + query.decode("latin-1")
        return URL(url, encoded=True)

    def unavailable(self, route: Route, exc: BaseException, path: str) -> Response:
        status = failure_status(exc)
        UPSTREAM_FAILURES.labels(route.service, str(status)).inc()
        reason = "did not answer in time" if status == 504 else "could not be reached"
        log.warning(
            "upstream failed",
            extra={"service": route.service, "status": status, "error": type(exc).__name__, "path": path},
        )
        return problem(
            status,
            f"{route.service} is unavailable",
            f"{route.service} {reason}",
            type_="/problems/upstream_unavailable",
            instance=path,
            code="upstream_timeout" if status == 504 else "upstream_unreachable",
            service=route.service,
        )


def _wire_text(raw: bytes) -> str:
    """A header value as the str that aiohttp writes back as the same bytes: it encodes the request head as UTF-8.

    Latin-1 would double-encode the UTF-8 some clients send in a header (uvicorn lets it through; a path or query
    has only ASCII, uvicorn refuses anything else). Bytes that are not UTF-8 (rare obs-text) cannot cross
    unchanged: they go as their Latin-1 reading, encoded as UTF-8.
    """
    try:
        return raw.decode()
    except UnicodeDecodeError:
        return raw.decode("latin-1")


WHOLE_BODY_MAX = 1 << 20  # bytes: an answer this small is sent to the client in one piece


async def _stream_back(response: aiohttp.ClientResponse, send: Send) -> None:
    """The answer as it arrives; one chunk is held back so the last `send` says `more_body: False`. An answer
    of known length up to `WHOLE_BODY_MAX` is read whole and sent at once: every `send` passes through each
    middleware's wrapper, and a page of 50 orders arrived in several chunks."""
    await send(
        {"type": "http.response.start", "status": response.status, "headers": response_headers(response.raw_headers)}
    )
    length = response.content_length
    if length is not None and length <= WHOLE_BODY_MAX:
        await send({"type": "http.response.body", "body": await response.read(), "more_body": False})
        return
    pending: bytes | None = None
    async for chunk in response.content.iter_any():
        if pending is not None:
            await send({"type": "http.response.body", "body": pending, "more_body": True})
        pending = chunk
    await send({"type": "http.response.body", "body": pending or b"", "more_body": False})


def _bearer(value: bytes | None) -> str:
    if not value:
        raise InvalidToken("missing bearer token")
    scheme, _, token = value.decode("latin-1").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidToken("missing bearer token")
    return token.strip()


def _too_many(wait: float, path: str) -> Response:
    return problem(
        429,
        "Too many requests",
        "rate limit exceeded; retry later",
        type_="/problems/rate_limited",
        instance=path,
        headers={"Retry-After": retry_after(wait)},
        code="rate_limited",
    )


def _body_too_large(limit: int, path: str) -> Response:
    return problem(
        413,
        "Request body too large",
        f"the body exceeds {limit} bytes",
        type_="/problems/body_too_large",
        instance=path,
        code="body_too_large",
        limit=limit,
    )
