"""Access-token verification: only EdDSA tokens signed by a known key, for this issuer and audience, unexpired."""

from __future__ import annotations

import base64
import json
import time
import uuid

import jwt
import pytest

from salessync.auth import InvalidToken, TokenVerifier
from salessync.testing.tokens import AUDIENCE, ISSUER, TestKeys


@pytest.fixture(scope="module")
def keys() -> TestKeys:
    return TestKeys()


@pytest.fixture
def verifier(keys: TestKeys) -> TokenVerifier:
    return TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks=keys.jwks())


async def test_a_valid_token_gives_the_principal(keys: TestKeys, verifier: TokenVerifier) -> None:
    user, tenant = uuid.uuid4(), uuid.uuid4()
    principal = await verifier.verify(keys.mint(user_id=user, tenant_id=tenant, role="salesman"))
    assert (principal.user_id, principal.tenant_id, principal.role) == (user, tenant, "salesman")


async def test_the_sid_claim_is_the_principals_session_id_and_a_token_without_it_stays_valid(
    keys: TestKeys, verifier: TokenVerifier
) -> None:
    session = str(uuid.uuid4())
    assert (await verifier.verify(keys.mint(role="salesman", sid=session))).session_id == session
    assert (await verifier.verify(keys.mint(role="salesman"))).session_id == ""


async def test_an_expired_token_is_rejected(keys: TestKeys, verifier: TokenVerifier) -> None:
    token = keys.mint(iat=int(time.time()) - 3600, exp=int(time.time()) - 10)
    with pytest.raises(InvalidToken):
        await verifier.verify(token)


async def test_a_token_signed_by_another_key_is_rejected(keys: TestKeys, verifier: TokenVerifier) -> None:
    other = TestKeys(kid=keys.kid)  # same kid, different key
    with pytest.raises(InvalidToken):
        await verifier.verify(other.mint())


async def test_alg_none_is_rejected(keys: TestKeys, verifier: TokenVerifier) -> None:
    valid = keys.mint()
    header = {"alg": "none", "typ": "JWT", "kid": keys.kid}
    payload = jwt.decode(valid, options={"verify_signature": False})
    token = f"{_b64(header)}.{_b64(payload)}."
    with pytest.raises(InvalidToken):
        await verifier.verify(token)


async def test_hs256_signed_with_the_public_key_is_rejected(keys: TestKeys, verifier: TokenVerifier) -> None:
    public_x = keys.jwk()["x"]
    payload = jwt.decode(keys.mint(), options={"verify_signature": False})
    token = _hs256(payload, public_x.encode(), keys.kid)
    with pytest.raises(InvalidToken):
        await verifier.verify(token)


@pytest.mark.parametrize("claim", [{"iss": "someone-else"}, {"aud": "another-audience"}])
async def test_a_wrong_issuer_or_audience_is_rejected(keys: TestKeys, verifier: TokenVerifier, claim: dict) -> None:
    with pytest.raises(InvalidToken):
        await verifier.verify(keys.mint(**claim))


async def test_a_tampered_payload_is_rejected(keys: TestKeys, verifier: TokenVerifier) -> None:
    header, _payload, signature = keys.mint(role="salesman").split(".")
    forged = jwt.decode(keys.mint(role="salesman"), options={"verify_signature": False}) | {"role": "admin"}
    with pytest.raises(InvalidToken):
        await verifier.verify(f"{header}.{_b64(forged)}.{signature}")


async def test_an_unknown_kid_refreshes_the_key_set_once(keys: TestKeys) -> None:
    rotated = TestKeys()
    verifier = TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks=keys.jwks())
    with pytest.raises(InvalidToken):
        await verifier.verify(rotated.mint())  # no JWKS URL to refresh from: still unknown


async def test_garbage_is_rejected(verifier: TokenVerifier) -> None:
    with pytest.raises(InvalidToken):
        await verifier.verify("not-a-token")


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _hs256(payload: dict, secret: bytes, kid: str) -> str:
    import hashlib
    import hmac

    signing_input = f"{_b64({'alg': 'HS256', 'typ': 'JWT', 'kid': kid})}.{_b64(payload)}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"
