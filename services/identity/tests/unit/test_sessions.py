"""Refresh-token family states: valid rotates, a spent token revokes the family, the rest is refused."""

import uuid
from datetime import UTC, datetime, timedelta

from identity.domain.sessions import RefreshState, StoredRefreshToken, decide

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def a_token(*, spent: bool = False, revoked: bool = False, expired: bool = False) -> StoredRefreshToken:
    return StoredRefreshToken(
        family_id=uuid.uuid4(),
        tenant_id=uuid.uuid4(),
        user_id=uuid.uuid4(),
        expires_at=NOW - timedelta(seconds=1) if expired else NOW + timedelta(days=1),
        spent_at=NOW - timedelta(minutes=1) if spent else None,
        family_revoked_at=NOW - timedelta(minutes=1) if revoked else None,
    )


def test_a_valid_token_rotates() -> None:
    decision = decide(a_token(), NOW)
    assert decision.rotate and not decision.revoke_family


def test_a_spent_token_presented_again_revokes_the_family() -> None:
    token = a_token(spent=True)
    assert token.state(NOW) is RefreshState.SPENT
    decision = decide(token, NOW)
    assert decision.revoke_family and not decision.rotate


def test_a_token_of_a_revoked_family_is_refused_even_if_unspent() -> None:
    token = a_token(revoked=True)
    assert token.state(NOW) is RefreshState.REVOKED
    assert decide(token, NOW) == decide(a_token(revoked=True, spent=True), NOW)
    assert not decide(token, NOW).rotate


def test_an_expired_token_is_refused_without_revoking() -> None:
    decision = decide(a_token(expired=True), NOW)
    assert not decision.rotate and not decision.revoke_family
