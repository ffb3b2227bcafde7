"""What a run looks like before anything starts: options, which services can start, their ports and environment,
and the run file (`<data dir>/run.json`) through which `status`, `seed` and `tenant` find a running launcher."""

from __future__ import annotations

import importlib.util
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from salessync.registry import DEFAULT_GATEWAY_PORT, ServiceSpec
from salessync.settings import SERVICE_PORT_OFFSETS

RUN_FILE = "run.json"


class LauncherError(Exception):
    """A reason to stop, told to the user in one line (never a traceback)."""


@dataclass(frozen=True)
class Options:
    port: int = DEFAULT_GATEWAY_PORT
    data_dir: Path = Path("var")
    seed: bool = True
    database_url: str | None = None  # an operator's PostgreSQL; none: the embedded one under data_dir/pg
    nats_url: str | None = None  # an operator's NATS; none: nats-server -js under data_dir/nats
    ready_timeout_s: float = 60.0

    @property
    def pg_dir(self) -> Path:
        return self.data_dir / "pg"

    @property
    def nats_dir(self) -> Path:
        return self.data_dir / "nats"


def env_flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def env_port(environ: Mapping[str, str], key: str, default: int) -> int:
    raw = environ.get(key)
    if raw is None or raw.strip() == "":
        return default
    try:
        port = int(raw)
    except ValueError:
        raise LauncherError(f"{key}={raw!r} is not a port number") from None
    if not 0 < port < 65536:
        raise LauncherError(f"{key}={port} is not a port number (1-65535)")
    return port


def startable(specs: Sequence[ServiceSpec]) -> list[ServiceSpec]:
    """The registered services whose app module exists yet; the others are simply not started."""
    found = []
    for spec in specs:
        module = spec.app_factory.partition(":")[0]
        try:
            if importlib.util.find_spec(module) is not None:
                found.append(spec)
        except (ImportError, ValueError):
            continue
    return sorted(found, key=lambda s: s.start_order)


def service_ports(specs: Sequence[ServiceSpec], gateway_port: int, environ: Mapping[str, str]) -> dict[str, int]:
    """The gateway on `gateway_port`; every other service on `gateway_port + offset` unless `<NAME>_HTTP__PORT`."""
    offsets = {name: offset for name, offset in SERVICE_PORT_OFFSETS.items()}
    offsets.update({s.name: s.port_offset for s in specs})
    ports: dict[str, int] = {}
    for name, offset in offsets.items():
        if offset == 0:
            ports[name] = gateway_port
        else:
            ports[name] = env_port(environ, f"{name.upper()}_HTTP__PORT", gateway_port + offset)
    return ports


def service_env(
    spec: ServiceSpec, *, ports: Mapping[str, int], database_url: str | None, nats_url: str
) -> dict[str, str]:
    """The environment variables that configure one service process (its settings, prefix `<NAME>_`)."""
    prefix = spec.env_prefix
    env = {
        f"{prefix}ENVIRONMENT": "dev",
        f"{prefix}HTTP__HOST": "127.0.0.1",
        f"{prefix}HTTP__PORT": str(ports[spec.name]),
        f"{prefix}NATS__URL": nats_url,
        f"{prefix}AUTH__JWKS_URL": f"http://127.0.0.1:{ports['identity']}/.well-known/jwks.json",
    }
    if database_url is not None:
        env[f"{prefix}DATABASE__URL"] = database_url
    for other, port in ports.items():
        if other != spec.name:
            env[f"{prefix}UPSTREAMS__{other.upper()}"] = f"http://127.0.0.1:{port}"
    return env


@dataclass
class RunState:
    """Written by a running `salessync up`, removed when it stops."""

    pid: int
    gateway_port: int
    ports: dict[str, int]
    services: list[str]
    nats_url: str
    embedded_postgres: bool
    ready: bool = False
    extra: dict[str, str] = field(default_factory=dict)

    def write(self, data_dir: Path) -> None:
        path = data_dir / RUN_FILE
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=2))
        tmp.replace(path)

    @staticmethod
    def read(data_dir: Path) -> RunState | None:
        """The state of a launcher that is still alive on this data dir, or None."""
        state = RunState.read_any(data_dir)
        return state if state is not None and pid_alive(state.pid) else None

    @staticmethod
    def read_any(data_dir: Path) -> RunState | None:
        """The run file as written, even by a launcher that was killed without cleaning up."""
        try:
            return RunState(**json.loads((data_dir / RUN_FILE).read_text()))
        except (OSError, ValueError, TypeError):
            return None

    @staticmethod
    def remove(data_dir: Path) -> None:
        (data_dir / RUN_FILE).unlink(missing_ok=True)


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie is not alive
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True
