"""Token buckets per key (a user id or a client address).

The buckets live in this process: with N gateway replicas a client gets up to N times the configured rate
(a load balancer with sticky addresses keeps it close to 1x). A shared store (Redis, NATS KV) would make the
limit global at the cost of one round trip per request; not worth it for an abuse brake.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable


class TokenBuckets:
    def __init__(
        self, rate: float, burst: int, *, max_keys: int = 100_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = float(burst)
        self.max_keys = max_keys
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, last refill time)

    def take(self, key: str) -> float:
        """Take one token for `key`: 0.0 when allowed, else the seconds until a token is available."""
        now = self.clock()
        tokens, last = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if tokens >= 1.0:
            if len(self._buckets) >= self.max_keys and key not in self._buckets:
                self._evict_idle(now)
            self._buckets[key] = (tokens - 1.0, now)
            return 0.0
        self._buckets[key] = (tokens, now)
        return (1.0 - tokens) / self.rate

    def _evict_idle(self, now: float) -> None:
        """Forget buckets that have refilled completely (they behave like new ones); all if none has."""
        full_after = self.burst / self.rate
        idle = [k for k, (_, last) in self._buckets.items() if now - last >= full_after]
        for key in idle:
            del self._buckets[key]
        if len(self._buckets) >= self.max_keys:
            self._buckets.clear()

    def __len__(self) -> int:
        return len(self._buckets)


def retry_after(wait_s: float) -> str:
    """The `Retry-After` header value: whole seconds, at least 1."""
    return str(max(1, math.ceil(wait_s)))
