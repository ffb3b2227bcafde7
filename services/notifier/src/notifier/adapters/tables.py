"""Notifier's tables, in the `notifier` schema."""

from salessync.db import make_metadata
from salessync.infra_tables import add_infrastructure_tables

metadata = make_metadata("notifier")
add_infrastructure_tables(metadata)
