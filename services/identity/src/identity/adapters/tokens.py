"""Access tokens: signed with the active key of the ring, verified against the ring's public keys."""

from __future__ import annotations

import time
import uuid
from typing import Any

import jwt

from identity.adapters.keys import KeyRing, ensure_signing_key, load_key_ring, rotate_signing_key
from identity.domain.model import User
from identity.settings import IdentitySettings
from salessync.auth import TokenVerifier
from salessync.db import Database


class RingVerifier(TokenVerifier):
    """The shared verifier, fed from identity's own key table instead of over HTTP to itself.

    A token with an unknown kid (a key rotated by another replica) reloads the ring, at most once per
    `refresh_interval_s`.
    """

    def __init__(self, owner: AccessTokens, *, issuer: str, audience: str, refresh_interval_s: float) -> None:
        super().__init__(issuer=issuer, audience=audience, jwks={"keys": []}, refresh_interval_s=refresh_interval_s)
        self._owner = owner
        self._reloaded_at = 0.0

    def use(self, jwks: dict[str, Any]) -> None:
        before = set(self._keys)
        self._load(jwks)
        if before - set(self._keys):
            self._cache.clear()  # a key left the JWKS: tokens it signed must be checked again

    async def _refresh(self) -> None:
        async with self._lock:
            if time.monotonic() - self._reloaded_at < self.refresh_interval_s:
                return
            self._reloaded_at = time.monotonic()
            await self._owner.reload()


class AccessTokens:
    def __init__(self, db: Database, settings: IdentitySettings) -> None:
        self.db = db
        self.issuer = settings.auth.issuer
        self.audience = settings.auth.audience
        self.ttl_s = settings.tokens.access_ttl_s
        # A retired key is published for a token lifetime after retirement, plus the time a replica may still
        # sign with it before it reloads, plus slack for clock skew.
        self.keep_retired_s = self.ttl_s + 2 * settings.tokens.key_reload_s + 60
        self.verifier = RingVerifier(
            self, issuer=self.issuer, audience=self.audience, refresh_interval_s=min(10.0, settings.tokens.key_reload_s)
        )
        self._ring: KeyRing | None = None

    async def start(self) -> None:
        await ensure_signing_key(self.db)
        await self.reload()

    async def reload(self) -> None:
        self._ring = await load_key_ring(self.db, self.keep_retired_s)
        self.verifier.use(self._ring.jwks())

    async def rotate(self) -> str:
        kid = await rotate_signing_key(self.db)
        await self.reload()
        return kid

    @property
    def ring(self) -> KeyRing:
        if self._ring is None:
            raise RuntimeError("signing keys are not loaded yet")
        return self._ring

    def jwks(self) -> dict[str, Any]:
        return self.ring.jwks()

    def issue(self, user: User, session_id: uuid.UUID) -> str:
        """An access token of the login session `session_id` (its refresh family), carried as `sid`."""
        ring = self.ring
        now = int(time.time())
        claims = {
            "sub": str(user.id),
            "tid": str(user.tenant_id),
            "role": user.role,
            "iss": self.issuer,
            "aud": self.audience,
            "iat": now,
            "exp": now + self.ttl_s,
            "jti": uuid.uuid4().hex,
            "sid": str(session_id),
        }
        return jwt.encode(claims, ring.private_key, algorithm="EdDSA", headers={"kid": ring.kid})
