"""Refresh-token families: every use spends the token and issues its successor in the same family;
presenting a spent token again is theft (or a replay), so the whole family is revoked."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime


class RefreshState(enum.Enum):
    VALID = "valid"
    SPENT = "spent"
    REVOKED = "revoked"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class StoredRefreshToken:
    family_id: uuid.UUID
    tenant_id: uuid.UUID
    user_id: uuid.UUID
    expires_at: datetime
    spent_at: datetime | None
    family_revoked_at: datetime | None

    def state(self, now: datetime) -> RefreshState:
        if self.family_revoked_at is not None:
            return RefreshState.REVOKED
        if self.spent_at is not None:
            return RefreshState.SPENT
        if self.expires_at <= now:
            return RefreshState.EXPIRED
        return RefreshState.VALID


@dataclass(frozen=True, slots=True)
class RefreshDecision:
    rotate: bool
    revoke_family: bool


def decide(token: StoredRefreshToken, now: datetime) -> RefreshDecision:
    """What presenting `token` at `now` does: rotate it, or refuse (revoking the family on reuse)."""
    state = token.state(now)
    if state is RefreshState.VALID:
        return RefreshDecision(rotate=True, revoke_family=False)
    return RefreshDecision(rotate=False, revoke_family=state is RefreshState.SPENT)
