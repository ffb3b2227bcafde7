"""HTTP load from wrk (Debian's `wrk`, written in C), the tool TARGETS.md measured the original system with.

On this 2-core machine the load generator shares the cores with the system it loads: the Python generator of
`bench.common` spends 0.3-0.6 ms of CPU a request, wrk about 0.08, so wrk's figures are what the system itself
can do and compare with the reference's. When wrk is not installed, rows fall back to the Python generator;
each row says which one made it (`loadgen`).

Every run is bounded twice: `-d` seconds, and a request budget shared out over wrk's threads (a Lua `response`
stops a thread at its share). A Lua `done` prints one line, `WRK key=value ...`, which `run_wrk` parses:
requests, seconds, latency percentiles, socket errors, answers by status, and for order placements the numbers
seen twice and the answers without a number or lines.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.common import MAX_CONCURRENCY, MAX_DURATION_S, MAX_REQUESTS, check_loopback

THREADS = 2

# Shared by every script: the request budget, answers by status, and the summary line.
_COMMON = r"""
local budget = tonumber(os.getenv("WRK_BUDGET") or "0")
local threads = {}
answered, statuses, stopped_at = 0, {}, nil

-- Wall-clock seconds; Lua has none finer than os.time(). Read once per thread, when its budget is spent.
local function now()
  local p = io.popen("date +%s.%N")
  local t = tonumber(p:read("*l"))
  p:close()
  return t
end

function setup(thread)
  thread:set("id", #threads + 1)
  thread:set("started_at", now())
  table.insert(threads, thread)
end

function count(status)
  answered = answered + 1
  statuses[status] = (statuses[status] or 0) + 1
  if budget > 0 and answered >= budget and not stopped_at then
    stopped_at = now()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local by_status, dup, bad, seen = {}, 0, 0, {}
  -- wrk sleeps out -d even when every thread has spent its budget: then the run lasted until the last stop.
  local seconds, first, last = summary.duration / 1e6, nil, nil
  for _, t in ipairs(threads) do
    local started, stopped = t:get("started_at"), t:get("stopped_at")
    first = math.min(first or started, started)
    if stopped == nil then last = nil; break end
    last = math.max(last or stopped, stopped)
  end
  if last then seconds = math.min(seconds, last - first) end
  for _, t in ipairs(threads) do
    for status, n in pairs(t:get("statuses") or {}) do by_status[status] = (by_status[status] or 0) + n end
    for _, number in ipairs(t:get("numbers") or {}) do
      if seen[number] then dup = dup + 1 else seen[number] = true end
    end
    bad = bad + (t:get("bad") or 0)
  end
  local parts = {}
  for status, n in pairs(by_status) do table.insert(parts, status .. ":" .. n) end
  local e = summary.errors
  io.write(string.format(
    "WRK requests=%d seconds=%.3f p50=%.3f p95=%.3f p99=%.3f socket_errors=%d timeouts=%d statuses=%s duplicates=%d bad=%d\n",
    summary.requests, seconds, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, e.connect + e.read + e.write, e.timeout, table.concat(parts, ","), dup, bad))
end
"""

_FIXED = r"""
function init(args)
  wrk.method = method
  if body then wrk.body = body end
  for k, v in pairs(headers) do wrk.headers[k] = v end
end

function response(status, headers, body) count(status) end
"""

_ORDERS = r"""
numbers, bad = {}, 0

function init(args)
  math.randomseed(os.time() + id * 7919)
  for k, v in pairs(headers) do wrk.headers[k] = v end
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  local n, picked, items = math.random(1, 4), {}, {}
  while #items < n do
    local p = products[math.random(#products)]
    if not picked[p] then
      picked[p] = true
      table.insert(items, '{"product_id":"' .. p .. '","quantity":' .. math.random(1, 3) .. '}')
    end
  end
  local body = '{"customer_id":"' .. customers[math.random(#customers)] .. '","items":[' ..
    table.concat(items, ",") .. '],"credit_override":true}'
  return wrk.format("POST", path, nil, body)
end

function response(status, headers, body)
  count(status)
  if status == 201 then
    local number = body:match('"number"%s*:%s*"([^"]+)"')
    local lines = tonumber(body:match('"line_count"%s*:%s*(%d+)') or "0")
    if number and lines > 0 then table.insert(numbers, number) else bad = bad + 1 end
  end
end
"""


def available() -> str | None:
    return shutil.which("wrk")


def lua_string(text: str) -> str:
    """`text` as a Lua long string, whatever it holds (a closing bracket of the chosen level may not appear in it,
    nor be made by its last `]` and the closing one). Lua drops a first newline of a long string: none here."""
    level = 0
    while f"]{'=' * level}]" in text + "]":
        level += 1
    return f"[{'=' * level}[{text}]{'=' * level}]"


def _lua_table(values: Sequence[str] | dict[str, str]) -> str:
    if isinstance(values, dict):
        return "{" + ",".join(f"[ {lua_string(k)} ] = {lua_string(v)}" for k, v in values.items()) + "}"
    return "{" + ",".join(lua_string(v) for v in values) + "}"


def orders_script(path: str, headers: dict[str, str], products: Sequence[str], customers: Sequence[str]) -> str:
    """Random orders of 1-4 distinct products, quantity 1-3, for random customers, checked as they come back."""
    return (
        f"path = {lua_string(path)}\nheaders = {_lua_table(headers)}\n"
        f"products = {_lua_table(products)}\ncustomers = {_lua_table(customers)}\n" + _COMMON + _ORDERS
    )


def fixed_script(method: str, headers: dict[str, str], body: bytes | None = None) -> str:
    """The same request every time."""
    if body is not None:
        headers = {**headers, "Content-Type": "application/json"}
    text = f"method = {lua_string(method)}\nheaders = {_lua_table(headers)}\n"
    text += f"body = {lua_string(body.decode())}\n" if body is not None else "body = nil\n"
    return text + _COMMON + _FIXED


def parse(output: str) -> dict[str, Any]:
    """The `WRK ...` line of a run's output as a dict (numbers as numbers, statuses as {code: count})."""
    line = next((x for x in output.splitlines() if x.startswith("WRK ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary: {output[-400:]!r}")
    out: dict[str, Any] = {}
    for pair in line[4:].split():
        key, _, value = pair.partition("=")
        if key == "statuses":
            out[key] = {int(k): int(v) for k, v in (p.split(":") for p in value.split(",") if p)}
        else:
            out[key] = float(value) if "." in value else int(value)
    return out


async def run_wrk(
    name: str,
    url: str,
    script: str,
    *,
    connections: int,
    duration_s: float,
    requests: int | None,
    ok: tuple[int, ...],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """One bounded wrk run: the row `bench.run` writes (the Python generator's columns, and `loadgen`), and the
    parsed summary (`duplicates` and `bad` count what an order script checked)."""
    check_loopback(url)
    connections = max(THREADS, min(connections, MAX_CONCURRENCY))
    duration_s = min(duration_s, MAX_DURATION_S)
    budget = min(requests or MAX_REQUESTS, MAX_REQUESTS)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", prefix="bench-wrk-") as lua:
        lua.write(script)
        lua.flush()
        args = [available() or "wrk", f"-t{THREADS}", f"-c{connections}", f"-d{max(1, round(duration_s))}s"]
        args += ["--timeout", "10s", "-s", lua.name, url]
        proc = await asyncio.create_subprocess_exec(
            *args,
            env={**os.environ, "WRK_BUDGET": str(max(1, budget // THREADS))},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            cwd=Path(lua.name).parent,
        )
        try:
            out, _ = await asyncio.wait_for(proc.communicate(), timeout=duration_s + 60)
        except TimeoutError:
            proc.kill()
            await proc.wait()
            raise
    summary = parse(out.decode(errors="replace"))
    statuses: dict[int, int] = summary["statuses"]
    answered = sum(statuses.values())
    errors = answered - sum(n for status, n in statuses.items() if status in ok) + summary["socket_errors"]
    errors += summary["timeouts"] + summary["bad"]
    row: dict[str, Any] = {
        "name": name,
        "requests": summary["requests"],
        "req/s": round(summary["requests"] / summary["seconds"], 1) if summary["seconds"] else 0.0,
        "p50": round(summary["p50"], 2),
        "p95": round(summary["p95"], 2),
        "p99": round(summary["p99"], 2),
        "errors": errors,
        "concurrency": connections,
        "note": "",
        "loadgen": "wrk",
    }
    if set(statuses) - set(ok):
        row["statuses"] = ", ".join(f"{k} x{v}" for k, v in sorted(statuses.items()))
    return row, summary
