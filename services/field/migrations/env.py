"""Alembic environment of field: its own schema and version table."""

from field.adapters.tables import metadata
from salessync.migrations import run_migrations

run_migrations(metadata, "FIELD_DATABASE__URL")
