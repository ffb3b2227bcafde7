"""`salessync status`, `reset`, `seed` and `tenant create|suspend|reactivate`: the operator's other commands."""

from __future__ import annotations

import asyncio
import inspect
import json
import shutil
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from importlib import import_module
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx

from salessync.embedded import port_in_use
from salessync.registry import ServiceSpec, discover

from .plan import RUN_FILE, LauncherError, Options, RunState, pid_alive, service_ports, startable
from .stack import Stack, embedded_service_url, one_line, postgres_answers

# status ------------------------------------------------------------------------------------------------------


async def probe_ready(port: int) -> str:
    try:
        async with httpx.AsyncClient(timeout=2.0) as client:
            answer = await client.get(f"http://127.0.0.1:{port}/ready")
    except httpx.HTTPError:
        return "down"
    return "ready" if answer.status_code == 200 else f"not ready ({answer.status_code})"


def nats_answers(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.port is not None and port_in_use(parsed.port, parsed.hostname or "127.0.0.1")


async def status_report(options: Options, environ: Mapping[str, str]) -> tuple[bool, list[tuple[str, str, str]]]:
    """Rows (name, address, state) and whether everything answers."""
    state = RunState.read(options.data_dir)
    if state is not None:
        ports, names = state.ports, state.services
    else:
        specs = startable(discover())
        ports = service_ports(specs, options.port, environ)
        names = [s.name for s in specs]
    answers = await asyncio.gather(*(probe_ready(ports[n]) for n in names))
    rows = [(n, f"http://127.0.0.1:{ports[n]}", a) for n, a in zip(names, answers, strict=True)]
    pg_url = options.database_url or embedded_service_url(options.pg_dir, "postgres")
    pg_up = await postgres_answers(pg_url)
    rows.append(
        ("postgres", "DATABASE_URL" if options.database_url else str(options.pg_dir), "up" if pg_up else "down")
    )
    nats_url = options.nats_url or (state.nats_url if state else "")
    nats_up = bool(nats_url) and nats_answers(nats_url)
    rows.append(("nats", nats_url or "-", "up" if nats_up else "down"))
    launcher = f"running (pid {state.pid})" if state else "not running"
    rows.insert(0, ("launcher", str(options.data_dir), launcher))
    healthy = state is not None and pg_up and nats_up and all(a == "ready" for a in answers)
    return healthy, rows


def status(options: Options, environ: Mapping[str, str]) -> int:
    healthy, rows = asyncio.run(status_report(options, environ))
    for name, address, answer in rows:
        print(f"{name:<10} {answer:<22} {address}")
    return 0 if healthy else 1


# reset ---------------------------------------------------------------------------------------------------------


def postgres_pid(pg_dir: Path) -> int | None:
    try:
        return int((pg_dir / "postmaster.pid").read_text().splitlines()[0])
    except (OSError, ValueError, IndexError):
        return None


def reset(options: Options, *, yes: bool, ask: Callable[[str], str] = input) -> int:
    data_dir = options.data_dir
    if not data_dir.exists():
        print(f"nothing to delete: {data_dir} does not exist")
        return 0
    state = RunState.read(data_dir)
    if state is not None:
        raise LauncherError(f"salessync is running on {data_dir} (pid {state.pid}); stop it first")
    pg_pid = postgres_pid(options.pg_dir)
    if pg_pid is not None and pid_alive(pg_pid):
        raise LauncherError(f"PostgreSQL is still running in {options.pg_dir} (pid {pg_pid}); stop it first")
    known = {"pg", "nats", "nats.log", RUN_FILE}
    if any(p.name not in known for p in data_dir.iterdir()):
        raise LauncherError(f"{data_dir} holds files salessync did not write; delete it yourself if you mean it")
    if not yes:
        try:
            answer = ask(f"Delete {data_dir} and all its data? [y/N] ")
        except EOFError:
            answer = ""
        if answer.strip().lower() not in ("y", "yes"):
            print("nothing deleted")
            return 1
    shutil.rmtree(data_dir)
    print(f"deleted {data_dir}")
    return 0


# seed and tenant -----------------------------------------------------------------------------------------------


@contextmanager
def service_databases(options: Options, specs: list[ServiceSpec]) -> Iterator[Stack]:
    """The services' databases, migrated to head: on the embedded server of the data dir (started briefly when
    no launcher runs; pgserver leaves it up while a launcher holds it) or on DATABASE_URL."""
    stack = Stack(options)
    try:
        stack.start_postgres()
        asyncio.run(stack.create_databases(specs))
        stack.migrate(specs)
        yield stack
    finally:
        stack.stop()


def seed(options: Options) -> int:
    specs = [s for s in startable(discover()) if s.has_database]
    with service_databases(options, specs) as stack:
        seeded = asyncio.run(stack.seed(specs))
    print(f"demo tenant seeded: {', '.join(seeded) or 'no installed service has a seed yet'}")
    return 0


def load_admin(name: str) -> Callable[..., Any]:
    """The operator function `name` of `identity.admin`."""
    try:
        module = import_module("identity.admin")
        function: Callable[..., Any] = getattr(module, name)
        return function
    except (ImportError, AttributeError) as exc:
        raise LauncherError(f"the identity service is not installed yet ({one_line(exc)})") from exc


def load_create_tenant() -> Callable[..., Any]:
    return load_admin("create_tenant")


def tenant_create(options: Options, *, code: str, name: str, admin_email: str, admin_password: str) -> int:
    create_tenant = load_create_tenant()
    return _run_on_identity(options, "tenant not created", create_tenant, code, name, admin_email, admin_password)


def tenant_set_status(options: Options, *, code: str, status: str) -> int:
    """`tenant suspend` (status `suspended`) and `tenant reactivate` (status `active`)."""
    set_tenant_status = load_admin("set_tenant_status")
    return _run_on_identity(options, "tenant status not changed", set_tenant_status, code, status)


def _run_on_identity(options: Options, failure: str, function: Callable[..., Any], *args: Any) -> int:
    """Call `function(identity's database URL, *args)` and print its result as JSON."""
    identity = next((s for s in discover() if s.name == "identity"), None)
    if identity is None:
        raise LauncherError("the identity service is not registered")
    with service_databases(options, [identity]) as stack:
        try:
            result = function(stack.urls["identity"], *args)
            if inspect.isawaitable(result):
                result = asyncio.run(_awaited(result))
        except LauncherError:
            raise
        except Exception as exc:
            raise LauncherError(f"{failure} ({one_line(exc)})") from exc
    print(json.dumps(result, indent=2, default=str))
    return 0


async def _awaited(result: Awaitable[Any]) -> Any:
    return await result
