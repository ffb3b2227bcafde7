"""What bench modules share: the context handed to `async def run(ctx) -> list[dict]`, and a bounded load helper
(N concurrent workers for D seconds or R requests over one aiohttp session, latency percentiles).

A bench module looks like:

    async def run(ctx: BenchContext) -> list[dict]:
        headers = await ctx.auth_headers("admin@demo.example")
        result = await ctx.load("GET /api/products (page of 50)", "GET", "/api/products?page=1&limit=50",
                                headers=headers)
        return [result.row()]
"""

from __future__ import annotations

import asyncio
import math
import subprocess
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import aiohttp
import orjson

from salessync.demo import DEMO

MAX_DURATION_S = 60.0
MAX_REQUESTS = 200_000
MAX_CONCURRENCY = 256
LOOPBACK = {"127.0.0.1", "localhost", "::1"}

Call = Callable[[aiohttp.ClientSession], Awaitable[bool]]


def percentile(sorted_ms: list[float], q: float) -> float:
    """Nearest-rank percentile of already sorted values (0 when empty)."""
    if not sorted_ms:
        return 0.0
    rank = max(1, math.ceil(q / 100 * len(sorted_ms)))
    return sorted_ms[min(rank, len(sorted_ms)) - 1]


@dataclass
class LoadResult:
    name: str
    requests: int
    errors: int
    elapsed_s: float
    latencies_ms: list[float] = field(repr=False, default_factory=list)
    concurrency: int = 1
    note: str = ""

    def row(self) -> dict[str, Any]:
        ordered = sorted(self.latencies_ms)
        return {
            "name": self.name,
            "requests": self.requests,
            "req/s": round(self.requests / self.elapsed_s, 1) if self.elapsed_s > 0 else 0.0,
            "p50": round(percentile(ordered, 50), 2),
            "p95": round(percentile(ordered, 95), 2),
            "p99": round(percentile(ordered, 99), 2),
            "errors": self.errors,
            "concurrency": self.concurrency,
            "note": self.note,
        }


def check_loopback(url: str) -> None:
    host = urlparse(url).hostname or ""
    if host not in LOOPBACK:
        raise ValueError(f"benchmarks load 127.0.0.1 only, not {host!r}")


async def run_load(
    name: str,
    call: Call,
    session: aiohttp.ClientSession,
    *,
    concurrency: int = 32,
    duration_s: float = 10.0,
    requests: int | None = None,
    warmup: int = 0,
) -> LoadResult:
    """`concurrency` workers call `call(session)` (True = success) until `duration_s` passes or `requests` are
    done, whichever comes first; both are capped (MAX_DURATION_S, MAX_REQUESTS, MAX_CONCURRENCY)."""
    concurrency = max(1, min(concurrency, MAX_CONCURRENCY))
    duration_s = min(duration_s, MAX_DURATION_S)
    budget = min(requests or MAX_REQUESTS, MAX_REQUESTS)
    for _ in range(warmup):
        await call(session)
    latencies: list[float] = []
    errors = 0
    issued = 0
    started = time.perf_counter()
    deadline = started + duration_s

    async def worker() -> None:
        nonlocal errors, issued
        while issued < budget and time.perf_counter() < deadline:
            issued += 1
            t0 = time.perf_counter()
            try:
                ok = await call(session)
            except (aiohttp.ClientError, TimeoutError):
                ok = False
            latencies.append((time.perf_counter() - t0) * 1000)
            if not ok:
                errors += 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return LoadResult(name, len(latencies), errors, time.perf_counter() - started, latencies, concurrency)


def http_call(
    method: str, url: str, *, headers: dict[str, str] | None = None, json: Any = None, ok: tuple[int, ...] = (200,)
) -> Call:
    """A request whose answer is read in full; success when its status is in `ok`."""
    check_loopback(url)
    body = orjson.dumps(json) if json is not None else None
    all_headers = {**(headers or {}), **({"Content-Type": "application/json"} if body is not None else {})}

    async def call(session: aiohttp.ClientSession) -> bool:
        async with session.request(method, url, data=body, headers=all_headers) as answer:
            await answer.read()
            return answer.status in ok

    return call


@dataclass
class BenchContext:
    """Handed to every bench module: where the system is, a shared session, logins, and the load helper."""

    base_url: str  # the gateway
    ports: dict[str, int]
    session: aiohttp.ClientSession
    duration_s: float = 10.0
    concurrency: int = 32
    requests: int | None = None  # a cap per row, when given
    tokens: dict[str, str] = field(default_factory=dict)
    loadgen: str = "python"  # or "wrk" (bench.wrk), for the rows that can use it
    repeat: int = 1  # runs of a noisy row (the order rows), reported by their median

    def url(self, path: str, service: str | None = None) -> str:
        base = self.base_url if service is None else f"http://127.0.0.1:{self.ports[service]}"
        return base + path

    async def login(self, email: str, password: str = DEMO.password, tenant: str = DEMO.code) -> str:
        if email not in self.tokens:
            async with self.session.post(
                self.url("/api/auth/login"), json={"tenant": tenant, "email": email, "password": password}
            ) as answer:
                body = await answer.json(loads=orjson.loads)
                if answer.status != 200:
                    raise RuntimeError(f"login of {email} failed: {answer.status} {body}")
                self.tokens[email] = body["access_token"]
        return self.tokens[email]

    async def auth_headers(self, email: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {await self.login(email)}"}

    async def load(
        self,
        name: str,
        method: str,
        path: str,
        *,
        service: str | None = None,
        headers: dict[str, str] | None = None,
        json: Any = None,
        ok: tuple[int, ...] = (200,),
        concurrency: int | None = None,
        duration_s: float | None = None,
        requests: int | None = None,
    ) -> LoadResult:
        call = http_call(method, self.url(path, service), headers=headers, json=json, ok=ok)
        return await run_load(
            name,
            call,
            self.session,
            concurrency=concurrency or self.concurrency,
            duration_s=duration_s or self.duration_s,
            requests=requests,
            warmup=min(50, concurrency or self.concurrency),
        )

    async def load_call(self, name: str, call: Call, **kwargs: Any) -> LoadResult:
        kwargs.setdefault("concurrency", self.concurrency)
        kwargs.setdefault("duration_s", self.duration_s)
        return await run_load(name, call, self.session, **kwargs)


async def wait_ready(
    url: str, proc: subprocess.Popen[bytes], *, timeout_s: float = 30.0, ready_below: int = 300
) -> None:
    """Poll `url` until it answers below `ready_below`, failing at once if `proc` exits, or after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    async with aiohttp.ClientSession() as session:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the process behind {url} exited with {proc.returncode}")
            try:
                async with session.get(url) as answer:
                    if answer.status < ready_below:
                        return
            except aiohttp.ClientError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} was not ready within {timeout_s:.0f} s")
            await asyncio.sleep(0.1)


def new_session(concurrency: int) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(limit=max(concurrency, MAX_CONCURRENCY), ttl_dns_cache=300)
    return aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30))
