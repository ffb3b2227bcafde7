"""Login throttling in the database (fixed windows per key), so every replica counts the same attempts.

An attempt is counted before the password is checked, so a burst of parallel guesses is bounded too; a
successful login forgives its own attempt (the account's counter is cleared, the address's decremented).
"""

from __future__ import annotations

import math

from salessync.db import Database

_COUNT = """
INSERT INTO login_throttle AS t (key, window_start, attempts)
SELECT k, now(), 1 FROM unnest($1::text[]) AS k
ON CONFLICT (key) DO UPDATE SET
    attempts = CASE WHEN t.window_start <= now() - make_interval(secs => $2) THEN 1 ELSE t.attempts + 1 END,
    window_start = CASE WHEN t.window_start <= now() - make_interval(secs => $2) THEN now() ELSE t.window_start END
RETURNING key, attempts, extract(epoch FROM t.window_start + make_interval(secs => $2) - now()) AS remaining_s
"""


def account_key(tenant_code: str, email: str) -> str:
    return f"account:{tenant_code.strip().lower()}:{email.strip().lower()}"[:400]


def address_key(address: str) -> str:
    return f"address:{address}"[:400]


async def count_attempt(db: Database, limits: dict[str, int], window_s: int) -> int:
    """Count one attempt on every key; answer 0, or the seconds to wait when a key is over its limit."""
    keys = sorted(limits)  # a fixed order: no deadlock between concurrent attempts
    async with db.transaction() as tx:
        raw = await tx.raw()
        rows = await raw.fetch(_COUNT, keys, float(window_s))
    wait = 0.0
    for row in rows:
        if row["attempts"] > limits[row["key"]]:
            wait = max(wait, float(row["remaining_s"]))
    return max(1, math.ceil(wait)) if wait > 0 else 0


async def forgive(db: Database, account: str, address: str) -> None:
    async with db.transaction() as tx:
        raw = await tx.raw()
        await raw.execute("DELETE FROM login_throttle WHERE key = $1", account)
        await raw.execute("UPDATE login_throttle SET attempts = greatest(attempts - 1, 0) WHERE key = $1", address)


async def purge_expired(db: Database, window_s: int) -> int:
    async with db.transaction() as tx:
        raw = await tx.raw()
        status: str = await raw.execute(
            "DELETE FROM login_throttle WHERE window_start < now() - make_interval(secs => $1)", float(window_s)
        )
    return int(status.rsplit(" ", 1)[-1])
