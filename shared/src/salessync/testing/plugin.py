"""pytest plugin loaded for every test run (`-p salessync.testing.plugin` in pyproject.toml).

Session fixtures start a real PostgreSQL and a real NATS JetStream in a temporary folder and stop them at the
end; integration tests build their own databases from them. Nothing here is mocked.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import nats
import pytest
from nats.js.errors import NotFoundError

from salessync.embedded import EmbeddedNats, EmbeddedPostgres, free_port
from salessync.testing.tokens import TestKeys


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        path = str(item.path)
        if "/tests/integration/" in path:
            item.add_marker(pytest.mark.integration)
        elif "/tests/e2e/" in path:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def infra_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="ss-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def embedded_pg(infra_dir: Path) -> Iterator[EmbeddedPostgres]:
    pg = EmbeddedPostgres(infra_dir / "pg")
    pg.start()
    yield pg
    pg.stop()


@pytest.fixture(scope="session")
def embedded_nats(infra_dir: Path) -> Iterator[EmbeddedNats]:
    server = EmbeddedNats(infra_dir / "nats", free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def test_keys() -> TestKeys:
    return TestKeys()


@pytest.fixture(scope="module", autouse=True)
def _fresh_stream_per_integration_module(request: pytest.FixtureRequest) -> None:
    """Each integration module starts on an empty stream with no consumers.

    All modules of one run share one NATS server, and durable consumers keep their names across modules
    (`field-order_placed`), so without this a module would receive what earlier modules left behind.
    """
    if "/tests/integration/" not in str(request.path):
        return
    server: EmbeddedNats = request.getfixturevalue("embedded_nats")
    asyncio.run(_delete_stream(server.url))


async def _delete_stream(url: str) -> None:
    nc = await nats.connect(url)
    try:
        await nc.jetstream().delete_stream("SALESSYNC")
    except NotFoundError:
        pass
    finally:
        await nc.close()
