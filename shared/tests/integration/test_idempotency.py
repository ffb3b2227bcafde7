"""Idempotency-Key: one execution for N concurrent identical requests, 409 for the same key with another body."""

from __future__ import annotations

import asyncio
import uuid

import orjson
import pytest

from salessync.db import Database, Tx
from salessync.errors import Conflict
from salessync.idempotency import IdempotencyKeyReused, run_idempotent


async def test_twenty_concurrent_identical_requests_run_the_command_once(db: Database) -> None:
    tenant = uuid.uuid4()
    runs: list[int] = []

    async def command(tx: Tx) -> tuple[int, bytes]:
        runs.append(1)
        await asyncio.sleep(0.05)  # hold the claim while the others arrive
        return 201, orjson.dumps({"id": str(uuid.uuid4())})

    answers = await asyncio.gather(
        *(
            run_idempotent(db, tenant_id=tenant, scope="t", key="k1", request_fingerprint="f", command=command)
            for _ in range(20)
        )
    )
    assert len(runs) == 1
    assert len({a.body for a in answers}) == 1
    assert sum(not a.replayed for a in answers) == 1
    assert all(a.status_code == 201 for a in answers)


async def test_the_same_key_with_another_body_is_a_conflict(db: Database) -> None:
    tenant = uuid.uuid4()

    async def command(tx: Tx) -> tuple[int, bytes]:
        return 201, b"{}"

    await run_idempotent(db, tenant_id=tenant, scope="t", key="k2", request_fingerprint="a", command=command)
    with pytest.raises(IdempotencyKeyReused):
        await run_idempotent(db, tenant_id=tenant, scope="t", key="k2", request_fingerprint="b", command=command)


async def test_a_failed_command_leaves_the_key_free_for_a_retry(db: Database) -> None:
    tenant = uuid.uuid4()

    async def failing(tx: Tx) -> tuple[int, bytes]:
        raise Conflict("out of stock")

    async def succeeding(tx: Tx) -> tuple[int, bytes]:
        return 201, b'{"ok": true}'

    with pytest.raises(Conflict):
        await run_idempotent(db, tenant_id=tenant, scope="t", key="k3", request_fingerprint="a", command=failing)
    answer = await run_idempotent(
        db, tenant_id=tenant, scope="t", key="k3", request_fingerprint="a", command=succeeding
    )
    assert (answer.status_code, answer.replayed) == (201, False)


async def test_keys_are_per_tenant(db: Database) -> None:
    async def command(tx: Tx) -> tuple[int, bytes]:
        return 201, orjson.dumps({"id": str(uuid.uuid4())})

    a = await run_idempotent(db, tenant_id=uuid.uuid4(), scope="t", key="k", request_fingerprint="f", command=command)
    b = await run_idempotent(db, tenant_id=uuid.uuid4(), scope="t", key="k", request_fingerprint="f", command=command)
    assert not a.replayed and not b.replayed and a.body != b.body
