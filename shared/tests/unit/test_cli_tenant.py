"""`salessync tenant suspend|reactivate`: the arguments reach identity's `set_tenant_status`, errors are one line."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from salessync.cli import commands
from salessync.cli.main import main
from salessync.registry import ServiceSpec

IDENTITY = ServiceSpec("identity", 1, "identity.main:create_app", 0, Path("services/identity"))


@dataclass
class FakeStack:
    urls: dict[str, str] = field(default_factory=lambda: {"identity": "postgresql+asyncpg://db/identity"})


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    made: list[tuple[Any, ...]] = []

    def set_tenant_status(url: str, code: str, status: str) -> dict[str, Any]:
        if code == "nobody":
            raise LookupError(f"no tenant with code '{code}'")
        made.append((url, code, status))
        return {"code": code, "status": status}

    @contextmanager
    def databases(options: Any, specs: list[ServiceSpec]) -> Iterator[FakeStack]:
        yield FakeStack()

    monkeypatch.setattr(commands, "load_admin", lambda name: {"set_tenant_status": set_tenant_status}[name])
    monkeypatch.setattr(commands, "discover", lambda: [IDENTITY])
    monkeypatch.setattr(commands, "service_databases", databases)
    return made


def test_suspend_and_reactivate_set_the_status_on_identitys_database(
    calls: list[tuple[Any, ...]], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["tenant", "suspend", "--code", "acme"]) == 0
    assert main(["tenant", "reactivate", "--code", "acme"]) == 0
    url = "postgresql+asyncpg://db/identity"
    assert calls == [(url, "acme", "suspended"), (url, "acme", "active")]
    assert '"status": "suspended"' in capsys.readouterr().out


def test_an_unknown_tenant_is_one_line_on_stderr_and_exit_1(
    calls: list[tuple[Any, ...]], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["tenant", "suspend", "--code", "nobody"]) == 1
    err = capsys.readouterr().err
    assert (
        err == "salessync tenant: tenant status not changed (LookupError: no tenant with code 'nobody')\n"
        and calls == []
    )


def test_suspend_needs_a_code(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["tenant", "suspend"])
    assert "--code" in capsys.readouterr().err
