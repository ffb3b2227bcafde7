"""What the handlers need, built once per process: database, password hasher, token issuer, settings."""

from __future__ import annotations

from dataclasses import dataclass

from identity.adapters.passwords import PasswordHasher
from identity.adapters.tokens import AccessTokens
from identity.settings import IdentitySettings
from salessync.db import Database


@dataclass
class Identity:
    db: Database
    settings: IdentitySettings
    hasher: PasswordHasher
    tokens: AccessTokens
