"""Catalog's tables, in the `catalog` schema."""

from salessync.db import make_metadata
from salessync.infra_tables import add_infrastructure_tables

metadata = make_metadata("catalog")
add_infrastructure_tables(metadata)
