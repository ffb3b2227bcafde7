"""Alembic environment of catalog: its own schema and version table."""

from catalog.adapters.tables import metadata
from salessync.migrations import run_migrations

run_migrations(metadata, "CATALOG_DATABASE__URL")
