"""What every field route shares: roles, JSON answers, `Idempotency-Key` on creating POSTs, `If-Match`."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import orjson
from fastapi import Header, Request
from fastapi.responses import Response

from salessync.app import database
from salessync.auth import ROLES, Principal
from salessync.db import Tx
from salessync.errors import InvalidInput
from salessync.idempotency import fingerprint, run_idempotent
from salessync.types import to_cents

ALL_ROLES = ROLES
STOCK_WRITERS = ("admin", "warehouse_staff")
LOCATION_WRITERS = ("admin", "manager", "warehouse_staff")
MANAGERS = ("admin", "manager")


def _default(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Decimal):
        return f"{to_cents(value):.2f}"
    raise TypeError(f"cannot serialise {type(value).__name__}")


def dumps(data: Any) -> bytes:
    return orjson.dumps(data, default=_default)


def json_response(data: Any, status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(dumps(data), status_code=status_code, media_type="application/json", headers=headers)


def if_match(value: str | None = Header(default=None, alias="If-Match")) -> int | None:
    if value is None:
        return None
    try:
        return int(value.strip().strip('"').removeprefix('W/"').strip('"'))
    except ValueError as exc:
        raise InvalidInput("If-Match", "must be the record's version number") from exc


async def create_idempotently(
    request: Request,
    principal: Principal,
    key: str | None,
    scope: str,
    run: Callable[[Tx], Awaitable[dict[str, Any]]],
    location_prefix: str,
) -> Response:
    """Run a creating command once per `Idempotency-Key`, answer 201 with the record and `Location`."""

    async def command(tx: Tx) -> tuple[int, bytes]:
        return 201, dumps(await run(tx))

    body = await request.body()
    answer = await run_idempotent(
        database(request),
        tenant_id=principal.tenant_id,
        scope=scope,
        key=key,
        request_fingerprint=fingerprint(principal.user_id, request.url.path, body),
        command=command,
    )
    record_id = orjson.loads(answer.body).get("id")
    headers = {"Location": f"{location_prefix}/{record_id}"}
    if answer.replayed:
        headers["Idempotent-Replayed"] = "true"
    return Response(answer.body, status_code=answer.status_code, media_type="application/json", headers=headers)
