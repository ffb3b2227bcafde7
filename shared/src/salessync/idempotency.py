"""`Idempotency-Key` (API.md): the same key and body replays the first answer; another body is 409.

The key is claimed by inserting its row inside the command's own transaction. A concurrent request with the
same key blocks on that row until the first commits, then finds it and replays the stored answer; if the first
rolled back (a 4xx), the second runs the command itself. So N concurrent identical requests make one record
and get N equal answers. Keys live 24 hours.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Header, Request

from salessync.db import Database, Tx
from salessync.errors import Conflict, InvalidInput


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"
    title = "Idempotency-Key was used with another request"


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    status_code: int
    body: bytes
    replayed: bool


def checked_key(key: str | None) -> str | None:
    """The key as API.md allows it (1..255 characters), or None when none was sent."""
    if key is not None and not 1 <= len(key) <= 255:
        raise InvalidInput("Idempotency-Key", "must be 1..255 characters")
    return key


def idempotency_key(idempotency_key: str | None = Header(default=None, alias="Idempotency-Key")) -> str | None:
    """FastAPI dependency reading and checking the header."""
    return checked_key(idempotency_key)


def key_of(request: Request) -> str | None:
    """The header read from the request itself, for a hot route that skips FastAPI's parameter handling (it
    documents the header with `openapi_extra={"parameters": [KEY_PARAMETER]}`)."""
    return checked_key(request.headers.get("idempotency-key"))


KEY_PARAMETER: dict[str, Any] = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
    "description": "the same key with the same body within 24 hours answers the first answer again "
    "(`Idempotent-Replayed: true`); with another body, 409 (API.md)",
}


def fingerprint(*parts: Any) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else str(part).encode())
        digest.update(b"\x00")
    return digest.hexdigest()


_CLAIM = """
INSERT INTO idempotency_keys (tenant_id, key, scope, fingerprint, status_code, body)
VALUES ($1, $2, $3, $4, 0, '')
ON CONFLICT (tenant_id, key, scope) DO UPDATE
   SET fingerprint = EXCLUDED.fingerprint, status_code = 0, body = '', created_at = now()
 WHERE idempotency_keys.created_at < now() - interval '24 hours'
RETURNING true
"""


async def run_idempotent(
    db: Database,
    *,
    tenant_id: Any,
    scope: str,
    key: str | None,
    request_fingerprint: str,
    command: Callable[[Tx], Awaitable[tuple[int, bytes]]],
) -> StoredAnswer:
    """Run `command` (which answers status and body) once per key; replay its answer for repeats."""
    async with db.transaction() as tx:
        if key is None:
            status, body = await command(tx)
            return StoredAnswer(status, body, replayed=False)
        raw = await tx.raw()
        claimed = await raw.fetchval(_CLAIM, str(tenant_id), key, scope, request_fingerprint)
        if not claimed:
            row = await raw.fetchrow(
                "SELECT fingerprint, status_code, body FROM idempotency_keys "
                "WHERE tenant_id = $1 AND key = $2 AND scope = $3",
                str(tenant_id),
                key,
                scope,
            )
            if row["fingerprint"] != request_fingerprint:
                raise IdempotencyKeyReused("this Idempotency-Key was sent before with another body")
            return StoredAnswer(row["status_code"], row["body"].encode(), replayed=True)
        status, body = await command(tx)
        await raw.execute(
            "UPDATE idempotency_keys SET status_code = $4, body = $5 WHERE tenant_id = $1 AND key = $2 AND scope = $3",
            str(tenant_id),
            key,
            scope,
            status,
            body.decode(),
        )
        return StoredAnswer(status, body, replayed=False)
