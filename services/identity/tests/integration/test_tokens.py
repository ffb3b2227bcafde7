"""Access tokens that are not identity's own are refused; refresh tokens rotate and detect reuse; keys rotate."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import uuid

import httpx
import jwt
import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from salessync.testing.tokens import TestKeys

from .conftest import TenantUsers, World, bearer, login, sql


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(tenant: TenantUsers, **over: object) -> dict[str, object]:
    now = int(time.time())
    user = tenant.user("admin")
    claims: dict[str, object] = {
        "sub": str(user.id),
        "tid": str(tenant.tenant.id),
        "role": "admin",
        "iss": "salessync-identity",
        "aud": "salessync",
        "iat": now,
        "exp": now + 600,
        "jti": uuid.uuid4().hex,
    }
    claims.update(over)
    return claims


async def _login_pair(client: httpx.AsyncClient, tenant: TenantUsers, role: str = "salesman") -> dict[str, object]:
    response = await login(client, tenant.code, tenant.user(role).email)
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


async def _refresh(client: httpx.AsyncClient, token: object) -> httpx.Response:
    return await client.post("/api/auth/refresh", json={"refresh_token": token})


async def test_a_real_login_token_is_accepted(world: World, client: httpx.AsyncClient, tenant: TenantUsers) -> None:
    pair = await _login_pair(client, tenant, "admin")
    assert (await client.get("/api/auth/me", headers=bearer(str(pair["access_token"])))).status_code == 200


async def test_expired_forged_none_hs256_wrong_audience_and_tampered_tokens_are_401(
    world: World, client: httpx.AsyncClient, tenant: TenantUsers, test_keys: TestKeys
) -> None:
    ring = world.ident.tokens.ring
    real = str((await _login_pair(client, tenant, "salesman"))["access_token"])
    head, payload, signature = real.split(".")
    claims = orjson.loads(base64.urlsafe_b64decode(payload + "=="))
    tampered_payload = _b64(orjson.dumps({**claims, "role": "admin"}))
    public_raw = ring.private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    hs_head = _b64(orjson.dumps({"alg": "HS256", "typ": "JWT", "kid": ring.kid}))
    hs_body = _b64(orjson.dumps(_claims(tenant)))
    hs_sig = _b64(hmac.new(public_raw, f"{hs_head}.{hs_body}".encode(), hashlib.sha256).digest())
    none_head = _b64(orjson.dumps({"alg": "none", "typ": "JWT", "kid": ring.kid}))
    bad = {
        "expired": jwt.encode(
            _claims(tenant, iat=int(time.time()) - 2000, exp=int(time.time()) - 1000),
            ring.private_key,
            algorithm="EdDSA",
            headers={"kid": ring.kid},
        ),
        "other key, unknown kid": test_keys.mint(user_id=tenant.user("admin").id, tenant_id=tenant.tenant.id),
        "other key, identity's kid": jwt.encode(
            _claims(tenant), Ed25519PrivateKey.generate(), algorithm="EdDSA", headers={"kid": ring.kid}
        ),
        "alg none": f"{none_head}.{_b64(orjson.dumps(_claims(tenant)))}.",
        "hs256 with the public key": f"{hs_head}.{hs_body}.{hs_sig}",
        "wrong audience": jwt.encode(
            _claims(tenant, aud="someone-else"), ring.private_key, algorithm="EdDSA", headers={"kid": ring.kid}
        ),
        "wrong issuer": jwt.encode(
            _claims(tenant, iss="evil"), ring.private_key, algorithm="EdDSA", headers={"kid": ring.kid}
        ),
        "tampered payload": f"{head}.{tampered_payload}.{signature}",
        "garbage": "not.a.token",
    }
    for name, token in bad.items():
        response = await client.get("/api/auth/me", headers=bearer(token))
        assert response.status_code == 401, f"{name}: {response.status_code} {response.text}"
        assert response.headers["content-type"] == "application/problem+json"
    assert (await client.get("/api/auth/me")).status_code == 401


async def test_refresh_rotates_the_token_pair_and_spends_the_old_refresh_token(
    client: httpx.AsyncClient, tenant: TenantUsers
) -> None:
    first = await _login_pair(client, tenant)
    second = await _refresh(client, first["refresh_token"])
    assert second.status_code == 200, second.text
    pair = second.json()
    assert pair["refresh_token"] != first["refresh_token"] and pair["access_token"] != first["access_token"]
    assert pair["user"]["id"] == str(tenant.user("salesman").id)
    assert second.headers["cache-control"] == "no-store"
    third = await _refresh(client, pair["refresh_token"])
    assert third.status_code == 200


async def test_reusing_a_spent_refresh_token_revokes_the_whole_family(
    client: httpx.AsyncClient, tenant: TenantUsers
) -> None:
    first = await _login_pair(client, tenant)
    other_login = await _login_pair(client, tenant)
    newest = (await _refresh(client, first["refresh_token"])).json()["refresh_token"]
    reuse = await _refresh(client, first["refresh_token"])
    assert reuse.status_code == 401 and reuse.json()["code"] == "invalid_refresh_token"
    assert (await _refresh(client, newest)).status_code == 401
    # Another login of the same user is another family, untouched.
    assert (await _refresh(client, other_login["refresh_token"])).status_code == 200


async def test_an_unknown_refresh_token_is_401(client: httpx.AsyncClient, tenant: TenantUsers) -> None:
    assert (await _refresh(client, "made-up-token")).status_code == 401
    assert (await _refresh(client, "")).status_code == 422


async def test_logout_revokes_the_family_and_answers_204(client: httpx.AsyncClient, tenant: TenantUsers) -> None:
    pair = await _login_pair(client, tenant)
    newer = (await _refresh(client, pair["refresh_token"])).json()
    response = await client.post(
        "/api/auth/logout", json={"refresh_token": newer["refresh_token"]}, headers=bearer(newer["access_token"])
    )
    assert response.status_code == 204
    assert (await _refresh(client, newer["refresh_token"])).status_code == 401


async def test_logout_cannot_revoke_another_users_family(client: httpx.AsyncClient, tenant: TenantUsers) -> None:
    victim = await _login_pair(client, tenant, "manager")
    attacker = await _login_pair(client, tenant, "salesman")
    response = await client.post(
        "/api/auth/logout",
        json={"refresh_token": victim["refresh_token"]},
        headers=bearer(str(attacker["access_token"])),
    )
    assert response.status_code == 204
    assert (await _refresh(client, victim["refresh_token"])).status_code == 200


async def test_a_suspended_tenant_can_no_longer_refresh(
    world: World, client: httpx.AsyncClient, tenant: TenantUsers
) -> None:
    pair = await _login_pair(client, tenant)
    await sql(world, "UPDATE tenants SET status = 'suspended' WHERE id = $1", tenant.tenant.id)
    assert (await _refresh(client, pair["refresh_token"])).status_code == 401


async def test_the_jwks_publishes_the_ed25519_public_key_that_signs(
    world: World, client: httpx.AsyncClient, tenant: TenantUsers
) -> None:
    response = await client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    keys = response.json()["keys"]
    kid = jwt.get_unverified_header(str((await _login_pair(client, tenant))["access_token"]))["kid"]
    key = next(k for k in keys if k["kid"] == kid)
    assert (key["kty"], key["crv"], key["alg"]) == ("OKP", "Ed25519", "EdDSA")
    assert "d" not in key


async def test_rotation_keeps_the_old_public_key_until_its_tokens_have_expired(
    world: World, client: httpx.AsyncClient, tenant: TenantUsers
) -> None:
    old_token = str((await _login_pair(client, tenant))["access_token"])
    old_kid = jwt.get_unverified_header(old_token)["kid"]
    new_kid = await world.ident.tokens.rotate()
    assert new_kid != old_kid
    new_token = str((await _login_pair(client, tenant))["access_token"])
    assert jwt.get_unverified_header(new_token)["kid"] == new_kid
    kids = {k["kid"] for k in (await client.get("/.well-known/jwks.json")).json()["keys"]}
    assert {old_kid, new_kid} <= kids
    for token in (old_token, new_token):
        assert (await client.get("/api/auth/me", headers=bearer(token))).status_code == 200
    # Once the old key was retired longer ago than a token lives, it leaves the JWKS and its tokens fail.
    await sql(world, "UPDATE signing_keys SET retired_at = now() - interval '1 day' WHERE kid = $1", old_kid)
    await world.ident.tokens.reload()
    kids = {k["kid"] for k in (await client.get("/.well-known/jwks.json")).json()["keys"]}
    assert old_kid not in kids and new_kid in kids
    assert (await client.get("/api/auth/me", headers=bearer(old_token))).status_code == 401
    assert (await client.get("/api/auth/me", headers=bearer(new_token))).status_code == 200


async def test_a_key_rotated_by_another_replica_is_picked_up_for_verification(
    world: World, client: httpx.AsyncClient, tenant: TenantUsers
) -> None:
    from identity.adapters.keys import load_key_ring, rotate_signing_key

    new_kid = await rotate_signing_key(world.ident.db)  # as another replica would, behind this one's back
    ring = await load_key_ring(world.ident.db, 1000)
    token = jwt.encode(_claims(tenant), ring.private_key, algorithm="EdDSA", headers={"kid": new_kid})
    world.ident.tokens.verifier._reloaded_at = 0.0  # the reload is rate-limited; start a fresh interval
    assert (await client.get("/api/auth/me", headers=bearer(token))).status_code == 200
    await world.ident.tokens.reload()
    assert world.ident.tokens.ring.kid == new_kid


async def test_housekeeping_drops_stale_throttle_windows_and_dead_families(
    world: World, client: httpx.AsyncClient, tenant: TenantUsers
) -> None:
    from identity.service_layer.auth import housekeeping

    await _login_pair(client, tenant)
    await sql(world, "INSERT INTO login_throttle VALUES ('address:old', now() - interval '1 day', 3)")
    await sql(
        world,
        "UPDATE refresh_families SET created_at = now() - interval '90 days' WHERE user_id = $1",
        tenant.user("salesman").id,
    )
    await sql(
        world,
        "UPDATE refresh_tokens SET expires_at = now() - interval '60 days' "
        "WHERE family_id IN (SELECT id FROM refresh_families WHERE user_id = $1)",
        tenant.user("salesman").id,
    )
    await housekeeping(world.ident)
    assert not await sql(world, "SELECT 1 FROM login_throttle WHERE key = 'address:old'")
    assert not await sql(world, "SELECT 1 FROM refresh_families WHERE user_id = $1", tenant.user("salesman").id)
