"""`make bench`: start SalesSync with the demo data on free ports in a temp dir (the same launcher as
`salessync up`), run every `bench/bench_*.py` module's `async def run(ctx) -> list[dict]`, and write the rows to
`bench/results/<date>.md`. Load goes to 127.0.0.1 only and every load is bounded in requests and time.

    python -m bench.run [--duration 10] [--concurrency 32] [--requests N] [--only NAME,...] [--url URL]
                        [--loadgen auto|wrk|python] [--repeat 3]

`--url` measures a system that is already running (e.g. `salessync up`) instead of starting one. `--loadgen`:
the baseline and the order rows come from wrk when it is installed (`auto`, see bench/wrk.py), the other rows
from the Python generator; every row says which made it. `--repeat`: the order rows run that many times in
turn and each reports its median run, with every run's req/s and p99 in its note (the machine's speed moves by a
fifth between runs of the same code).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import pkgutil
import platform
import subprocess
import sys
import time
import traceback
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import wrk
from bench.common import BenchContext, check_loopback, http_call, new_session, run_load
from salessync.cli.background import running_system

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
COLUMNS = ("requests", "req/s", "p50", "p95", "p99", "errors")
ALIASES = {"req/s": ("req/s", "rps"), "p50": ("p50", "p50_ms"), "p95": ("p95", "p95_ms"), "p99": ("p99", "p99_ms")}


def bench_modules(only: Sequence[str] = ()) -> list[str]:
    names = sorted(m.name for m in pkgutil.iter_modules([str(HERE)]) if m.name.startswith("bench_"))
    if only:
        names = [n for n in names if n in only or n.removeprefix("bench_") in only]
    return names


def cell(row: dict[str, Any], column: str) -> str:
    for key in ALIASES.get(column, (column,)):
        if key in row and row[key] is not None:
            return str(row[key])
    return ""


def extra(row: dict[str, Any]) -> str:
    known = {"name", *(k for c in COLUMNS for k in ALIASES.get(c, (c,)))}
    return "; ".join(f"{k}={v}" for k, v in row.items() if k not in known and v not in (None, ""))


def markdown(sections: list[tuple[str, list[dict[str, Any]]]], header: str) -> str:
    lines = [header, "", "| module | work | " + " | ".join(COLUMNS) + " | notes |", "|---" * (len(COLUMNS) + 3) + "|"]
    for module, rows in sections:
        for row in rows:
            cells = [module, str(row.get("name", "")), *(cell(row, c) for c in COLUMNS), extra(row)]
            lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def git_commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE)
        return out.stdout.strip() or "unknown"
    except OSError:
        return "unknown"


async def baseline(ctx: BenchContext) -> list[dict[str, Any]]:
    """The floor every other row stands on: the gateway's /health (no auth, no upstream)."""
    if "gateway" not in ctx.ports:
        return []
    name, duration_s = "GET /health (gateway, no upstream)", min(ctx.duration_s, 5.0)
    if ctx.loadgen == "wrk":
        row, _ = await wrk.run_wrk(name, ctx.url("/health"), wrk.fixed_script("GET", {}), connections=ctx.concurrency,
                                   duration_s=duration_s, requests=ctx.requests, ok=(200,))  # fmt: skip
        return [row]
    call = http_call("GET", ctx.url("/health"))
    result = await run_load(name, call, ctx.session, concurrency=ctx.concurrency, duration_s=duration_s,
                            requests=ctx.requests, warmup=50)  # fmt: skip
    return [{**result.row(), "loadgen": "python"}]


async def run_all(base_url: str, ports: dict[str, int], args: argparse.Namespace) -> list[tuple[str, list[dict]]]:
    check_loopback(base_url)
    sections: list[tuple[str, list[dict[str, Any]]]] = []
    async with new_session(args.concurrency) as session:
        ctx = BenchContext(
            base_url,
            ports,
            session,
            args.duration,
            args.concurrency,
            requests=args.requests,
            loadgen=args.loadgen,
            repeat=args.repeat,
        )
        sections.append(("baseline", await baseline(ctx)))
        for name in bench_modules(args.only):
            started = time.monotonic()
            print(f"bench: {name} ...", flush=True)
            try:
                module = importlib.import_module(f"bench.{name}")
                rows = await asyncio.wait_for(module.run(ctx), timeout=args.module_timeout)
            except Exception as exc:
                traceback.print_exc()
                rows = [{"name": "(failed)", "error": f"{type(exc).__name__}: {exc}"}]
            print(f"bench: {name} done in {time.monotonic() - started:.0f} s", flush=True)
            sections.append((name.removeprefix("bench_"), list(rows)))
    return sections


def write_results(sections: list[tuple[str, list[dict[str, Any]]]], args: argparse.Namespace, target: str) -> Path:
    RESULTS.mkdir(exist_ok=True)
    now = datetime.now(UTC)
    path = RESULTS / f"{now:%Y-%m-%d}.md"
    header = (
        f"## {now:%Y-%m-%d %H:%M} UTC, commit {git_commit()}\n\n"
        f"{target}; {os.cpu_count()} CPUs, Python {platform.python_version()}; load from one process on 127.0.0.1, "
        f"{args.concurrency} connections, at most {args.duration:g} s per row. Latencies in ms. "
        f"Load generator: {'wrk for the baseline and order rows, Python for the others' if args.loadgen == 'wrk' else 'Python'}."
    )
    text = markdown(sections, header)
    if not path.exists():
        text = f"# Benchmarks of {now:%Y-%m-%d}\n\nCompare runs on the same machine only.\n\n" + text
    else:
        text = "\n" + text
    with path.open("a") as out:
        out.write(text)
    return path


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per row (at most 60)")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--requests", type=int, default=None, help="at most this many requests per row")
    parser.add_argument("--only", type=lambda s: [x for x in s.split(",") if x], default=[], help="module names")
    parser.add_argument("--module-timeout", type=float, default=600.0, help="seconds per bench module")
    parser.add_argument("--url", default=None, help="an already running gateway (127.0.0.1) instead of starting one")
    parser.add_argument("--loadgen", choices=("auto", "wrk", "python"), default="auto", help="see bench/wrk.py")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each order row, reported by the median")
    args = parser.parse_args(argv)
    if args.loadgen == "auto":
        args.loadgen = "wrk" if wrk.available() else "python"
    elif args.loadgen == "wrk" and not wrk.available():
        parser.error("--loadgen wrk: wrk is not installed (Debian's package `wrk`)")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    if args.url:
        check_loopback(args.url)
        sections = asyncio.run(run_all(args.url.rstrip("/"), {"gateway": int(args.url.rsplit(":", 1)[1])}, args))
        target = f"an already running system at {args.url}"
    else:
        print("bench: starting SalesSync (embedded PostgreSQL and NATS, demo data) ...", flush=True)
        # One client address and a handful of tokens make the whole load: the gateway's per-user and
        # per-address limits would measure themselves, not the system.
        with running_system(seed=True, env={"GATEWAY_RATE_LIMIT__ENABLED": "false"}) as system:
            print(f"bench: up at {system.base_url} with {', '.join(system.ports)}", flush=True)
            sections = asyncio.run(run_all(system.base_url, system.ports, args))
        target = f"`salessync up` on the embedded default with {', '.join(system.ports)}"
    path = write_results(sections, args, target)
    print(path.read_text().rsplit("\n## ", 1)[-1] if path.exists() else "")
    print(f"bench: results written to {path.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
