"""`salessync up`: PostgreSQL and NATS, one database per service, migrations, the demo seed, the services in
start order, a readiness wait, the URLs and demo logins, then supervision until Ctrl-C or SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Mapping, Sequence

from salessync.demo import DEMO
from salessync.embedded import port_in_use
from salessync.registry import ServiceSpec, discover

from .plan import LauncherError, Options, RunState, service_env, service_ports, startable
from .stack import Stack, stop_leftover_nats
from .supervisor import Child, Supervisor

log = logging.getLogger("salessync.launcher")


def run_up(
    options: Options, specs: Sequence[ServiceSpec] | None = None, environ: Mapping[str, str] | None = None
) -> int:
    """Run until stopped; 0 after a clean stop, LauncherError (one line) on any failure before that."""
    environ = os.environ if environ is None else environ
    registered = discover()
    to_start = startable(registered) if specs is None else sorted(specs, key=lambda s: s.start_order)
    ports = service_ports([*registered, *to_start], options.port, environ)
    running = RunState.read(options.data_dir)
    if running is not None:
        raise LauncherError(f"already running on {options.data_dir} (pid {running.pid})")
    stale = RunState.read_any(options.data_dir)
    if stale is not None and stale.extra.get("nats_pid", "").isdigit():
        stop_leftover_nats(int(stale.extra["nats_pid"]), options.nats_dir)
    for spec in to_start:
        if port_in_use(ports[spec.name]):
            raise LauncherError(f"port {ports[spec.name]} ({spec.name}) is already in use; choose another --port")
    return asyncio.run(_up(options, to_start, ports))


async def _up(options: Options, specs: Sequence[ServiceSpec], ports: dict[str, int]) -> int:
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping.set)
    options.data_dir.mkdir(parents=True, exist_ok=True)
    state = RunState(
        pid=os.getpid(),
        gateway_port=options.port,
        ports={s.name: ports[s.name] for s in specs},
        services=[s.name for s in specs],
        nats_url="",
        embedded_postgres=options.database_url is None,
    )
    state.write(options.data_dir)
    stack = Stack(options)
    supervisor: Supervisor | None = None
    try:
        stack.start_postgres()
        state.nats_url = stack.start_nats()
        if stack.nats_pid is not None:
            state.extra["nats_pid"] = str(stack.nats_pid)
        state.write(options.data_dir)
        urls = await stack.create_databases(specs)
        stack.migrate(specs)
        seeded = await stack.seed(specs) if options.seed else []
        if stopping.is_set():
            return 0
        children = [
            Child(s, ports[s.name], service_env(s, ports=ports, database_url=urls.get(s.name), nats_url=stack.nats_url))
            for s in specs
        ]
        supervisor = Supervisor(children)
        supervisor.start_all()
        if not await supervisor.wait_ready(options.ready_timeout_s, stopping):
            return 0
        state.ready = True
        state.write(options.data_dir)
        print(banner(options, specs, ports, stack.nats_url, seeded), flush=True)
        await supervisor.supervise(stopping)
        log.info("stopping")
        return 0
    finally:
        if supervisor is not None:
            supervisor.stop_all()
        stack.stop()
        RunState.remove(options.data_dir)
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


def banner(
    options: Options, specs: Sequence[ServiceSpec], ports: Mapping[str, int], nats_url: str, seeded: Sequence[str]
) -> str:
    names = [s.name for s in specs]
    lines = ["", f"SalesSync is up (data in {options.data_dir})", ""]
    if "gateway" in names:
        base = f"http://127.0.0.1:{ports['gateway']}"
        lines += [f"  gateway    {base}", f"  API docs   {base}/api-docs", ""]
    for spec in specs:
        if spec.name == "gateway":
            continue
        lines.append(f"  {spec.name:<10} http://127.0.0.1:{ports[spec.name]}")
    if not specs:
        lines.append("  no service is installed yet (only PostgreSQL and NATS are running)")
    pg = "embedded, socket in " + str(options.pg_dir) if options.database_url is None else "DATABASE_URL"
    lines += ["", f"  postgres   {pg}", f"  nats       {nats_url}", ""]
    if "identity" in seeded:
        lines.append(f'Demo logins: tenant "{DEMO.code}", password "{DEMO.password}"')
        lines += [f"  {u.role:<16} {u.email}" for u in DEMO.users]
        lines.append("")
    elif not options.seed:
        lines += ["No demo data (--no-seed); `salessync seed` adds it.", ""]
    lines.append("Ctrl-C stops everything.")
    return "\n".join(lines)
