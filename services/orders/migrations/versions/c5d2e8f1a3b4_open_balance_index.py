"""a partial index for the open balance read by every placement

Without it a prepared (generic) plan made while the table was young could read the balance through
`ix_orders_tenant_status_created`, scanning every order of the tenant: placement slowed as orders grew.

Revision ID: c5d2e8f1a3b4
Revises: b41c9e2d7a10
Create Date: 2026-11-25 17:58:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c5d2e8f1a3b4"
down_revision: str | None = "b41c9e2d7a10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = "status NOT IN ('cancelled', 'rejected') AND payment_status <> 'paid'"


def upgrade() -> None:
    op.create_index(
        "ix_orders_open_by_customer",
        "orders",
        ["tenant_id", "customer_id"],
        schema="orders",
        postgresql_where=sa.text(OPEN),
    )


def downgrade() -> None:
    op.drop_index("ix_orders_open_by_customer", table_name="orders", schema="orders")
