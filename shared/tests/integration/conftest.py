"""Fixtures for the shared library's integration tests: a schema with the infrastructure tables."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from salessync.db import Database, async_url, make_metadata
from salessync.embedded import EmbeddedPostgres
from salessync.infra_tables import add_infrastructure_tables

SCHEMA = "sharedtest"


@pytest.fixture(scope="module")
def shared_db_url(embedded_pg: EmbeddedPostgres) -> str:
    return embedded_pg.create_database(f"t_shared_{uuid.uuid4().hex[:8]}")


@pytest.fixture
async def db(shared_db_url: str) -> AsyncIterator[Database]:
    metadata = make_metadata(SCHEMA)
    add_infrastructure_tables(metadata)
    engine = create_async_engine(async_url(shared_db_url))
    async with engine.begin() as conn:
        await conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        await conn.exec_driver_sql(f"CREATE SCHEMA {SCHEMA}")
        await conn.run_sync(metadata.create_all)
    await engine.dispose()
    database = Database.from_url(shared_db_url, SCHEMA, pool_size=4)
    yield database
    await database.dispose()
