"""Alembic environment of notifier: its own schema and version table."""

from notifier.adapters.tables import metadata
from salessync.migrations import run_migrations

run_migrations(metadata, "NOTIFIER_DATABASE__URL")
