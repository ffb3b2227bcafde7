"""The gateway's forwarding cost: what one hop through it adds (issue 4; TARGETS.md's gateway CPU per request).

`python -m bench.bench_gateway [--requests N] [--concurrency C]` starts a tiny upstream app (one fixed ~2 KB
JSON answer, no database) and the gateway in front of it, each with uvicorn in its own process on a free
127.0.0.1 port, then loads them from this process with C concurrent keep-alive clients for N requests: first
the upstream directly (the baseline), then through the gateway (its aiohttp session), with a verified EdDSA
access token on every request (the token cache is warm after the first).
It prints req/s, p50/p95/p99 latency, errors and the gateway's CPU time per request (from /proc).

`async def run(ctx) -> list[dict]` is the same for the shared bench runner; `ctx` may carry `requests`,
`concurrency` (attributes or keys) and is otherwise ignored.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aiohttp
import orjson

from bench.common import wait_ready
from salessync.embedded import free_port
from salessync.testing.tokens import TestKeys

ROOT = Path(__file__).resolve().parents[1]
PATH = "/api/products"
BODY = orjson.dumps(
    {
        "items": [{"id": f"{i:08d}", "code": f"P-{i}", "name": f"Product {i}", "price": "12.50"} for i in range(25)],
        "page": 1,
        "limit": 25,
        "total": 25,
        "pages": 1,
    }
)
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


async def upstream_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The cheapest possible service: a fixed JSON page, so the numbers show the gateway's share."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": BODY})


def _uvicorn(target: str, port: int, env: dict[str, str], *, factory: bool = False) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-m", "uvicorn", target, "--host", "127.0.0.1", "--port", str(port)]
    args += ["--no-access-log", "--log-level", "warning", "--lifespan", "on", "--no-proxy-headers"]
    if factory:
        args.append("--factory")
    return subprocess.Popen(args, cwd=ROOT, env={**os.environ, **env})


@contextmanager
def _process(proc: subprocess.Popen[bytes]) -> Iterator[subprocess.Popen[bytes]]:
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def _percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(q * len(sorted_values)) - 1))
    return sorted_values[index]


async def load(url: str, headers: dict[str, str], *, requests: int, concurrency: int) -> dict[str, Any]:
    """`requests` GETs of `url` from `concurrency` keep-alive clients; latency in ms."""
    latencies: list[float] = []
    errors = 0
    remaining = requests
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:

        async def client() -> None:
            nonlocal remaining, errors
            while remaining > 0:
                remaining -= 1
                started = time.perf_counter()
                try:
                    async with session.get(url) as response:
                        await response.read()
                        if response.status != 200:
                            errors += 1
                except aiohttp.ClientError:
                    errors += 1
                latencies.append((time.perf_counter() - started) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": requests,
        "concurrency": concurrency,
        "rps": round(requests / elapsed, 1),
        "p50_ms": round(_percentile(latencies, 0.50), 2),
        "p95_ms": round(_percentile(latencies, 0.95), 2),
        "p99_ms": round(_percentile(latencies, 0.99), 2),
        "errors": errors,
    }


async def bench(requests: int, concurrency: int) -> list[dict[str, Any]]:
    keys = TestKeys()
    headers = {"Authorization": f"Bearer {keys.mint(role='manager', ttl_s=3600)}"}
    warmup = max(200, requests // 10)
    rows: list[dict[str, Any]] = []
    upstream_port = free_port()
    upstream_url = f"http://127.0.0.1:{upstream_port}"
    with _process(_uvicorn("bench.bench_gateway:upstream_app", upstream_port, {})) as upstream:
        await wait_ready(upstream_url + PATH, upstream, timeout_s=20, ready_below=500)
        await load(upstream_url + PATH, {}, requests=warmup, concurrency=concurrency)
        direct = await load(upstream_url + PATH, {}, requests=requests, concurrency=concurrency)
        rows.append({"name": "upstream directly (no gateway)", **direct})
        port = free_port()
        env = {
            "GATEWAY_UPSTREAMS__CATALOG": upstream_url,
            "GATEWAY_AUTH__JWKS_JSON": keys.jwks_json(),
            "GATEWAY_RATE_LIMIT__ENABLED": "false",
            "GATEWAY_LOG_LEVEL": "WARNING",
        }
        url = f"http://127.0.0.1:{port}"
        with _process(_uvicorn("gateway.main:create_app", port, env, factory=True)) as gateway:
            await wait_ready(url + "/health", gateway, timeout_s=20, ready_below=500)
            await load(url + PATH, headers, requests=warmup, concurrency=concurrency)
            cpu_before = _cpu_seconds(gateway.pid)
            result = await load(url + PATH, headers, requests=requests, concurrency=concurrency)
            cpu_ms = (_cpu_seconds(gateway.pid) - cpu_before) * 1000 / requests
        rows.append({"name": "through the gateway", **result, "gateway_cpu_ms": cpu_ms})
    for row in rows:
        if "gateway_cpu_ms" in row:
            row["gateway_cpu_ms"] = round(row["gateway_cpu_ms"], 3)
    return rows


def _setting(ctx: Any, name: str, default: int) -> int:
    if isinstance(ctx, dict):
        return int(ctx.get(name, default))
    return int(getattr(ctx, name, default) or default)


async def run(ctx: Any = None) -> list[dict[str, Any]]:
    """Entry point of the shared bench runner."""
    return await bench(_setting(ctx, "requests", 10_000), _setting(ctx, "concurrency", 32))


def _print(rows: list[dict[str, Any]]) -> None:
    print(f"{'':<42} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7} {'gw CPU ms/req':>14}")
    for row in rows:
        cpu = row.get("gateway_cpu_ms")
        print(
            f"{row['name']:<42} {row['rps']:>8} {row['p50_ms']:>8} {row['p95_ms']:>8} {row['p99_ms']:>8}"
            f" {row['errors']:>7} {'' if cpu is None else cpu:>14}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    rows = asyncio.run(bench(args.requests, args.concurrency))
    print(f"gateway forwarding, {args.requests} GET {PATH} at {args.concurrency} connections, 127.0.0.1")
    _print(rows)


if __name__ == "__main__":
    main()
