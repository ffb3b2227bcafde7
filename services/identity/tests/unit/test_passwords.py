"""argon2id hashing: a real verify, and an unknown user's verify that does the same work and always fails."""

from identity.adapters.passwords import PasswordHasher
from identity.settings import PasswordSettings


async def test_a_hash_verifies_its_password_only() -> None:
    hasher = PasswordHasher(PasswordSettings(memory_kib=64, time_cost=1))
    stored = await hasher.hash("Correct-horse-42")
    assert stored.startswith("$argon2id$v=19$m=64,t=1,p=1$")
    assert await hasher.verify(stored, "Correct-horse-42")
    assert not await hasher.verify(stored, "correct-horse-42")
    assert not await hasher.verify("not-a-hash", "Correct-horse-42")


async def test_an_unknown_user_is_checked_against_a_dummy_hash_and_never_matches() -> None:
    hasher = PasswordHasher(PasswordSettings(memory_kib=64, time_cost=1))
    assert not await hasher.verify(None, "not the password of anyone")
    assert hasher._dummy is not None and hasher._dummy.startswith("$argon2id$")


def test_the_defaults_are_owasps_argon2id_parameters() -> None:
    defaults = PasswordSettings()
    assert (defaults.memory_kib, defaults.time_cost, defaults.parallelism) == (19456, 2, 1)
    assert defaults.min_length == 10
