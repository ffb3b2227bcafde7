"""Alembic environment of identity: its own schema and version table."""

from identity.adapters.tables import metadata
from salessync.migrations import run_migrations

run_migrations(metadata, "IDENTITY_DATABASE__URL")
