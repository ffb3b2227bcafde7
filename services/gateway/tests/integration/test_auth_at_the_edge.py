"""The gateway verifies the access token before forwarding anything but the public routes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import uuid

import httpx
import jwt
import orjson
import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from salessync.testing.tokens import AUDIENCE, ISSUER, TestKeys, bearer


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims() -> dict[str, object]:
    now = int(time.time())
    return {
        "sub": str(uuid.uuid4()),
        "tid": str(uuid.uuid4()),
        "role": "admin",
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 600,
        "jti": uuid.uuid4().hex,
    }


def hs256_with_public_key(keys: TestKeys) -> str:
    header = {"alg": "HS256", "typ": "JWT", "kid": keys.kid}
    signing_input = f"{b64(orjson.dumps(header))}.{b64(orjson.dumps(claims()))}"
    public_pem = keys.private_key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    signature = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def tampered(keys: TestKeys) -> str:
    header, _, signature = keys.mint(role="salesman").split(".")
    forged = b64(orjson.dumps({**claims(), "role": "admin"}))
    return f"{header}.{forged}.{signature}"


BAD_TOKENS = {
    "expired": lambda k: k.mint(ttl_s=-60),
    "other key, same kid": lambda k: TestKeys(kid=k.kid).mint(),
    "other key, unknown kid": lambda k: TestKeys().mint(),
    "alg none": lambda k: jwt.encode(claims(), None, algorithm="none", headers={"kid": k.kid}),
    "HS256 signed with the public key": hs256_with_public_key,
    "wrong audience": lambda k: k.mint(aud="someone-else"),
    "wrong issuer": lambda k: k.mint(iss="someone-else"),
    "tampered payload": tampered,
    "garbage": lambda k: "not.a.token",
}


@pytest.mark.parametrize("kind", list(BAD_TOKENS))
async def test_a_bad_token_is_401_and_never_forwarded(
    gateway: httpx.AsyncClient, test_keys: TestKeys, kind: str
) -> None:
    answer = await gateway.get("/api/orders/1", headers=bearer(BAD_TOKENS[kind](test_keys)))

    assert answer.status_code == 401
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["www-authenticate"] == "Bearer"
    assert "x-upstream" not in answer.headers


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "Bearer"}])
async def test_a_missing_token_is_401(gateway: httpx.AsyncClient, headers: dict[str, str]) -> None:
    answer = await gateway.get("/api/products/1", headers=headers)

    assert answer.status_code == 401
    assert answer.json()["code"] == "invalid_token"


async def test_a_valid_token_passes_and_is_forwarded(gateway: httpx.AsyncClient, test_keys: TestKeys) -> None:
    token = test_keys.mint(role="salesman")

    answer = await gateway.get("/api/visits", headers=bearer(token))  # field is down: forwarded, then 502

    assert answer.status_code == 502
    assert answer.json()["title"] == "field is unavailable"


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/api/auth/login"), ("POST", "/api/auth/refresh"), ("GET", "/.well-known/jwks.json")],
)
async def test_public_routes_pass_without_a_token(gateway: httpx.AsyncClient, method: str, path: str) -> None:
    answer = await gateway.request(method, path, json={"tenant": "demo"})

    assert answer.status_code == 200
    assert answer.json()["service"] == "identity"


@pytest.mark.parametrize("path", ["/health", "/ready", "/metrics", "/openapi.json", "/api-docs"])
async def test_gateway_own_routes_are_public(gateway: httpx.AsyncClient, path: str) -> None:
    answer = await gateway.get(path)

    assert answer.status_code == 200


async def test_other_methods_on_public_paths_still_need_a_token(gateway: httpx.AsyncClient) -> None:
    assert (await gateway.get("/api/auth/login")).status_code == 401
    assert (await gateway.post("/api/auth/logout")).status_code == 401
