"""Alembic helpers: every service's `migrations/env.py` calls `run_migrations(metadata, env_var)`.

Each service keeps its own version table inside its own schema, so services can share one database
(an operator's `DATABASE_URL`) as well as use one database each (the embedded default).
"""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from alembic import command, context, op
from alembic.config import Config
from sqlalchemy import MetaData, pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from salessync.db import async_url


def run_migrations(metadata: MetaData, url_env_var: str) -> None:
    schema = metadata.schema
    assert schema, "service metadata must carry its schema"
    url = context.config.get_main_option("sqlalchemy.url") or os.environ.get(url_env_var)
    if not url:
        raise RuntimeError(f"set {url_env_var} or sqlalchemy.url to run migrations")

    def configure(connection: Connection | None = None) -> None:
        context.configure(
            connection=connection,
            url=None if connection is not None else async_url(url),
            target_metadata=metadata,
            version_table_schema=schema,
            include_schemas=True,
            include_name=lambda name, type_, _parent: type_ != "schema" or name == schema,
            compare_type=True,
        )

    if context.is_offline_mode():
        configure()
        with context.begin_transaction():
            context.run_migrations()
        return

    def do_run(connection: Connection) -> None:
        connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        configure(connection)
        with context.begin_transaction():
            context.run_migrations()

    async def run_async() -> None:
        engine = create_async_engine(async_url(url), poolclass=pool.NullPool)
        async with engine.begin() as conn:
            await conn.run_sync(do_run)
        await engine.dispose()

    asyncio.run(run_async())


def alembic_config(service_dir: Path, url: str) -> Config:
    cfg = Config(str(service_dir / "alembic.ini"))
    cfg.set_main_option("script_location", str(service_dir / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(service_dir: Path, url: str, revision: str = "head") -> None:
    """Upgrade one service's schema. Runs in a worker thread: env.py starts its own event loop."""
    with ThreadPoolExecutor(max_workers=1) as pool_:
        pool_.submit(command.upgrade, alembic_config(service_dir, url), revision).result()


def outbox_deleted_when_published(schema: str) -> None:
    """Upgrade step of every service's outbox: the relay deletes a row once JetStream has acked it
    (salessync.outbox), so `published_at` and the partial index of unpublished rows go. Rows already published
    are deleted first; those still waiting keep their place."""
    op.execute(f'DELETE FROM "{schema}".outbox WHERE published_at IS NOT NULL')
    op.execute(f'DROP INDEX IF EXISTS "{schema}".ix_outbox_unpublished')
    op.execute(f'ALTER TABLE "{schema}".outbox DROP COLUMN published_at')


def outbox_marked_when_published(schema: str) -> None:
    """Downgrade of `outbox_deleted_when_published`: every row left is unpublished, so `published_at` comes back
    NULL on all of them, as does the partial index."""
    op.execute(f'ALTER TABLE "{schema}".outbox ADD COLUMN published_at timestamptz')
    op.execute(f'CREATE INDEX ix_outbox_unpublished ON "{schema}".outbox (id) WHERE published_at IS NULL')
