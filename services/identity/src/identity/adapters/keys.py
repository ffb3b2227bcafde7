"""Signing keys: one Ed25519 key signs, retired keys stay in the JWKS until their last token has expired.

The first replica to start creates the key under an advisory lock (and a unique index allows only one
active key), so replicas starting together agree on one key. Private keys never leave this schema.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_der_private_key,
)

from salessync.db import Database, Tx

_LOCK = "SELECT pg_advisory_xact_lock(hashtext('identity.signing_keys'))"
_ACTIVE = "SELECT kid, private_key FROM signing_keys WHERE retired_at IS NULL"
_PUBLISHED = """
SELECT kid, public_x FROM signing_keys
WHERE retired_at IS NULL OR retired_at > now() - make_interval(secs => $1)
ORDER BY created_at DESC
"""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass(frozen=True)
class KeyRing:
    """The key that signs now and the public keys a verifier accepts."""

    kid: str
    private_key: Ed25519PrivateKey
    public: tuple[tuple[str, str], ...]  # (kid, x)

    def jwks(self) -> dict[str, Any]:
        return {
            "keys": [
                {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid, "alg": "EdDSA", "use": "sig"}
                for kid, x in self.public
            ]
        }


async def _insert_key(tx: Tx) -> None:
    key = Ed25519PrivateKey.generate()
    der = key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
    x = _b64(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))
    raw = await tx.raw()
    await raw.execute(
        "INSERT INTO signing_keys (kid, private_key, public_x) VALUES ($1, $2, $3)", uuid.uuid4().hex[:16], der, x
    )


async def ensure_signing_key(db: Database) -> None:
    """Create the first key unless one is active (safe when many replicas start at once)."""
    async with db.transaction() as tx:
        raw = await tx.raw()
        if await raw.fetchrow(_ACTIVE):
            return
        await raw.execute(_LOCK)
        if not await raw.fetchrow(_ACTIVE):
            await _insert_key(tx)


async def rotate_signing_key(db: Database) -> str:
    """Retire the active key and make a new one sign; the retired public key stays published. Returns the new kid."""
    async with db.transaction() as tx:
        raw = await tx.raw()
        await raw.execute(_LOCK)
        await raw.execute("UPDATE signing_keys SET retired_at = now() WHERE retired_at IS NULL")
        await _insert_key(tx)
        kid: str = await raw.fetchval("SELECT kid FROM signing_keys WHERE retired_at IS NULL")
        return kid


async def load_key_ring(db: Database, keep_retired_s: float) -> KeyRing:
    """The active key and every key retired less than `keep_retired_s` ago (token lifetime plus slack)."""
    async with db.connect() as tx:
        raw = await tx.raw()
        active = await raw.fetchrow(_ACTIVE)
        published = await raw.fetch(_PUBLISHED, float(keep_retired_s))
    if active is None:
        raise RuntimeError("no active signing key; ensure_signing_key() runs at start-up")
    private_key = load_der_private_key(bytes(active["private_key"]), password=None)
    assert isinstance(private_key, Ed25519PrivateKey)
    return KeyRing(active["kid"], private_key, tuple((r["kid"], r["public_x"]) for r in published))
