"""Identity's tables, in the `identity` schema."""

from salessync.db import make_metadata
from salessync.infra_tables import add_infrastructure_tables

metadata = make_metadata("identity")
add_infrastructure_tables(metadata)
