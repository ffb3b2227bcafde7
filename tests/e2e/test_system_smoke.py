"""The whole system answers: every started service on its own port, the gateway, and `salessync status`."""

from __future__ import annotations

import httpx
import pytest

from salessync.demo import DEMO

from .conftest import System


def require(system: System, *names: str) -> None:
    missing = [n for n in names if n not in system.ports]
    if missing:
        pytest.skip(f"not installed yet: {', '.join(missing)}")


def test_every_started_service_answers_health_and_ready_on_its_port(system: System) -> None:
    if not system.services:
        pytest.skip("no service is installed yet")
    for name in system.services:
        health = httpx.get(f"{system.url(name)}/health", timeout=10)
        ready = httpx.get(f"{system.url(name)}/ready", timeout=10)
        assert health.status_code == 200, f"{name} /health: {health.status_code} {health.text}"
        assert health.json() == {"status": "ok"}
        assert ready.status_code == 200, f"{name} /ready: {ready.status_code} {ready.text}"
        assert ready.json()["status"] == "ready"


def test_the_gateway_answers_health_on_the_base_url(system: System) -> None:
    require(system, "gateway")
    answer = httpx.get(f"{system.base_url}/health", timeout=10)
    assert answer.status_code == 200
    assert answer.headers.get("x-request-id")


def test_salessync_status_reports_every_service_ready(system: System) -> None:
    if system.data_dir is None:
        pytest.skip("the compose system has no launcher to ask")
    result = system.salessync("status")
    assert result.returncode == 0, result.stdout + result.stderr
    rows = {line.split()[0]: line for line in result.stdout.splitlines() if line.strip()}
    for name in system.services:
        assert rows[name].split()[1] == "ready", rows[name]
    assert rows["postgres"].split()[1] == "up"
    assert rows["nats"].split()[1] == "up"


def test_the_demo_admin_logs_in_through_the_gateway(system: System) -> None:
    require(system, "gateway", "identity")
    token = system.login(DEMO.user("admin").email)
    assert token.count(".") == 2  # a JWT
