"""Access tokens name their login session (`sid`); ending a session publishes `user.logged_out` once."""

from __future__ import annotations

import httpx
import jwt

from salessync.events import Event, decode_event
from salessync.nats import connect
from salessync.testing.helpers import eventually, stream_data

from .conftest import TenantUsers, World, bearer, login, sql


async def _logged_out_events(world: World, tenant: TenantUsers) -> list[Event]:
    nc = await connect(world.settings.nats.url, "identity-test")
    try:
        return [
            decode_event(data)
            for data in await stream_data(nc.jetstream(), f"salessync.{tenant.tenant.id}.user.logged_out")
        ]
    finally:
        await nc.close()


async def _outbox_drained(world: World) -> None:
    async def drained() -> bool:
        return not await sql(world, "SELECT 1 FROM outbox")

    await eventually(drained, timeout=15)


def _sid(access_token: str) -> str:
    claims = jwt.decode(access_token, options={"verify_signature": False})
    return str(claims["sid"])


async def test_login_and_refresh_tokens_carry_the_session_id_of_their_refresh_family(
    world: World, client: httpx.AsyncClient, tenant: TenantUsers
) -> None:
    first = (await login(client, tenant.code, tenant.user("salesman").email)).json()
    other = (await login(client, tenant.code, tenant.user("salesman").email)).json()
    refreshed = (await client.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})).json()
    families = await sql(world, "SELECT id FROM refresh_families WHERE user_id = $1", tenant.user("salesman").id)
    assert _sid(first["access_token"]) in {str(row["id"]) for row in families}
    assert _sid(refreshed["access_token"]) == _sid(first["access_token"])
    assert _sid(other["access_token"]) != _sid(first["access_token"])


async def test_logout_publishes_user_logged_out_once_with_the_session_id(
    world: World, client: httpx.AsyncClient, tenant: TenantUsers
) -> None:
    user = tenant.user("salesman")
    pair = (await login(client, tenant.code, user.email)).json()
    body = {"refresh_token": pair["refresh_token"]}
    headers = bearer(pair["access_token"])
    assert (await client.post("/api/auth/logout", json=body, headers=headers)).status_code == 204
    assert (await client.post("/api/auth/logout", json=body, headers=headers)).status_code == 204  # no 2nd event
    await _outbox_drained(world)
    events = await _logged_out_events(world, tenant)
    assert [e.type for e in events] == ["user.logged_out"]
    assert events[0].aggregate_id == str(user.id)
    assert events[0].payload == {"id": str(user.id), "session_id": _sid(pair["access_token"]), "reason": "logout"}


async def test_reusing_a_spent_refresh_token_publishes_user_logged_out_for_its_family(
    world: World, client: httpx.AsyncClient, tenant: TenantUsers
) -> None:
    user = tenant.user("manager")
    pair = (await login(client, tenant.code, user.email)).json()
    refresh = {"refresh_token": pair["refresh_token"]}
    assert (await client.post("/api/auth/refresh", json=refresh)).status_code == 200
    assert (await client.post("/api/auth/refresh", json=refresh)).status_code == 401
    assert (await client.post("/api/auth/refresh", json=refresh)).status_code == 401  # already revoked: no event
    await _outbox_drained(world)
    events = await _logged_out_events(world, tenant)
    assert [(e.type, e.payload["reason"], e.payload["session_id"]) for e in events] == [
        ("user.logged_out", "reuse", _sid(pair["access_token"]))
    ]
