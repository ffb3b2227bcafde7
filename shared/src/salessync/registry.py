"""Which services exist: each service package registers a `ServiceSpec` under the entry point group
`salessync.services`, so the launcher starts only what is installed."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

DEFAULT_GATEWAY_PORT = 8000


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    port_offset: int  # gateway 0, identity 1, catalog 2, orders 3, field 4, notifier 5
    app_factory: str  # "catalog.main:create_app", called by uvicorn with --factory
    start_order: int  # identity first (it serves the JWKS), the gateway last
    service_dir: Path  # holds alembic.ini and migrations/ (None-like for stateless services)
    has_database: bool = True
    seed: str | None = None  # "catalog.seed:seed_demo": async (Database, DemoTenant) -> None
    uvicorn_args: tuple[str, ...] = ()  # added to the launcher's uvicorn command (notifier: no ws compression)

    @property
    def env_prefix(self) -> str:
        return f"{self.name.upper()}_"

    def load_seed(self) -> Any:
        if self.seed is None:
            return None
        module, _, attr = self.seed.partition(":")
        return getattr(import_module(module), attr)


def discover() -> list[ServiceSpec]:
    specs = [ep.load() for ep in entry_points(group="salessync.services")]
    return sorted(specs, key=lambda s: s.start_order)


def service_dir_of(module_file: str) -> Path:
    """`services/<name>/src/<name>/service.py` -> `services/<name>`."""
    return Path(module_file).resolve().parents[2]
