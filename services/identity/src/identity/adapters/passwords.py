"""argon2id hashing off the event loop (argon2 releases the GIL, so threads run in parallel)."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher as Argon2Hasher
from argon2 import Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from identity.settings import PasswordSettings


class PasswordHasher:
    def __init__(self, settings: PasswordSettings) -> None:
        self._argon = Argon2Hasher(
            time_cost=settings.time_cost,
            memory_cost=settings.memory_kib,
            parallelism=settings.parallelism,
            type=Type.ID,
        )
        # Verified when the email or tenant is unknown, so every failure costs the same time (made on first use).
        self._dummy: str | None = None

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._argon.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        return await asyncio.to_thread(self._verify, password_hash, password)

    def _verify(self, password_hash: str | None, password: str) -> bool:
        real = password_hash is not None
        if password_hash is None:
            if self._dummy is None:
                self._dummy = self._argon.hash("not the password of anyone")
            password_hash = self._dummy
        try:
            ok = self._argon.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
        return ok and real

    def needs_rehash(self, password_hash: str) -> bool:
        return self._argon.check_needs_rehash(password_hash)
