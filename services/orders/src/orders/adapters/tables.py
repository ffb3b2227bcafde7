"""Orders's tables, in the `orders` schema."""

from salessync.db import make_metadata
from salessync.infra_tables import add_infrastructure_tables

metadata = make_metadata("orders")
add_infrastructure_tables(metadata)
