"""FastAPI dependencies of identity's routes."""

from __future__ import annotations

import ipaddress

from fastapi import Header, Request

from identity.service_layer.context import Identity
from salessync.errors import InvalidInput


def identity(request: Request) -> Identity:
    ident: Identity = request.app.state.runtime.extras["identity"]
    return ident


def client_address(request: Request) -> str:
    """The caller's address: the peer, or, when the peer is a trusted proxy (the gateway), the right-most
    X-Forwarded-For entry that is not itself a trusted proxy."""
    trusted = set(identity(request).settings.throttle.trusted_proxies)
    peer = request.client.host if request.client else "unknown"
    if peer not in trusted:
        return peer
    forwarded = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(forwarded):
        if hop in trusted:
            continue
        try:
            return str(ipaddress.ip_address(hop))
        except ValueError:
            return peer
    return peer


def if_match(if_match: str | None = Header(default=None, alias="If-Match")) -> int | None:
    """`If-Match: 3`, `"3"` or `W/"3"` -> 3."""
    if if_match is None:
        return None
    value = if_match.strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        raise InvalidInput("If-Match", "must be the version number of the user")
    return int(value)
