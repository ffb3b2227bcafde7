"""Users: who may do what, tenant isolation, uniqueness, versions, self-protection, events."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from salessync.events import Event, decode_event
from salessync.nats import connect
from salessync.testing.helpers import eventually, stream_data

from .conftest import PASSWORD, TenantUsers, World, bearer, login, make_tenant, sql, token_of


async def _as(client: httpx.AsyncClient, tenant: TenantUsers, role: str) -> dict[str, str]:
    return bearer(await token_of(client, tenant, role))


def _new_user(**over: object) -> dict[str, object]:
    body: dict[str, object] = {
        "email": f"new-{uuid.uuid4().hex[:8]}@x.example",
        "name": "New Person",
        "role": "salesman",
        "password": "Long-enough-pw",
    }
    body.update(over)
    return body


async def test_an_admin_creates_a_user_who_can_then_log_in(client: httpx.AsyncClient, tenant: TenantUsers) -> None:
    body = _new_user()
    response = await client.post("/api/users", json=body, headers=await _as(client, tenant, "admin"))
    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["location"] == f"/api/users/{created['id']}"
    assert created["email"] == body["email"] and created["role"] == "salesman" and created["version"] == 1
    assert "password" not in created and "password_hash" not in created
    assert (await login(client, tenant.code, str(body["email"]), str(body["password"]))).status_code == 200


async def test_the_same_idempotency_key_replays_the_first_answer(
    client: httpx.AsyncClient, tenant: TenantUsers
) -> None:
    headers = {**await _as(client, tenant, "admin"), "Idempotency-Key": "create-1"}
    body = _new_user()
    first = await client.post("/api/users", json=body, headers=headers)
    again = await client.post("/api/users", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"


@pytest.mark.parametrize("role", ["manager", "salesman", "warehouse_staff"])
async def test_only_an_admin_may_create_users(client: httpx.AsyncClient, tenant: TenantUsers, role: str) -> None:
    response = await client.post("/api/users", json=_new_user(), headers=await _as(client, tenant, role))
    assert response.status_code == 403


async def test_a_manager_reads_every_user_and_a_salesman_only_himself(
    client: httpx.AsyncClient, tenant: TenantUsers
) -> None:
    manager = await _as(client, tenant, "manager")
    salesman = await _as(client, tenant, "salesman")
    admin_id = tenant.user("admin").id
    assert (await client.get("/api/users", headers=manager)).json()["total"] == len(tenant.users)
    assert (await client.get(f"/api/users/{admin_id}", headers=manager)).status_code == 200
    assert (await client.get("/api/users", headers=salesman)).status_code == 403
    assert (await client.get(f"/api/users/{admin_id}", headers=salesman)).status_code == 403
    own = await client.get(f"/api/users/{tenant.user('salesman').id}", headers=salesman)
    assert own.status_code == 200 and own.json()["role"] == "salesman"
    patch = await client.patch(f"/api/users/{admin_id}", json={"name": "X"}, headers=manager)
    assert patch.status_code == 403


async def test_a_user_of_another_tenant_is_404(world: World, client: httpx.AsyncClient, tenant: TenantUsers) -> None:
    other = await make_tenant(world)
    admin = await _as(client, tenant, "admin")
    foreign = other.user("salesman").id
    assert (await client.get(f"/api/users/{foreign}", headers=admin)).status_code == 404
    assert (await client.patch(f"/api/users/{foreign}", json={"name": "x"}, headers=admin)).status_code == 404
    assert (await client.delete(f"/api/users/{foreign}", headers=admin)).status_code == 404
    password = {"new_password": "Another-long-pw"}
    assert (await client.post(f"/api/users/{foreign}/password", json=password, headers=admin)).status_code == 404
    listed = (await client.get("/api/users?limit=100", headers=admin)).json()["items"]
    assert all(u["tenant_id"] == str(tenant.tenant.id) for u in listed)


async def test_the_list_filters_searches_and_pages(client: httpx.AsyncClient, tenant: TenantUsers) -> None:
    admin = await _as(client, tenant, "admin")
    page = (await client.get("/api/users?limit=3&page=2&sort=email", headers=admin)).json()
    assert (page["page"], page["limit"], page["total"], page["pages"]) == (2, 3, 7, 3)
    assert len(page["items"]) == 3
    emails = [u["email"] for u in page["items"]]
    assert emails == sorted(emails)
    only = (await client.get("/api/users?role=manager", headers=admin)).json()
    assert [u["role"] for u in only["items"]] == ["manager"]
    found = (await client.get("/api/users?search=WAREHOUSE", headers=admin)).json()
    assert [u["role"] for u in found["items"]] == ["warehouse_staff"]
    assert (await client.get("/api/users?search=%25", headers=admin)).json()["total"] == 0
    bad = await client.get("/api/users?role=king&limit=500", headers=admin)
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"role", "limit"}


async def test_validation_errors_name_the_field(client: httpx.AsyncClient, tenant: TenantUsers) -> None:
    admin = await _as(client, tenant, "admin")
    cases = {
        "email": _new_user(email="not-an-email"),
        "password": _new_user(password="short"),
        "role": _new_user(role="emperor"),
        "name": _new_user(name="   "),
    }
    for field, body in cases.items():
        response = await client.post("/api/users", json=body, headers=admin)
        assert response.status_code == 422, (field, response.text)
        assert response.json()["errors"][0]["field"] == field
    malformed = await client.post(
        "/api/users", content=b"{not json", headers={**admin, "content-type": "application/json"}
    )
    assert malformed.status_code == 400
    listed = (await client.get("/api/users", headers=admin)).json()
    assert listed["total"] == len(tenant.users)


async def test_a_duplicate_email_is_409_case_insensitively_even_when_concurrent(
    client: httpx.AsyncClient, tenant: TenantUsers
) -> None:
    admin = await _as(client, tenant, "admin")
    taken = tenant.user("salesman").email.upper()
    response = await client.post("/api/users", json=_new_user(email=taken), headers=admin)
    assert response.status_code == 409 and response.json()["code"] == "email_taken"
    email = f"race-{uuid.uuid4().hex[:6]}@x.example"
    answers = await asyncio.gather(
        *(
            client.post("/api/users", json=_new_user(email=email.title() if i % 2 else email), headers=admin)
            for i in range(4)
        )
    )
    assert sorted(a.status_code for a in answers) == [201, 409, 409, 409]
    rename = await client.patch(f"/api/users/{tenant.user('manager').id}", json={"email": taken.lower()}, headers=admin)
    assert rename.status_code == 409


async def test_patch_with_a_stale_if_match_is_409_and_changes_nothing(
    client: httpx.AsyncClient, tenant: TenantUsers
) -> None:
    admin = await _as(client, tenant, "admin")
    target = tenant.user("promoter").id
    first = await client.patch(f"/api/users/{target}", json={"name": "Pat P."}, headers={**admin, "If-Match": '"1"'})
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = await client.patch(f"/api/users/{target}", json={"name": "Late"}, headers={**admin, "If-Match": "1"})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    assert (await client.get(f"/api/users/{target}", headers=admin)).json()["name"] == "Pat P."
    garbage = await client.patch(f"/api/users/{target}", json={"name": "x"}, headers={**admin, "If-Match": "abc"})
    assert garbage.status_code == 422 and garbage.json()["errors"][0]["field"] == "If-Match"


async def test_an_admin_cannot_demote_deactivate_or_delete_himself(
    client: httpx.AsyncClient, tenant: TenantUsers
) -> None:
    admin = await _as(client, tenant, "admin")
    me = tenant.user("admin").id
    for body in ({"role": "manager"}, {"status": "inactive"}):
        response = await client.patch(f"/api/users/{me}", json=body, headers=admin)
        assert response.status_code == 409 and response.json()["code"] == "self_lockout", response.text
    deleted = await client.delete(f"/api/users/{me}", headers=admin)
    assert deleted.status_code == 409 and "delete himself" in deleted.json()["detail"]
    assert (await client.get(f"/api/users/{me}", headers=admin)).json()["role"] == "admin"


async def test_a_salesman_may_rename_himself_but_not_change_his_role(
    client: httpx.AsyncClient, tenant: TenantUsers
) -> None:
    salesman = await _as(client, tenant, "salesman")
    me = tenant.user("salesman").id
    assert (await client.patch(f"/api/users/{me}", json={"name": "Samuel"}, headers=salesman)).json()[
        "name"
    ] == "Samuel"
    response = await client.patch(f"/api/users/{me}", json={"role": "admin"}, headers=salesman)
    assert response.status_code == 403 and response.json()["field"] == "role"


async def test_deactivating_or_demoting_a_user_revokes_his_sessions(
    client: httpx.AsyncClient, tenant: TenantUsers
) -> None:
    admin = await _as(client, tenant, "admin")
    for role, change in (("manager", {"role": "salesman"}), ("field_agent", {"status": "suspended"})):
        session = (await login(client, tenant.code, tenant.user(role).email)).json()
        assert (await client.patch(f"/api/users/{tenant.user(role).id}", json=change, headers=admin)).status_code == 200
        refreshed = await client.post("/api/auth/refresh", json={"refresh_token": session["refresh_token"]})
        assert refreshed.status_code == 401
    assert (await login(client, tenant.code, tenant.user("field_agent").email)).status_code == 401
    assert (await login(client, tenant.code, tenant.user("manager").email)).json()["user"]["role"] == "salesman"


async def test_a_deleted_user_is_gone_cannot_log_in_and_frees_his_email(
    client: httpx.AsyncClient, tenant: TenantUsers
) -> None:
    admin = await _as(client, tenant, "admin")
    victim = tenant.user("merchandiser")
    session = (await login(client, tenant.code, victim.email)).json()
    assert (await client.delete(f"/api/users/{victim.id}", headers=admin)).status_code == 204
    assert (await client.get(f"/api/users/{victim.id}", headers=admin)).status_code == 404
    assert (await client.delete(f"/api/users/{victim.id}", headers=admin)).status_code == 404
    assert (await login(client, tenant.code, victim.email)).status_code == 401
    assert (await client.post("/api/auth/refresh", json={"refresh_token": session["refresh_token"]})).status_code == 401
    assert (await client.get("/api/auth/me", headers=bearer(session["access_token"]))).status_code == 401
    again = await client.post("/api/users", json=_new_user(email=victim.email), headers=admin)
    assert again.status_code == 201


async def test_password_change_needs_the_current_password_for_oneself(
    client: httpx.AsyncClient, tenant: TenantUsers
) -> None:
    me = tenant.user("salesman")
    headers = await _as(client, tenant, "salesman")
    url = f"/api/users/{me.id}/password"
    missing = await client.post(url, json={"new_password": "Brand-new-pass"}, headers=headers)
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "current_password"
    wrong = await client.post(
        url, json={"current_password": "nope-nope-nope", "new_password": "Brand-new-pass"}, headers=headers
    )
    assert wrong.status_code == 422
    short = await client.post(url, json={"current_password": PASSWORD, "new_password": "short"}, headers=headers)
    assert short.status_code == 422 and short.json()["errors"][0]["field"] == "new_password"
    ok = await client.post(url, json={"current_password": PASSWORD, "new_password": "Brand-new-pass"}, headers=headers)
    assert ok.status_code == 204
    assert (await login(client, tenant.code, me.email, "Brand-new-pass")).status_code == 200
    other = await client.post(
        f"/api/users/{tenant.user('promoter').id}/password", json={"new_password": "Brand-new-pass"}, headers=headers
    )
    assert other.status_code == 403


async def test_an_admin_resets_another_users_password(client: httpx.AsyncClient, tenant: TenantUsers) -> None:
    admin = await _as(client, tenant, "admin")
    target = tenant.user("promoter")
    session = (await login(client, tenant.code, target.email)).json()
    response = await client.post(
        f"/api/users/{target.id}/password", json={"new_password": "Reset-by-admin"}, headers=admin
    )
    assert response.status_code == 204
    assert (await login(client, tenant.code, target.email)).status_code == 401
    assert (await login(client, tenant.code, target.email, "Reset-by-admin")).status_code == 200
    assert (await client.post("/api/auth/refresh", json={"refresh_token": session["refresh_token"]})).status_code == 401


async def test_me_lists_the_permissions_of_the_role_and_roles_match_the_table(
    client: httpx.AsyncClient, tenant: TenantUsers
) -> None:
    headers = await _as(client, tenant, "warehouse_staff")
    me = (await client.get("/api/auth/me", headers=headers)).json()
    assert me["tenant"]["code"] == tenant.code and me["user"]["role"] == "warehouse_staff"
    assert "inventory:*" in me["permissions"] and "orders:dispatch" in me["permissions"]
    roles = (await client.get("/api/users/roles", headers=headers)).json()
    assert [r["role"] for r in roles] == [
        "admin",
        "manager",
        "salesman",
        "promoter",
        "merchandiser",
        "field_agent",
        "warehouse_staff",
    ]
    assert all(r["label"] and r["permissions"] for r in roles)


async def _user_events(world: World, tenant: TenantUsers) -> list[Event]:
    nc = await connect(world.settings.nats.url, "identity-test")
    try:
        return [
            decode_event(data) for data in await stream_data(nc.jetstream(), f"salessync.{tenant.tenant.id}.user.>")
        ]
    finally:
        await nc.close()


async def test_user_events_are_published_once_per_change(
    world: World, client: httpx.AsyncClient, tenant: TenantUsers
) -> None:
    admin = await _as(client, tenant, "admin")
    created = (await client.post("/api/users", json=_new_user(role="promoter"), headers=admin)).json()
    url = f"/api/users/{created['id']}"
    await client.patch(url, json={"name": "Renamed"}, headers=admin)
    await client.patch(url, json={"name": "Renamed"}, headers=admin)  # no change: no event
    await client.patch(url, json={"role": "salesman"}, headers=admin)
    await client.patch(url, json={"status": "inactive"}, headers=admin)
    assert (await client.delete(url, headers=admin)).status_code == 204
    expected = [
        "user.created",  # the seven users of the tenant fixture
    ] * len(tenant.users) + [
        "user.created",
        "user.updated",
        "user.updated",
        "user.role_changed",
        "user.updated",
        "user.deactivated",
        "user.deactivated",
    ]

    async def outbox_drained() -> bool:
        return not await sql(world, "SELECT 1 FROM outbox")

    await eventually(outbox_drained, timeout=15)
    events = await _user_events(world, tenant)
    assert [e.type for e in events] == expected
    assert len({e.event_id for e in events}) == len(events)
    mine = [e for e in events if e.aggregate_id == created["id"]]
    assert mine[0].payload == {
        "id": created["id"],
        "email": created["email"],
        "name": "New Person",
        "role": "promoter",
        "status": "active",
    }
    role_changed = next(e for e in mine if e.type == "user.role_changed")
    assert role_changed.payload["old_role"] == "promoter" and role_changed.payload["role"] == "salesman"
    assert mine[-1].payload["status"] == "inactive" and mine[-1].producer == "identity"
    assert all(e.tenant_id == str(tenant.tenant.id) for e in events)
