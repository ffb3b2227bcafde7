"""The infrastructure under the services: PostgreSQL (embedded or an operator's), NATS JetStream (embedded or an
operator's), one database per service, migrations and the demo seed."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import time
from collections.abc import Sequence
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from salessync.db import Database, async_url
from salessync.demo import DEMO
from salessync.embedded import EmbeddedNats, EmbeddedPostgres, free_port
from salessync.migrations import upgrade
from salessync.registry import ServiceSpec

from .plan import LauncherError, Options, pid_alive

log = logging.getLogger("salessync.launcher")


def one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def plain_dsn(url: str) -> str:
    """A SQLAlchemy URL (`postgresql+asyncpg://...`) as a DSN asyncpg accepts."""
    return make_url(async_url(url)).set(drivername="postgresql").render_as_string(hide_password=False)


def prune_stale_handles(pg_dir: Path) -> None:
    """pgserver stops the server when its last holder exits; a holder killed with SIGKILL never leaves the list."""
    path = pg_dir / ".handle_pids.json"
    try:
        pids = json.loads(path.read_text())
    except (OSError, ValueError):
        return
    alive = [pid for pid in pids if isinstance(pid, int) and pid_alive(pid)]
    if alive != pids:
        path.write_text(json.dumps(alive))


class Stack:
    def __init__(self, options: Options) -> None:
        self.options = options
        self.pg: EmbeddedPostgres | None = None
        self.nats: EmbeddedNats | None = None
        self.nats_url: str = options.nats_url or ""
        self.urls: dict[str, str] = {}

    @property
    def embedded_postgres(self) -> bool:
        return self.options.database_url is None

    # PostgreSQL --------------------------------------------------------------------------------------------

    def start_postgres(self) -> None:
        if not self.embedded_postgres:
            return
        logging.getLogger("pgserver").setLevel(logging.WARNING)
        self.options.data_dir.mkdir(parents=True, exist_ok=True)
        prune_stale_handles(self.options.pg_dir)
        try:
            self.pg = EmbeddedPostgres(self.options.pg_dir)
            self.pg.start()
        except Exception as exc:
            self.pg = None
            raise LauncherError(f"embedded PostgreSQL did not start ({one_line(exc)})") from exc

    async def create_databases(self, specs: Sequence[ServiceSpec]) -> dict[str, str]:
        """One database and one login role per service (embedded), or one database per service on the operator's
        server when its credentials may create them, else every service in the operator's one database."""
        names = [s.name for s in specs if s.has_database]
        if self.pg is not None:
            try:
                self.urls = {name: self.pg.create_database(name, owner=name) for name in names}
            except Exception as exc:
                raise LauncherError(f"could not create the service databases ({one_line(exc)})") from exc
        elif self.options.database_url is not None:
            self.urls = await external_databases(self.options.database_url, names)
        return self.urls

    def migrate(self, specs: Sequence[ServiceSpec]) -> None:
        for spec in specs:
            if not spec.has_database:
                continue
            if not (spec.service_dir / "alembic.ini").exists():
                raise LauncherError(f"migration of {spec.name} failed: no alembic.ini in {spec.service_dir}")
            try:
                upgrade(spec.service_dir, self.urls[spec.name])
            except Exception as exc:
                raise LauncherError(f"migration of {spec.name} failed ({one_line(exc)})") from exc
            log.info("migrated", extra={"target": spec.name})

    async def seed(self, specs: Sequence[ServiceSpec]) -> list[str]:
        """Run every service's idempotent demo seed; return the names seeded."""
        seeded = []
        for spec in specs:
            if spec.seed is None or spec.name not in self.urls:
                continue
            try:
                seed_demo = spec.load_seed()
                db = Database.from_url(self.urls[spec.name], spec.name, pool_size=2, max_overflow=2)
                try:
                    await seed_demo(db, DEMO)
                finally:
                    await db.dispose()
            except Exception as exc:
                raise LauncherError(f"seeding {spec.name} failed ({one_line(exc)})") from exc
            seeded.append(spec.name)
            log.info("seeded", extra={"target": spec.name})
        return seeded

    # NATS ----------------------------------------------------------------------------------------------------

    def start_nats(self) -> str:
        if self.options.nats_url:
            self.nats_url = self.options.nats_url
            return self.nats_url
        self.options.nats_dir.mkdir(parents=True, exist_ok=True)
        self.nats = EmbeddedNats(self.options.nats_dir, free_port())
        try:
            self.nats.start(log_file=self.options.data_dir / "nats.log")
        except Exception as exc:
            self.nats = None
            raise LauncherError(f"nats-server did not start ({one_line(exc)})") from exc
        self.nats_url = self.nats.url
        return self.nats_url

    @property
    def nats_pid(self) -> int | None:
        return self.nats.process.pid if self.nats is not None and self.nats.process is not None else None

    # --------------------------------------------------------------------------------------------------------

    def stop(self) -> None:
        if self.nats is not None:
            self.nats.stop()
            self.nats = None
        if self.pg is not None:
            self.pg.stop()
            self.pg = None


async def external_databases(database_url: str, names: Sequence[str]) -> dict[str, str]:
    base = make_url(async_url(database_url))
    try:
        conn = await asyncpg.connect(plain_dsn(database_url), timeout=10)
    except Exception as exc:
        raise LauncherError(f"cannot connect to DATABASE_URL ({one_line(exc)})") from exc
    urls: dict[str, str] = {}
    try:
        for name in names:
            if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
                try:
                    await conn.execute(f'CREATE DATABASE "{name}"')
                except asyncpg.PostgresError:
                    urls[name] = database_url  # no right to create: every service in this one database
                    continue
            urls[name] = base.set(database=name).render_as_string(hide_password=False)
    finally:
        await conn.close()
    return urls


def stop_leftover_nats(pid: int, nats_dir: Path) -> None:
    """A nats-server left running by a launcher killed with SIGKILL still holds the JetStream store: stop it."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return
    if str(nats_dir.resolve() / "nats.conf").encode() not in cmdline:
        return
    log.warning("stopping a nats-server left behind by an earlier run", extra={"pid": pid})
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    for _ in range(100):
        if not pid_alive(pid):
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def embedded_service_url(pg_dir: Path, name: str) -> str:
    """The URL of a service's database on the embedded server (its socket is in the data dir)."""
    return f"postgresql+asyncpg://{name}@/{name}?host={pg_dir.resolve()}"


async def postgres_answers(url: str) -> bool:
    try:
        conn = await asyncpg.connect(plain_dsn(url), timeout=3)
    except Exception:
        return False
    await conn.close()
    return True
