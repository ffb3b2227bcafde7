"""WebSocket latency of the notifier (TARGETS.md): `order:created` to 1 client (p50 < 5 ms, p99 < 15 ms) and
the last receipt of a fan-out to 1,000 clients (p99 < 100 ms).

- `python -m bench.bench_ws [--rounds N] [--clients C] [--processes P]`: standalone. Starts embedded PostgreSQL and NATS, the
  notifier alone (uvicorn, its own process, free 127.0.0.1 port, a test signing key), then from this process
  publishes `order.placed` events to JetStream as the orders relay would. Latency runs from the publish call
  (so it includes the acked publish) to the frame's receipt by the client.
- `async def run(ctx) -> list[dict]` for `python -m bench.run`: against the running demo system, the demo
  manager's sockets connected through the gateway's `/ws` as the apps connect, each round a real
  `POST /api/orders` through the gateway; latency runs from the POST's answer to the receipt (the outbox relay,
  the stream, the notifier and the gateway's tunnel are inside it). When the system cannot place an order, it
  falls back to the standalone measurement.
The fan-out's sockets live in P client processes (bench/ws_clients.py, bare asyncio protocols): one process
of `websockets` clients spent more CPU receiving than the notifier spent sending, and measured itself.
Every wait is bounded; clients connect to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import websockets

from salessync.embedded import EmbeddedNats, EmbeddedPostgres, free_port, wait_for_port
from salessync.events import encode_event, new_event
from salessync.migrations import upgrade
from salessync.nats import connect, ensure_stream
from salessync.registry import discover
from salessync.testing.tokens import TestKeys

ROOT = Path(__file__).resolve().parents[1]
Trigger = Callable[[int], Awaitable[tuple[str, float]]]  # round -> (order number, t0 on perf_counter)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def row(name: str, latencies_ms: list[float], errors: int, note: str) -> dict[str, Any]:
    return {
        "name": name,
        "requests": len(latencies_ms),
        "p50": round(percentile(latencies_ms, 50), 2),
        "p95": round(percentile(latencies_ms, 95), 2),
        "p99": round(percentile(latencies_ms, 99), 2),
        "errors": errors,
        "note": note,
    }


class Client:
    """One authenticated socket that timestamps every `order:created` it receives, by order number.

    Without permessage-deflate: compressing every 300-byte frame per socket costs more than it saves on loopback.
    """

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.seen: dict[str, float] = {}
        self.waiters: dict[str, asyncio.Future[float]] = {}
        self.task = asyncio.create_task(self._read())

    @classmethod
    async def open(cls, ws_url: str, token: str) -> Client:
        ws = await websockets.connect(ws_url, open_timeout=10, max_size=None, ping_interval=None, compression=None)
        await ws.send(orjson.dumps({"event": "auth", "data": {"token": token, "last_id": None}}).decode())
        ready = orjson.loads(await asyncio.wait_for(ws.recv(), 10))
        if ready.get("event") != "ready":
            raise RuntimeError(f"socket not ready: {ready}")
        return cls(ws)

    async def _read(self) -> None:
        async for text in self.ws:
            at = time.perf_counter()
            if '"order:created"' not in text:
                continue
            number = orjson.loads(text)["data"].get("number")
            self.seen[number] = at
            waiter = self.waiters.pop(number, None)
            if waiter is not None and not waiter.done():
                waiter.set_result(at)

    async def receipt(self, number: str, timeout: float) -> float:
        if number in self.seen:
            return self.seen[number]
        future = self.waiters.setdefault(number, asyncio.get_running_loop().create_future())
        return await asyncio.wait_for(future, timeout)

    async def close(self) -> None:
        self.task.cancel()
        await self.ws.close()


def split(total: int, parts: int) -> list[int]:
    return [n for n in (total // parts + (1 if i < total % parts else 0) for i in range(parts)) if n > 0]


class Workers:
    """One client process of bench/ws_clients.py: its sockets, and the last receipt of each order among them."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.pid = proc.pid

    @classmethod
    async def start(cls, ws_url: str, token: str, count: int) -> Workers:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.ws_clients", ws_url, token, str(count),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, cwd=ROOT,
        )  # fmt: skip
        workers = cls(proc)
        line = await asyncio.wait_for(proc.stdout.readline(), 120)  # type: ignore[union-attr]
        if line.strip() != b"ready":
            await workers.stop()
            raise RuntimeError(f"client process not ready: {line[:200]!r}")
        return workers

    async def receipt(self, number: str) -> float:
        self.proc.stdin.write(f"{number}\n".encode())  # type: ignore[union-attr]
        line = (await asyncio.wait_for(self.proc.stdout.readline(), 15)).decode().split()  # type: ignore[union-attr]
        if len(line) != 2 or line[0] != number or line[1] == "timeout":
            raise TimeoutError(f"not every socket received {number}: {line}")
        return float(line[1])

    async def stop(self) -> None:
        if self.proc.returncode is None:
            self.proc.stdin.close()  # type: ignore[union-attr]
            try:
                await asyncio.wait_for(self.proc.wait(), 10)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()


def cpu_s(pid: int | None) -> float:
    """CPU seconds (user + system) of a process so far, from /proc (0 when unknown)."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def measure(
    ws_url: str,
    token: str,
    trigger: Trigger,
    *,
    rounds: int,
    clients: int,
    processes: int = 2,
    server_pid: int | None = None,
) -> list[dict[str, Any]]:
    """The 1-client row (`rounds` orders), then the fan-out row (a fifth as many)."""
    one = await Client.open(ws_url, token)
    latencies, errors = [], 0
    for n in range(rounds):
        try:
            number, t0 = await trigger(n)
            latencies.append(max(0.0, (await one.receipt(number, 5.0)) - t0) * 1000)
        except Exception:
            errors += 1
    await one.close()
    first = row("order:created to 1 WebSocket client", latencies[5:], errors, "first 5 rounds are warm-up")
    fan = await fan_out(ws_url, token, trigger, start=rounds, fanouts=max(5, rounds // 5), clients=clients,
                        processes=processes, server_pid=server_pid)  # fmt: skip
    return [first, fan]


async def fan_out(
    ws_url: str,
    token: str,
    trigger: Trigger,
    *,
    start: int,
    fanouts: int,
    clients: int,
    processes: int = 2,
    server_pid: int | None = None,
) -> dict[str, Any]:
    """`fanouts` orders, each timed to its last receipt among `clients` sockets."""
    workers = await asyncio.gather(*(Workers.start(ws_url, token, n) for n in split(clients, processes)))
    last, errors, first_error = [], 0, ""
    server_cpu, own_cpu = cpu_s(server_pid), sum(cpu_s(w.pid) for w in workers)
    for n in range(fanouts):
        try:
            number, t0 = await trigger(start + n)
            receipts = await asyncio.gather(*(w.receipt(number) for w in workers))
            last.append((max(receipts) - t0) * 1000)
        except Exception as exc:
            errors += 1
            first_error = first_error or f"{type(exc).__name__}: {exc}"[:200]
    server_cpu, own_cpu = cpu_s(server_pid) - server_cpu, sum(cpu_s(w.pid) for w in workers) - own_cpu
    await asyncio.gather(*(w.stop() for w in workers), return_exceptions=True)
    note = (
        f"{clients} sockets in {processes} client processes; CPU per fan-out: clients {own_cpu / fanouts * 1000:.0f} ms"
    )
    if server_pid is not None:
        note += f", notifier {server_cpu / fanouts * 1000:.0f} ms"
    if first_error:
        note += f"; first error: {first_error}"
    return row(f"order:created fan-out to {clients} clients (last receipt)", last, errors, note)


# -- standalone: the notifier alone, events published to JetStream directly ----------------------------------------
@contextmanager
def notifier_alone(keys: TestKeys) -> Iterator[tuple[str, str, int]]:
    """Embedded PostgreSQL + NATS + the notifier in its own uvicorn process; yields (ws url, nats url)."""
    with tempfile.TemporaryDirectory(prefix="ss-bws-", dir="/tmp") as tmp:
        pg, nats = EmbeddedPostgres(Path(tmp) / "pg"), EmbeddedNats(Path(tmp) / "nats", free_port())
        pg.start()
        nats.start()
        proc = None
        try:
            url = pg.create_database("bench_notifier")
            upgrade(next(s for s in discover() if s.name == "notifier").service_dir, url)
            port = free_port()
            env = {
                **os.environ,
                "NOTIFIER_DATABASE__URL": url,
                "NOTIFIER_NATS__URL": nats.url,
                "NOTIFIER_AUTH__JWKS_JSON": keys.jwks_json(),
                "NOTIFIER_LOG_LEVEL": "WARNING",
                "NOTIFIER_WS__SEND_QUEUE": "1024",
            }
            command = [sys.executable, "-m", "uvicorn", "--factory", "notifier.main:create_app", "--host", "127.0.0.1",
                       "--port", str(port), "--log-level", "warning", "--no-access-log",
                       "--ws-per-message-deflate", "false"]  # fmt: skip
            proc = subprocess.Popen(command, env=env, cwd=ROOT)
            if not wait_for_port(port, 60):
                raise RuntimeError("the notifier did not start")
            yield f"ws://127.0.0.1:{port}/ws", nats.url, proc.pid
        finally:
            if proc is not None:
                proc.terminate()
                proc.wait(15)
            nats.stop()
            pg.stop()


async def standalone(rounds: int, clients: int, processes: int = 2) -> list[dict[str, Any]]:
    keys = TestKeys()
    tenant, manager = uuid.uuid4(), uuid.uuid4()
    token = keys.mint(user_id=manager, tenant_id=tenant, role="manager", ttl_s=3600)
    with notifier_alone(keys) as (ws_url, nats_url, pid):
        nc = await connect(nats_url, "bench")
        js = nc.jetstream()
        await ensure_stream(js)

        async def publish(n: int) -> tuple[str, float]:
            number = f"ORD-BENCH-{n:06d}"
            payload = {"order_id": str(uuid.uuid4()), "number": number, "salesman_id": str(uuid.uuid4()),
                       "customer_id": str(uuid.uuid4()), "total": "25.82", "status": "pending", "lines": []}  # fmt: skip
            event = new_event("order.placed", tenant_id=tenant, aggregate_id=payload["order_id"], payload=payload,
                              producer="bench")  # fmt: skip
            t0 = time.perf_counter()
            await js.publish(event.subject, encode_event(event), headers={"Nats-Msg-Id": event.event_id})
            return number, t0

        try:
            rows = await measure(
                ws_url, token, publish, rounds=rounds, clients=clients, processes=processes, server_pid=pid
            )
        finally:
            await nc.close()
    for r in rows:
        r["note"] = f"{r['note']}; notifier alone, from the JetStream publish call"
    return rows


# -- through the running system: a real POST /api/orders ---------------------------------------------------------
async def run(ctx: Any) -> list[dict[str, Any]]:
    rounds = int(getattr(ctx, "requests", None) or 200)
    rounds = max(20, min(rounds, 500))
    try:
        return await _through_the_system(ctx, rounds)
    except Exception as exc:
        rows = await standalone(rounds, 1000)
        for r in rows:
            r["note"] += f" (system run failed: {type(exc).__name__})"
        return rows


async def _through_the_system(ctx: Any, rounds: int) -> list[dict[str, Any]]:
    from salessync.demo import DEMO

    token = await ctx.login(DEMO.user("manager").email)
    ws_url = ctx.url("/ws").replace("http://", "ws://")  # as the apps connect: through the gateway

    # Its own connections, let go after 2 s idle: the gateway closes idle keep-alive connections after 5 s, and
    # the shared session's would be stale after the sockets take their time to connect.
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=4, keepalive_timeout=2.0))

    async def place(n: int) -> tuple[str, float]:
        body = {"customer_id": str(DEMO.customer_id(1 + n % 50)), "credit_override": True,
                "items": [{"product_id": str(DEMO.product_id(1 + n % 100)), "quantity": 1}]}  # fmt: skip
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": f"bench-ws-{uuid.uuid4()}"}
        async with session.post(ctx.url("/api/orders"), json=body, headers=headers) as answer:
            data = await answer.read()
            t0 = time.perf_counter()
        if answer.status != 201:
            raise RuntimeError(f"order not placed: {answer.status} {data[:200]!r}")
        return str(orjson.loads(data)["number"]), t0

    try:
        rows = await measure(ws_url, token, place, rounds=rounds, clients=1000)
        for r in rows:
            r["note"] = f"{r['note']}; from the POST /api/orders answer, sockets through the gateway"
        if "notifier" in ctx.ports:  # the same without the gateway's hop: what the notifier itself achieves
            direct = f"ws://127.0.0.1:{ctx.ports['notifier']}/ws"
            fan = await fan_out(direct, token, place, start=2 * rounds, fanouts=max(5, rounds // 5), clients=1000)
            fan["note"] += "; from the POST /api/orders answer, sockets on the notifier's own port"
            rows.append(fan)
    finally:
        await session.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_ws", description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=200, help="orders for the 1-client row (fan-out: a fifth)")
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--processes", type=int, default=2, help="client processes sharing the fan-out sockets")
    args = parser.parse_args()
    rows = asyncio.run(
        asyncio.wait_for(
            standalone(min(args.rounds, 2000), min(args.clients, 5000), max(1, min(args.processes, 8))), timeout=600
        )
    )
    for r in rows:
        print(f"{r['name']}: n={r['requests']} p50={r['p50']} ms p95={r['p95']} ms p99={r['p99']} ms "
              f"errors={r['errors']} ({r['note']})")  # fmt: skip


if __name__ == "__main__":
    main()
