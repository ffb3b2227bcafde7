"""Access-token verification (EdDSA against identity's JWKS) and FastAPI dependencies for roles.

Only EdDSA is accepted: `alg: none`, HS256 (even signed with the public key) and any other algorithm fail.
Verified tokens are cached by their string until they expire, so a hot path pays the signature check once.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
import orjson
from fastapi import Request
from jwt import PyJWK

from salessync.context import tenant_id_var
from salessync.errors import Forbidden, Unauthorized

ROLES = ("admin", "manager", "salesman", "promoter", "merchandiser", "field_agent", "warehouse_staff")
FIELD_ROLES = ("salesman", "promoter", "merchandiser", "field_agent")


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: uuid.UUID
    tenant_id: uuid.UUID
    role: str
    token_id: str = ""
    expires_at: int = 0
    session_id: str = ""

    @property
    def is_manager(self) -> bool:
        return self.role in ("admin", "manager")


class InvalidToken(Unauthorized):
    code = "invalid_token"


class TokenVerifier:
    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        jwks_url: str | None = None,
        jwks: dict[str, Any] | None = None,
        refresh_interval_s: float = 10.0,
        cache_size: int = 50_000,
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self.jwks_url = jwks_url
        self.refresh_interval_s = refresh_interval_s
        self.cache_size = cache_size
        self._keys: dict[str, Any] = {}
        self._cache: dict[str, Principal] = {}
        self._last_fetch = 0.0
        self._lock = asyncio.Lock()
        if jwks is not None:
            self._load(jwks)

    def _load(self, jwks: dict[str, Any]) -> None:
        keys = {}
        for entry in jwks.get("keys", []):
            if entry.get("kty") == "OKP" and entry.get("crv") == "Ed25519" and entry.get("kid"):
                keys[entry["kid"]] = PyJWK(entry, algorithm="EdDSA").key
        self._keys = keys

    async def _refresh(self) -> None:
        if self.jwks_url is None:
            return
        async with self._lock:
            if time.monotonic() - self._last_fetch < self.refresh_interval_s and self._keys:
                return
            self._last_fetch = time.monotonic()
            try:
                async with httpx.AsyncClient(timeout=3.0) as client:
                    response = await client.get(self.jwks_url)
                    response.raise_for_status()
                    self._load(response.json())
            except (httpx.HTTPError, ValueError) as exc:
                raise InvalidToken("signing keys are unavailable") from exc

    async def verify(self, token: str) -> Principal:
        now = int(time.time())
        cached = self._cache.get(token)
        if cached is not None:
            if cached.expires_at > now:
                return cached
            self._cache.pop(token, None)
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise InvalidToken("malformed token") from exc
        if header.get("alg") != "EdDSA":
            raise InvalidToken("token algorithm not accepted")
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise InvalidToken("token has no key id")
        if kid not in self._keys:
            await self._refresh()
        key = self._keys.get(kid)
        if key is None:
            raise InvalidToken("unknown signing key")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=["EdDSA"],
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
            principal = Principal(
                user_id=uuid.UUID(claims["sub"]),
                tenant_id=uuid.UUID(claims["tid"]),
                role=str(claims["role"]),
                token_id=str(claims.get("jti", "")),
                expires_at=int(claims["exp"]),
                session_id=str(claims.get("sid", "")),
            )
        except (jwt.PyJWTError, KeyError, ValueError, TypeError) as exc:
            raise InvalidToken(f"invalid token: {exc}") from exc
        if principal.role not in ROLES:
            raise InvalidToken("unknown role")
        if len(self._cache) >= self.cache_size:
            self._cache.clear()
        self._cache[token] = principal
        return principal


def verifier_from_settings(auth: Any) -> TokenVerifier:
    jwks = orjson.loads(auth.jwks_json) if auth.jwks_json else None
    return TokenVerifier(
        issuer=auth.issuer,
        audience=auth.audience,
        jwks_url=None if jwks is not None else auth.jwks_url,
        jwks=jwks,
    )


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidToken("missing bearer token")
    return token.strip()


async def require_principal(request: Request) -> Principal:
    verifier: TokenVerifier = request.app.state.verifier
    principal = await verifier.verify(bearer_token(request))
    tenant_id_var.set(str(principal.tenant_id))
    request.state.principal = principal
    return principal


def require_role(*roles: str) -> Callable[[Request], Any]:
    allowed = frozenset(roles)

    async def dependency(request: Request) -> Principal:
        principal = await require_principal(request)
        if principal.role not in allowed:
            raise Forbidden(f"role '{principal.role}' may not do this")
        return principal

    return dependency
