"""Orders/s through the gateway and CPU milliseconds per request for each process of ONE running system.

Only the processes of the system under test are counted (the launcher's children found from the gateway's port,
and the PostgreSQL backends of its data directory), so other systems on the same machine do not skew the table.
CPU ms per request is steadier than requests/s on a shared machine: compare that, and repeat a run. PostgreSQL
backends are split by the service they serve (`postgres:orders`); plain `postgres` is its own background work.

    python -m bench.cpu_profile --base http://127.0.0.1:19100 --data-dir D [--seconds 10] [--clients 32]
        [--kind orders | --kind /api/orders?limit=50]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import time
from typing import Any

import aiohttp
import asyncpg

from salessync.demo import DEMO


def _cmdline(pid: str) -> str:
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        return f.read().replace(b"\0", b" ").decode(errors="replace")


def _stat(pid: str) -> tuple[int, int]:
    """(parent pid, user + system ticks)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[1]), int(fields[11]) + int(fields[12])


def processes(port: int, data_dir: str) -> dict[str, str]:
    """pid -> label for the system whose gateway listens on `port` and whose data lives in `data_dir`."""
    table: dict[str, tuple[str, int]] = {}
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                table[pid] = (_cmdline(pid), _stat(pid)[0])
            except OSError:
                continue
    launcher = next(
        (
            p
            for p, (cmd, _) in table.items()
            if re.search(r"salessync(\.cli\.main)? up ", cmd) and f"--port {port} " in cmd and "uvicorn" not in cmd
        ),
        None,
    )
    postmaster = next(
        (p for p, (cmd, _) in table.items() if cmd.split(" ")[0].endswith("/postgres") and data_dir in cmd), None
    )
    out: dict[str, str] = {}
    for pid, (cmd, ppid) in table.items():
        if pid == launcher:
            out[pid] = "launcher"  # it relays every service's log lines
        elif str(ppid) == launcher:
            m = re.search(r"(\w+)\.main:create_app", cmd)
            out[pid] = m.group(1) if m else ("nats" if "nats-server" in cmd else "launcher-child")
        elif pid == postmaster or str(ppid) == postmaster:
            out[pid] = "postgres"
    out[str(os.getpid())] = "loadgen"
    return out


async def label_backends(pids: dict[str, str], data_dir: str) -> None:
    """Name each PostgreSQL backend after the service it serves (`postgres:orders`); autovacuum, WAL writer
    and the like stay `postgres`."""
    try:
        conn = await asyncpg.connect(host=os.path.join(data_dir, "pg"), user="postgres", database="postgres")
    except (OSError, asyncpg.PostgresError):
        return
    try:
        for r in await conn.fetch("SELECT pid, application_name FROM pg_stat_activity WHERE pid <> pg_backend_pid()"):
            if str(r["pid"]) in pids and r["application_name"]:
                pids[str(r["pid"])] = f"postgres:{r['application_name']}"
    finally:
        await conn.close()


def ticks(pids: dict[str, str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for pid in pids:
        try:
            out[pid] = _stat(pid)[1]
        except OSError:
            continue
    return out


async def run(base: str, seconds: float, clients: int, kind: str, data_dir: str) -> None:
    port = int(base.rsplit(":", 1)[1].split("/")[0])
    async with aiohttp.ClientSession() as s:
        r = await s.post(
            f"{base}/api/auth/login",
            json={"tenant": "demo", "email": "manager@demo.example", "password": DEMO.password},
        )
        if r.status != 200:
            raise SystemExit(f"login answered {r.status}: is the system up yet? {await r.text()}")
        headers = {"Authorization": f"Bearer {(await r.json())['access_token']}"}
        rng = random.Random(1)
        done = 0
        errors: dict[int, int] = {}
        latencies: list[float] = []
        end = time.monotonic() + seconds

        async def worker() -> None:
            nonlocal done
            while time.monotonic() < end:
                t = time.perf_counter()
                if kind == "orders":
                    items = [
                        {"product_id": str(DEMO.product_id(p)), "quantity": 1}
                        for p in rng.sample(range(1, DEMO.product_count + 1), rng.randint(1, 4))
                    ]
                    body: dict[str, Any] = {
                        "customer_id": str(DEMO.customer_id(rng.randint(1, DEMO.customer_count))),
                        "items": items,
                        "credit_override": True,
                    }
                    async with s.post(f"{base}/api/orders", json=body, headers=headers) as a:
                        await a.read()
                        status = a.status
                else:
                    async with s.get(f"{base}{kind}", headers=headers) as a:
                        await a.read()
                        status = a.status
                latencies.append(time.perf_counter() - t)
                done += 1
                if status >= 300:
                    errors[status] = errors.get(status, 0) + 1

        pids = processes(port, data_dir)
        await label_backends(pids, data_dir)
        before = ticks(pids)
        t0 = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = time.monotonic() - t0
        after = ticks(pids)
    latencies.sort()
    p50 = latencies[len(latencies) // 2] * 1000
    p99 = latencies[int(len(latencies) * 0.99)] * 1000
    print(f"{done} requests, {done / elapsed:.1f}/s, p50 {p50:.1f} ms p99 {p99:.1f} ms errors {errors}")
    per_label: dict[str, int] = {}
    for pid, t in after.items():
        if pid in before:
            per_label[pids[pid]] = per_label.get(pids[pid], 0) + t - before[pid]
    hz = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for name, t in sorted(per_label.items(), key=lambda x: -x[1]):
        ms = t / hz / max(done, 1) * 1000
        total += ms
        print(f"  {name:10s} {t / hz / elapsed * 100:6.1f}% cpu  {ms:6.2f} ms/req")
    print(f"  {'total':10s} {'':13s}{total:6.2f} ms/req")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--base", default="http://127.0.0.1:19100")
    p.add_argument("--data-dir", required=True, help="the --data-dir the system was started with")
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--clients", type=int, default=32)
    p.add_argument("--kind", default="orders", help="'orders' (POST) or a path to GET")
    a = p.parse_args()
    asyncio.run(run(a.base, a.seconds, a.clients, a.kind, os.path.abspath(a.data_dir)))


if __name__ == "__main__":
    main()
