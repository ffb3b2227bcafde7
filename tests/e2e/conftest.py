"""The whole system for end-to-end tests: `salessync up` (with the demo seed) on free ports in a temp data dir,
or, with a Docker engine and SALESSYNC_E2E_COMPOSE=1, docker-compose.yml through pytest-docker."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from salessync.cli.background import running_system
from salessync.demo import DEMO

ROOT = Path(__file__).resolve().parents[2]
START_DEADLINE_S = 240.0
COMPOSE = os.environ.get("SALESSYNC_E2E_COMPOSE") == "1"


@dataclass
class System:
    """A running SalesSync: the gateway's base URL, the ports it answers on, and helpers."""

    base_url: str
    ports: dict[str, int]  # every service reachable from the tests, by name
    data_dir: Path | None = None
    port: int = 8000
    log: Path | None = None
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def services(self) -> list[str]:
        return list(self.ports)

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def login(self, email: str, password: str = DEMO.password, tenant: str = DEMO.code) -> str:
        """An access token for a demo user, through the gateway (`POST /api/auth/login`); cached per email."""
        if email not in self.tokens:
            answer = httpx.post(
                f"{self.base_url}/api/auth/login",
                json={"tenant": tenant, "email": email, "password": password},
                timeout=30,
            )
            assert answer.status_code == 200, f"login of {email}: {answer.status_code} {answer.text}"
            self.tokens[email] = answer.json()["access_token"]
        return self.tokens[email]

    def headers(self, email: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.login(email)}"}

    def salessync(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run the `salessync` command against this system (its data dir and port)."""
        assert self.data_dir is not None, "the command line needs the process launcher, not compose"
        extra = ["--data-dir", str(self.data_dir)]
        if args and args[0] in ("status", "up"):
            extra += ["--port", str(self.port)]
        return subprocess.run(
            [sys.executable, "-m", "salessync.cli.main", *args, *extra],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
        )


@pytest.fixture(scope="session")
def docker_compose_file() -> str:
    return str(ROOT / "docker-compose.yml")


def docker_engine() -> bool:
    if not shutil.which("docker"):
        return False
    return subprocess.run(["docker", "info"], capture_output=True, timeout=30).returncode == 0


def launcher_system() -> Iterator[System]:
    with running_system(seed=True, deadline_s=START_DEADLINE_S, cwd=ROOT) as run:
        yield System(base_url=run.base_url, ports=run.ports, data_dir=run.data_dir, port=run.port, log=run.log)


def compose_system(request: pytest.FixtureRequest) -> Iterator[System]:
    if not docker_engine():
        pytest.skip("SALESSYNC_E2E_COMPOSE=1 but no Docker engine answers")
    docker_services = request.getfixturevalue("docker_services")
    port = docker_services.port_for("gateway", 8000)
    base = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        try:
            return httpx.get(f"{base}/ready", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    docker_services.wait_until_responsive(check=ready, timeout=START_DEADLINE_S, pause=1.0)
    yield System(base_url=base, ports={"gateway": port}, port=port)


@pytest.fixture(scope="session")
def system(request: pytest.FixtureRequest) -> Iterator[System]:
    """The running system for the whole e2e session, stopped (SIGTERM) at the end."""
    if COMPOSE:
        yield from compose_system(request)
    else:
        yield from launcher_system()
