"""What every catalog route shares: roles, `If-Match`, JSON answers, and idempotent creation."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import orjson
from fastapi import Header, Query, Request
from fastapi.responses import Response

from catalog.adapters import page_cache
from catalog.adapters.sql import read_connection
from catalog.domain.errors import RecordNotFound
from salessync.app import database, runtime_of
from salessync.auth import Principal, require_principal, require_role
from salessync.db import Tx
from salessync.errors import InvalidInput
from salessync.idempotency import fingerprint, run_idempotent
from salessync.pagination import PageParams

JSON = "application/json"
read = require_principal
manage = require_role("admin", "manager")
manage_or_sell = require_role("admin", "manager", "salesman")

_VERSION = re.compile(r'^\s*(?:W/)?"?(\d{1,9})"?\s*$')


async def if_match(value: str | None = Header(default=None, alias="If-Match")) -> int | None:
    """`If-Match: 3` (or `"3"`, `W/"3"`): the version the client last saw."""
    if value is None:
        return None
    found = _VERSION.match(value)
    if found is None:
        raise InvalidInput("If-Match", "must be the record's version, e.g. 3")
    return int(found.group(1))


async def page_params(
    page: int = Query(1, ge=1, le=100_000, description="Page number, from 1"),
    limit: int = Query(20, ge=1, le=100, description="Items per page, 1..100"),
) -> PageParams:
    """`salessync.pagination.page_params` as a coroutine: FastAPI runs a plain function in a worker thread,
    a hand-off that cost the list routes more than the rest of their parameter parsing."""
    return PageParams(page=page, limit=limit)


def json_response(body: str | bytes, status_code: int = 200) -> Response:
    return Response(body if isinstance(body, bytes) else body.encode(), status_code=status_code, media_type=JSON)


@asynccontextmanager
async def reader(request: Request) -> AsyncIterator[Any]:
    """A connection for a hot read: from catalog's read pool when it runs one, else from the service's pool."""
    async with read_connection(runtime_of(request).extras.get("read_pool") or database(request)) as conn:
        yield conn


async def read_one(request: Request, fetch: Callable[[Any], Awaitable[str | None]], what: str) -> Response:
    """One record as rendered by `fetch(conn)`; nothing (or another tenant's) is 404."""
    async with reader(request) as conn:
        body = await fetch(conn)
    if body is None:
        raise RecordNotFound(f"{what} not found")
    return json_response(body)


async def read_page(
    request: Request, fetch: Callable[[Any], Awaitable[bytes]], *, cached_as: page_cache.Key | None = None
) -> Response:
    """A list page; with `cached_as=(tenant, list, query)` served from the page cache while the list's version
    is unchanged (`X-Cache: hit` or `miss` says which)."""
    cache: page_cache.PageCache = request.app.state.page_cache
    async with reader(request) as conn:
        if cached_as is None or not cache.enabled:
            return json_response(await fetch(conn))
        version = await page_cache.list_version(conn, cached_as[0], cached_as[1])
        body = cache.get(cached_as, version)
        if body is not None:
            return Response(body, media_type=JSON, headers={"X-Cache": "hit"})
        body = await fetch(conn)
    cache.put(cached_as, version, body)
    return Response(body, media_type=JSON, headers={"X-Cache": "miss"})


async def create(
    request: Request,
    principal: Principal,
    key: str | None,
    scope: str,
    handler: Callable[[Tx], Awaitable[str]],
) -> Response:
    """Run a create handler once per `Idempotency-Key`; answer 201 with `Location` (replays say so)."""

    async def command(tx: Tx) -> tuple[int, bytes]:
        return 201, (await handler(tx)).encode()

    answer = await run_idempotent(
        database(request),
        tenant_id=principal.tenant_id,
        scope=scope,
        key=key,
        request_fingerprint=fingerprint(principal.user_id, await request.body()),
        command=command,
    )
    headers = {"Location": f"{request.url.path.rstrip('/')}/{orjson.loads(answer.body)['id']}"}
    if answer.replayed:
        headers["Idempotent-Replayed"] = "true"
    return Response(answer.body, status_code=answer.status_code, media_type=JSON, headers=headers)


async def write(request: Request, handler: Callable[[Tx], Awaitable[str]]) -> Response:
    async with database(request).transaction() as tx:
        body = await handler(tx)
    return json_response(body)


async def remove(request: Request, handler: Callable[[Tx], Awaitable[None]]) -> Response:
    async with database(request).transaction() as tx:
        await handler(tx)
    return Response(status_code=204)
