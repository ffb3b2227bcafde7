"""a per-tenant summary of orders by status and payment status, for the list's stats

Every GET /api/orders sums the filtered set by (status, payment_status). For a list filtered by nothing but
status or payment status that sum was a scan of all the tenant's orders on every request (O(orders)); it is now
read from `order_stats`, kept by the statements that place orders and change their status or payment. Each
order's counts live in one of eight shards (by order id), so placements and confirmations of one tenant do not
all queue on one row. Lists with any other filter still sum their (narrower) set, through the index of that
filter, so the covering index of d8a1f3c6b2e9 goes: it was one more index to write on every placement and on
every status change (status is in it, so no change of status is a HOT update).

Revision ID: f1d9b3e5a7c2
Revises: e4c1a7b9d2f6
Create Date: 2026-11-26 01:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision: str = "f1d9b3e5a7c2"
down_revision: str | None = "e4c1a7b9d2f6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "order_stats",
        sa.Column("tenant_id", UUID(as_uuid=False), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("payment_status", sa.String(16), nullable=False),
        sa.Column("shard", sa.SmallInteger(), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.Numeric(16, 2), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "status", "payment_status", "shard", name="pk_order_stats"),
        schema="orders",
    )
    op.execute(
        "INSERT INTO orders.order_stats (tenant_id, status, payment_status, shard, n, amount) "
        "SELECT tenant_id, status, payment_status, 0, count(*), sum(total) FROM orders.orders "
        "GROUP BY tenant_id, status, payment_status"
    )
    op.drop_index("ix_orders_tenant_stats", table_name="orders", schema="orders")


def downgrade() -> None:
    op.create_index(
        "ix_orders_tenant_stats",
        "orders",
        ["tenant_id", "status", "payment_status"],
        schema="orders",
        postgresql_include=["total"],
    )
    op.drop_table("order_stats", schema="orders")
