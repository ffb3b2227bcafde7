"""The launcher for real: `salessync up` as a process, with PostgreSQL, NATS and a tiny service written into a temp
folder by this module (the real services may not exist yet; the launcher is tested on its own)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import psutil
import pytest

from salessync.cli.background import free_base_port
from salessync.cli.stack import embedded_service_url
from salessync.embedded import port_in_use
from salessync.testing.helpers import eventually

FAKE_APP = """
import os

from fastapi import APIRouter
from pydantic_settings import SettingsConfigDict

from salessync.app import create_service_app
from salessync.settings import ServiceSettings


class FakeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FAKE_", env_nested_delimiter="__", extra="ignore")
    service_name: str = "fake"


router = APIRouter()


@router.post("/crash")
async def crash() -> None:
    os._exit(3)


def create_app():
    return create_service_app(FakeSettings(), title="fake", routers=[router])


def broken_app():
    raise RuntimeError("this service cannot start")
"""

FAKE_TABLES = """
from sqlalchemy import Column, String, Table

from salessync.db import make_metadata
from salessync.infra_tables import add_infrastructure_tables

metadata = make_metadata("fake")
add_infrastructure_tables(metadata)
marker = Table("marker", metadata, Column("id", String, primary_key=True))
"""

FAKE_SEED = """
async def seed_demo(db, demo):
    async with db.transaction() as tx:
        raw = await tx.raw()
        await raw.execute("INSERT INTO marker (id) VALUES ($1) ON CONFLICT DO NOTHING", "seeded:" + demo.code)
"""

ENV_PY = """
from fakesvc.tables import metadata
from salessync.migrations import run_migrations

run_migrations(metadata, "FAKE_DATABASE__URL")
"""

VERSION = """
revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    from alembic import op

    from fakesvc.tables import metadata

    {body}


def downgrade():
    pass
"""

RUNNER = """
import os
import sys
from pathlib import Path

import salessync.cli.up as up
from salessync.cli.main import main
from salessync.registry import ServiceSpec

SPEC = ServiceSpec(
    name=os.environ["FAKE_SPEC_NAME"],
    port_offset=1,
    app_factory=os.environ["FAKE_FACTORY"],
    start_order=10,
    service_dir=Path(os.environ["FAKE_SERVICE_DIR"]),
    seed="fakesvc.seed:seed_demo",
)
up.discover = lambda: [SPEC]
sys.exit(main(sys.argv[1:]))
"""


def write_fake_service(root: Path) -> None:
    package = root / "fakesvc"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "main.py").write_text(FAKE_APP)
    (package / "tables.py").write_text(FAKE_TABLES)
    (package / "seed.py").write_text(FAKE_SEED)
    (root / "runner.py").write_text(RUNNER)
    for name, body in (("fake", "metadata.create_all(op.get_bind())"), ("broken", 'op.execute("SELECT * FROM nope")')):
        service_dir = root / name
        (service_dir / "migrations" / "versions").mkdir(parents=True)
        (service_dir / "alembic.ini").write_text("[alembic]\nscript_location = %(here)s/migrations\n")
        (service_dir / "migrations" / "env.py").write_text(ENV_PY)
        (service_dir / "migrations" / "versions" / "0001_init.py").write_text(
            textwrap.dedent(VERSION).format(body=body)
        )


@dataclass
class Run:
    proc: subprocess.Popen[bytes]
    log: Path
    port: int

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@dataclass
class Fixture:
    root: Path
    data_dir: Path

    def env(self, name: str = "fake", factory: str = "fakesvc.main:create_app") -> dict[str, str]:
        return {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(self.root), os.environ.get("PYTHONPATH", "")]),
            "FAKE_SPEC_NAME": name,
            "FAKE_FACTORY": factory,
            "FAKE_SERVICE_DIR": str(self.root / name),
        }

    def start(self, port: int, **env: str) -> Run:
        log = self.root / f"up-{port}.log"
        with open(log, "wb") as out:
            proc = subprocess.Popen(
                [
                    sys.executable,
                    str(self.root / "runner.py"),
                    "up",
                    "--port",
                    str(port),
                    "--data-dir",
                    str(self.data_dir),
                ],
                env=self.env(**env),
                stdout=out,
                stderr=subprocess.PIPE,
            )
        return Run(proc, log, port)

    def run(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(self.root / "runner.py"), *args, "--data-dir", str(self.data_dir)],
            env=self.env(**env),
            capture_output=True,
            text=True,
            timeout=120,
        )


async def wait_ready(run: Run, data_dir: Path) -> None:
    """Until the launcher says every service answered /ready (its run file), failing if it exits first."""

    async def ready() -> bool:
        assert run.proc.poll() is None, f"the launcher exited early:\n{run.output()}"
        try:
            return bool(json.loads((data_dir / "run.json").read_text())["ready"])
        except (OSError, ValueError, KeyError):
            return False

    await eventually(ready, timeout=90, interval=0.2, message="the launcher never became ready")


def stop(run: Run) -> int:
    if run.proc.poll() is None:
        run.proc.send_signal(signal.SIGTERM)
    try:
        return run.proc.wait(60)
    finally:
        if run.proc.stderr:
            run.proc.stderr.close()


def stderr_of(run: Run) -> str:
    assert run.proc.stderr is not None
    return run.proc.stderr.read().decode()


async def markers(fixture: Fixture) -> list[str]:
    dsn = embedded_service_url(fixture.data_dir / "pg", "fake").replace("+asyncpg", "")
    conn = await asyncpg.connect(dsn)
    try:
        return [r["id"] for r in await conn.fetch("SELECT id FROM fake.marker ORDER BY id")]
    finally:
        await conn.close()


@pytest.fixture(scope="module")
def fixture() -> Iterator[Fixture]:
    root = Path(tempfile.mkdtemp(prefix="ssl-", dir="/tmp"))
    write_fake_service(root)
    yield Fixture(root, root / "var")
    subprocess.run(["rm", "-rf", str(root)], check=False)


@pytest.fixture(scope="module")
async def first_run(fixture: Fixture) -> Run:
    run = fixture.start(free_base_port())
    await wait_ready(run, fixture.data_dir)
    yield run
    stop(run)


async def test_up_migrates_seeds_and_serves_the_registered_service(first_run: Run, fixture: Fixture) -> None:
    async with httpx.AsyncClient() as client:
        ready = await client.get(f"http://127.0.0.1:{first_run.port + 1}/ready")
    checks = {"database": "ok", "nats": "ok", "consumers": "ok", "outbox_relay": "ok"}
    assert ready.json() == {"status": "ready", "checks": checks}
    assert await markers(fixture) == ["seeded:demo"]
    assert "fake" in first_run.output() and "Ctrl-C stops everything" in first_run.output()


async def test_status_reports_the_running_service_and_the_infrastructure(first_run: Run, fixture: Fixture) -> None:
    result = await asyncio.to_thread(fixture.run, "status")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = {line.split()[0]: line for line in result.stdout.splitlines()}
    assert "ready" in lines["fake"]
    assert " up " in lines["postgres"] and " up " in lines["nats"]


async def test_a_service_that_dies_is_restarted_with_backoff(first_run: Run) -> None:
    base = f"http://127.0.0.1:{first_run.port + 1}"
    async with httpx.AsyncClient(timeout=5) as client:
        with pytest.raises(httpx.HTTPError):
            await client.post(f"{base}/crash")
        await eventually(lambda: _answers(client, f"{base}/ready"), timeout=60, interval=0.2)
    assert "fake exited with code 3; restarting in" in first_run.output()


async def _answers(client: httpx.AsyncClient, url: str) -> bool:
    try:
        return (await client.get(url)).status_code == 200
    except httpx.HTTPError:
        return False


async def test_sigterm_stops_every_child_and_exits_0(first_run: Run, fixture: Fixture) -> None:
    launcher = psutil.Process(first_run.proc.pid)
    children = launcher.children(recursive=True)
    postgres = int((fixture.data_dir / "pg" / "postmaster.pid").read_text().split()[0])
    assert len(children) >= 2  # nats-server and the service
    watched = [*children, psutil.Process(postgres)]

    code = await asyncio.to_thread(stop, first_run)

    assert code == 0
    _gone, alive = await asyncio.to_thread(psutil.wait_procs, watched, 15)
    assert alive == []
    assert not (fixture.data_dir / "run.json").exists()


async def test_a_second_up_reuses_the_data(fixture: Fixture) -> None:
    run = fixture.start(free_base_port())
    try:
        await wait_ready(run, fixture.data_dir)
        async with asyncpg.create_pool(
            embedded_service_url(fixture.data_dir / "pg", "fake").replace("+asyncpg", ""), min_size=1, max_size=1
        ) as pool:
            await pool.execute("INSERT INTO fake.marker (id) VALUES ('kept')")
    finally:
        assert await asyncio.to_thread(stop, run) == 0
    run = fixture.start(free_base_port())
    try:
        await wait_ready(run, fixture.data_dir)
        assert await markers(fixture) == ["kept", "seeded:demo"]
    finally:
        assert await asyncio.to_thread(stop, run) == 0


def test_a_port_in_use_stops_with_a_one_line_reason(fixture: Fixture) -> None:
    port = free_base_port()
    with __import__("socket").socket() as taken:
        taken.bind(("127.0.0.1", port + 1))
        taken.listen()
        run = fixture.start(port)
        code = run.proc.wait(60)
        err = stderr_of(run)
    assert code != 0
    assert err.strip().splitlines() == [
        f"salessync up: port {port + 1} (fake) is already in use; choose another --port"
    ]


async def test_a_failed_migration_stops_everything_with_a_one_line_reason(fixture: Fixture) -> None:
    run = fixture.start(free_base_port(), name="broken")
    code = await asyncio.to_thread(run.proc.wait, 120)
    err = stderr_of(run)
    assert code != 0
    [line] = err.strip().splitlines()
    assert line.startswith("salessync up: migration of broken failed (")
    assert "Traceback" not in run.output()
    assert not (fixture.data_dir / "run.json").exists()


async def test_a_service_that_dies_during_start_up_stops_everything(fixture: Fixture) -> None:
    run = fixture.start(free_base_port(), factory="fakesvc.main:broken_app")
    launcher = psutil.Process(run.proc.pid)
    code = await asyncio.to_thread(run.proc.wait, 120)
    err = stderr_of(run)
    assert code != 0
    [line] = err.strip().splitlines()
    assert line.startswith("salessync up: fake exited with code")
    assert not launcher.is_running() or launcher.status() == psutil.STATUS_ZOMBIE
    assert not port_in_use(run.port + 1)
