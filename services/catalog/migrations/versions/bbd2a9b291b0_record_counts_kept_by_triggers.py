"""Record counts per tenant, table and status, kept by statement-level triggers on products and customers.

An unfiltered (or status-filtered) list reads its `total` from here instead of counting the tenant's rows.
The triggers use transition tables, so a COPY or a multi-row insert pays one upsert per statement, not per row.

Revision ID: bbd2a9b291b0
Revises: 01e8b09c3a16
Create Date: 2026-11-25 16:42:36.605503
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "bbd2a9b291b0"
down_revision: str | None = "01e8b09c3a16"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("products", "customers")

FUNCTION = """
CREATE FUNCTION catalog.count_records() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    INSERT INTO catalog.record_counts AS c (tenant_id, entity, status, n)
    SELECT tenant_id, TG_TABLE_NAME, status, -count(*) FROM old_rows GROUP BY tenant_id, status
    ON CONFLICT (tenant_id, entity, status) DO UPDATE SET n = c.n + EXCLUDED.n;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    INSERT INTO catalog.record_counts AS c (tenant_id, entity, status, n)
    SELECT tenant_id, TG_TABLE_NAME, status, count(*) FROM new_rows GROUP BY tenant_id, status
    ON CONFLICT (tenant_id, entity, status) DO UPDATE SET n = c.n + EXCLUDED.n;
  END IF;
  RETURN NULL;
END
$$
"""

TRIGGERS = {
    "insert": "AFTER INSERT ON catalog.{t} REFERENCING NEW TABLE AS new_rows",
    "update": "AFTER UPDATE ON catalog.{t} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "delete": "AFTER DELETE ON catalog.{t} REFERENCING OLD TABLE AS old_rows",
}


def upgrade() -> None:
    op.create_table(
        "record_counts",
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "entity", "status", name=op.f("pk_record_counts")),
        schema="catalog",
    )
    op.execute(FUNCTION)
    for table in TABLES:
        for name, when in TRIGGERS.items():
            op.execute(
                f"CREATE TRIGGER {table}_count_{name} {when.format(t=table)} "
                "FOR EACH STATEMENT EXECUTE FUNCTION catalog.count_records()"
            )
        op.execute(
            f"INSERT INTO catalog.record_counts (tenant_id, entity, status, n) "
            f"SELECT tenant_id, '{table}', status, count(*) FROM catalog.{table} GROUP BY tenant_id, status"
        )


def downgrade() -> None:
    for table in TABLES:
        for name in TRIGGERS:
            op.execute(f"DROP TRIGGER {table}_count_{name} ON catalog.{table}")
    op.execute("DROP FUNCTION catalog.count_records()")
    op.drop_table("record_counts", schema="catalog")
