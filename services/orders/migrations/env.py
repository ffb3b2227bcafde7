"""Alembic environment of orders: its own schema and version table."""

from orders.adapters.tables import metadata
from salessync.migrations import run_migrations

run_migrations(metadata, "ORDERS_DATABASE__URL")
