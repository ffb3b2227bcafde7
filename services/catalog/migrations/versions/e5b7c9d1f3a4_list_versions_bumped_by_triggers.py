"""A version per tenant and list (products, customers), bumped by statement-level triggers on every write.

Catalog replicas cache list pages in memory under the version they read; one cheap key lookup tells every
replica whether a page is still what the table holds, whichever replica (or seed, or COPY) wrote.

Revision ID: e5b7c9d1f3a4
Revises: d8a3b5c6e1f2
Create Date: 2026-11-25 17:35:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e5b7c9d1f3a4"
down_revision: str | None = "d8a3b5c6e1f2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("products", "customers")

FUNCTION = """
CREATE FUNCTION catalog.bump_list_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO catalog.list_versions AS v (tenant_id, entity, version)
    SELECT DISTINCT tenant_id, TG_TABLE_NAME, 1 FROM old_rows
    ON CONFLICT (tenant_id, entity) DO UPDATE SET version = v.version + 1;
  ELSE
    INSERT INTO catalog.list_versions AS v (tenant_id, entity, version)
    SELECT DISTINCT tenant_id, TG_TABLE_NAME, 1 FROM new_rows
    ON CONFLICT (tenant_id, entity) DO UPDATE SET version = v.version + 1;
  END IF;
  RETURN NULL;
END
$$
"""

TRIGGERS = {
    "insert": "AFTER INSERT ON catalog.{t} REFERENCING NEW TABLE AS new_rows",
    "update": "AFTER UPDATE ON catalog.{t} REFERENCING NEW TABLE AS new_rows",
    "delete": "AFTER DELETE ON catalog.{t} REFERENCING OLD TABLE AS old_rows",
}


def upgrade() -> None:
    op.create_table(
        "list_versions",
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "entity", name=op.f("pk_list_versions")),
        schema="catalog",
    )
    op.execute(FUNCTION)
    for table in TABLES:
        for name, when in TRIGGERS.items():
            op.execute(
                f"CREATE TRIGGER {table}_version_{name} {when.format(t=table)} "
                "FOR EACH STATEMENT EXECUTE FUNCTION catalog.bump_list_version()"
            )


def downgrade() -> None:
    for table in TABLES:
        for name in TRIGGERS:
            op.execute(f"DROP TRIGGER {table}_version_{name} ON catalog.{table}")
    op.execute("DROP FUNCTION catalog.bump_list_version()")
    op.drop_table("list_versions", schema="catalog")
