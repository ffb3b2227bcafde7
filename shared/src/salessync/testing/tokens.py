"""An Ed25519 key pair and a token minter for tests, shaped like identity's tokens."""

from __future__ import annotations

import base64
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import jwt
import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from salessync.auth import Principal

ISSUER = "salessync-identity"
AUDIENCE = "salessync"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class TestKeys:
    __test__ = False
    kid: str = field(default_factory=lambda: uuid.uuid4().hex[:16])
    private_key: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)

    def jwk(self) -> dict[str, str]:
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        raw = self.private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return {"kty": "OKP", "crv": "Ed25519", "x": _b64(raw), "kid": self.kid, "alg": "EdDSA", "use": "sig"}

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.jwk()]}

    def jwks_json(self) -> str:
        return orjson.dumps(self.jwks()).decode()

    def mint(
        self,
        *,
        user_id: uuid.UUID | str | None = None,
        tenant_id: uuid.UUID | str | None = None,
        role: str = "admin",
        ttl_s: int = 900,
        headers: dict[str, Any] | None = None,
        **claims: Any,
    ) -> str:
        now = int(time.time())
        payload = {
            "sub": str(user_id or uuid.uuid4()),
            "tid": str(tenant_id or uuid.uuid4()),
            "role": role,
            "iss": ISSUER,
            "aud": AUDIENCE,
            "iat": now,
            "exp": now + ttl_s,
            "jti": uuid.uuid4().hex,
        }
        payload.update(claims)
        return jwt.encode(payload, self.private_key, algorithm="EdDSA", headers={"kid": self.kid, **(headers or {})})

    def token_for(self, principal: Principal, **kw: Any) -> str:
        return self.mint(user_id=principal.user_id, tenant_id=principal.tenant_id, role=principal.role, **kw)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
