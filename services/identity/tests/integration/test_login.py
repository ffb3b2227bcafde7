"""Login: every role, the one indistinguishable failure, disabled accounts and throttling."""

from __future__ import annotations

import httpx
import jwt
import pytest

from identity.api.schemas import TokenPairOut
from salessync.auth import ROLES

from .conftest import PASSWORD, TenantUsers, World, bearer, login, make_tenant, sql


@pytest.mark.parametrize("role", ROLES)
async def test_each_role_logs_in_and_gets_a_token_pair_with_its_role(
    client: httpx.AsyncClient, tenant: TenantUsers, role: str
) -> None:
    user = tenant.user(role)
    response = await login(client, tenant.code, user.email.upper())
    assert response.status_code == 200, response.text
    body = TokenPairOut.model_validate(response.json())
    assert body.token_type == "Bearer" and body.expires_in == 900
    assert body.user.id == user.id and body.user.role == role
    assert (body.tenant.id, body.tenant.code) == (tenant.tenant.id, tenant.code)
    header = jwt.get_unverified_header(body.access_token)
    claims = jwt.decode(body.access_token, options={"verify_signature": False})
    assert header["alg"] == "EdDSA" and header["kid"]
    assert claims["sub"] == str(user.id) and claims["tid"] == str(tenant.tenant.id) and claims["role"] == role
    assert claims["iss"] == "salessync-identity" and claims["aud"] == "salessync"
    assert claims["exp"] - claims["iat"] == 900 and claims["jti"]
    me = await client.get("/api/auth/me", headers=bearer(body.access_token))
    assert me.status_code == 200 and me.json()["role"] == role


async def test_the_tenant_code_may_come_as_the_x_tenant_code_header(
    client: httpx.AsyncClient, tenant: TenantUsers
) -> None:
    response = await client.post(
        "/api/auth/login",
        json={"email": tenant.user("admin").email, "password": PASSWORD},
        headers={"X-Tenant-Code": tenant.code},
    )
    assert response.status_code == 200, response.text


async def test_a_login_without_a_tenant_code_is_422_naming_the_tenant(
    client: httpx.AsyncClient, tenant: TenantUsers
) -> None:
    response = await client.post("/api/auth/login", json={"email": "a@b.example", "password": PASSWORD})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "tenant"


def _comparable(response: httpx.Response) -> tuple[int, dict[str, object], str | None]:
    body = {k: v for k, v in response.json().items() if k not in ("request_id", "instance")}
    return response.status_code, body, response.headers.get("content-type")


async def test_wrong_password_unknown_email_unknown_tenant_and_disabled_accounts_get_the_same_401(
    world: World, client: httpx.AsyncClient, tenant: TenantUsers
) -> None:
    suspended = await make_tenant(world, status="suspended")
    salesman = tenant.user("salesman")
    await sql(world, "UPDATE identity.users SET status = 'inactive' WHERE id = $1", salesman.id)
    answers = [
        await login(client, tenant.code, tenant.user("admin").email, "wrong-password-1"),
        await login(client, tenant.code, "nobody@nowhere.example"),
        await login(client, "no-such-tenant", tenant.user("admin").email),
        await login(client, suspended.code, suspended.user("admin").email),
        await login(client, tenant.code, salesman.email),
    ]
    first = _comparable(answers[0])
    assert first[0] == 401 and first[2] == "application/problem+json"
    assert first[1]["code"] == "invalid_credentials"
    for answer in answers[1:]:
        assert _comparable(answer) == first


async def test_too_many_failures_for_one_account_answer_429_with_retry_after(
    world: World, client: httpx.AsyncClient, tenant: TenantUsers
) -> None:
    email = tenant.user("manager").email
    for _ in range(world.settings.throttle.account_max):
        assert (await login(client, tenant.code, email, "wrong-password-1")).status_code == 401
    blocked = await login(client, tenant.code, email)
    assert blocked.status_code == 429
    assert blocked.headers["content-type"] == "application/problem+json"
    assert 0 < int(blocked.headers["Retry-After"]) <= world.settings.throttle.window_s
    # Another account of the same tenant is not affected.
    assert (await login(client, tenant.code, tenant.user("admin").email)).status_code == 200


async def test_too_many_failures_from_one_address_answer_429_for_every_account(
    world: World, client: httpx.AsyncClient, tenant: TenantUsers
) -> None:
    address = {"X-Forwarded-For": "203.0.113.7"}
    for i in range(world.settings.throttle.address_max):
        response = await login(client, tenant.code, f"guess{i}@{tenant.code}.example", "wrong-password-1", **address)
        assert response.status_code == 401
    blocked = await login(client, tenant.code, tenant.user("admin").email, **address)
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    elsewhere = await login(client, tenant.code, tenant.user("admin").email, **{"X-Forwarded-For": "203.0.113.8"})
    assert elsewhere.status_code == 200
