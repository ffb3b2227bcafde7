"""Settings the embedded PostgreSQL runs with (the launcher's, the tests' and the benchmarks' cluster)."""

from __future__ import annotations

from salessync.embedded import EmbeddedPostgres


def test_autovacuum_wakes_every_twenty_seconds(embedded_pg: EmbeddedPostgres) -> None:
    """Statistics follow a burst of orders within seconds, not a minute: with the default minute, a fresh table's list page was
    planned for a handful of rows (a sort of every order instead of reading one page of an index)."""
    assert "20s" in embedded_pg.psql("SHOW autovacuum_naptime;")
