"""Hostile input never reaches the database as a 500."""

from __future__ import annotations

import httpx

from .conftest import PASSWORD, TenantUsers, bearer, login, token_of


async def test_nul_bytes_in_login_fields_are_422_naming_the_field(
    client: httpx.AsyncClient, tenant: TenantUsers
) -> None:
    cases = {"email": (tenant.code, "a\x00@b.example"), "tenant": ("t\x00x", tenant.user("admin").email)}
    for field, (tenant_code, email) in cases.items():
        response = await login(client, tenant_code, email)
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == field


async def test_nul_bytes_in_user_fields_and_search_are_422(client: httpx.AsyncClient, tenant: TenantUsers) -> None:
    admin = bearer(await token_of(client, tenant, "admin"))
    body = {"email": "ok@x.example", "name": "A\x00B", "role": "salesman", "password": PASSWORD}
    created = await client.post("/api/users", json=body, headers=admin)
    assert created.status_code == 422 and created.json()["errors"][0]["field"] == "name"
    assert (await client.get("/api/users", params={"search": "a\x00"}, headers=admin)).status_code == 422
