"""How one request and its answer cross the gateway: header filtering, forwarded headers, the request body.

Pure functions over ASGI scopes and raw header lists, so the hot path allocates little and is tested alone.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable

from starlette.types import Receive, Scope

HOP_BY_HOP = frozenset({b"connection", b"keep-alive", b"transfer-encoding", b"te", b"trailer", b"upgrade", b"host"})
# Set again by the gateway itself (forwarded headers, request id).
REPLACED_ON_REQUEST = frozenset({b"x-forwarded-for", b"x-forwarded-proto", b"x-forwarded-host", b"x-request-id"})
# The gateway's own middleware sets these on every answer; the upstream's copies would be duplicates.
DROPPED_FROM_RESPONSE = HOP_BY_HOP | {
    b"x-request-id",
    b"date",
    b"server",
    b"x-content-type-options",
    b"x-frame-options",
    b"referrer-policy",
    b"content-security-policy",
    b"strict-transport-security",
}
SMALL_BODY = 64 * 1024  # read at once below this size, streamed above


class BodyTooLarge(Exception):
    pass


class ClientGone(Exception):
    pass


def _connection_tokens(headers: list[tuple[bytes, bytes]]) -> frozenset[bytes]:
    """Header names the client declared hop-by-hop in `Connection: a, b`."""
    for name, value in headers:
        if name == b"connection":
            return frozenset(t.strip().lower() for t in value.split(b",") if t.strip())
    return frozenset()


def upstream_request_headers(
    scope: Scope, request_id: str, *, trust_forwarded: bool
) -> tuple[list[tuple[bytes, bytes]], dict[bytes, bytes]]:
    """The headers to send upstream, and the dropped forwarding headers of the client by name (lowercase)."""
    headers: list[tuple[bytes, bytes]] = scope["headers"]
    extra_hop = _connection_tokens(headers)
    out: list[tuple[bytes, bytes]] = []
    seen: dict[bytes, bytes] = {}
    for name, value in headers:
        if name in HOP_BY_HOP or name.startswith(b"proxy-") or name in extra_hop:
            if name == b"host":
                seen[name] = value
            continue
        if name in REPLACED_ON_REQUEST:
            seen[name] = value
            continue
        out.append((name, value))
    peer = client_address(scope, trust_forwarded=False).encode()
    forwarded_for = seen.get(b"x-forwarded-for")
    proto = seen.get(b"x-forwarded-proto")
    if trust_forwarded and forwarded_for:
        out.append((b"x-forwarded-for", forwarded_for + b", " + peer))
    else:
        out.append((b"x-forwarded-for", peer))
    if not (trust_forwarded and proto):
        proto = ("https" if scope.get("scheme") in ("https", "wss") else "http").encode()
    out.append((b"x-forwarded-proto", proto))
    if b"host" in seen:
        out.append((b"x-forwarded-host", seen[b"host"]))
    out.append((b"x-request-id", request_id.encode()))
    return out, seen


def client_address(scope: Scope, *, trust_forwarded: bool) -> str:
    """The client's address: the peer's, or (behind a trusted proxy) the last hop it reports."""
    if trust_forwarded:
        for name, value in scope["headers"]:
            if name == b"x-forwarded-for":
                last = value.split(b",")[-1].strip()
                if last:
                    return last.decode("latin-1")
    client = scope.get("client")
    return client[0] if client else "unknown"


def response_headers(raw: Iterable[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    out = []
    for name, value in raw:
        lower = name.lower()
        if lower in DROPPED_FROM_RESPONSE or lower.startswith((b"proxy-", b"access-control-")):
            continue
        out.append((lower, value))
    return out


def header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return value
    return None


def content_length(scope: Scope) -> int | None:
    """The declared body size; None when absent. Raises ValueError when malformed."""
    raw = header(scope, b"content-length")
    if raw is None:
        return None
    value = int(raw)
    if value < 0:
        raise ValueError("negative content-length")
    return value


async def read_body(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


class BodyStream:
    """The request body as an async iterator that stops at `limit` bytes or when the client leaves.

    `too_large` and `gone` tell which: the HTTP client reading it wraps what it raises in its own errors.
    """

    def __init__(self, receive: Receive, limit: int) -> None:
        self.receive = receive
        self.limit = limit
        self.too_large = False
        self.gone = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        size = 0
        while True:
            message = await self.receive()
            if message["type"] == "http.disconnect":
                self.gone = True
                raise ClientGone
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                self.too_large = True
                raise BodyTooLarge
            if chunk:
                yield chunk
            if not message.get("more_body", False):
                return
