"""A stopped service answers 502 through the gateway, and the gateway recovers by itself when it is back."""

from __future__ import annotations

import httpx

from salessync.testing.helpers import eventually
from salessync.testing.tokens import TestKeys, bearer

from .conftest import Upstream, serve


async def test_a_stopped_service_is_502_then_200_when_back_then_502_again(
    gateway: httpx.AsyncClient, upstreams: dict[str, str], test_keys: TestKeys
) -> None:
    headers = bearer(test_keys.mint(role="manager"))
    port = int(upstreams["field"].rsplit(":", 1)[1])

    down = await gateway.get("/api/vans", headers=headers)
    assert down.status_code == 502
    assert down.headers["content-type"] == "application/problem+json"
    assert down.json()["title"] == "field is unavailable"
    assert down.json()["service"] == "field"

    async with serve(Upstream("field").app, port=port):

        async def recovered() -> bool:
            return (await gateway.get("/api/vans", headers=headers)).status_code == 200

        await eventually(recovered, timeout=5)
        for _ in range(3):  # the pooled connection is reused
            assert (await gateway.get("/api/vans", headers=headers)).json()["service"] == "field"

    async def down_again() -> bool:
        return (await gateway.get("/api/vans", headers=headers)).status_code == 502

    await eventually(down_again, timeout=5)
