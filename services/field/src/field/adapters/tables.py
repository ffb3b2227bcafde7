"""Field's tables, in the `field` schema."""

from salessync.db import make_metadata
from salessync.infra_tables import add_infrastructure_tables

metadata = make_metadata("field")
add_infrastructure_tables(metadata)
