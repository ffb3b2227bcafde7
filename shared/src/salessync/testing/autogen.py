"""Write a new Alembic revision for a service by comparing its tables with a freshly migrated database.

    python -m salessync.testing.autogen <service> "<message>"

Starts a throwaway embedded PostgreSQL, applies the service's existing migrations, autogenerates the diff.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from salessync.embedded import EmbeddedPostgres
from salessync.migrations import alembic_config, upgrade
from salessync.registry import discover


def main() -> None:
    service, message = sys.argv[1], sys.argv[2]
    spec = next(s for s in discover() if s.name == service)
    with tempfile.TemporaryDirectory(prefix="ss-ag-", dir="/tmp") as tmp:
        pg = EmbeddedPostgres(Path(tmp) / "pg")
        pg.start()
        try:
            url = pg.create_database("autogen")
            upgrade(spec.service_dir, url)
            command.revision(alembic_config(spec.service_dir, url), message=message, autogenerate=True)
        finally:
            pg.stop()


if __name__ == "__main__":
    main()
