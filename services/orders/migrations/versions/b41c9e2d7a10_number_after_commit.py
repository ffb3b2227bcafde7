"""orders are numbered by a statement of their own after the placing transaction commits

`number` is NULL between the two; `placed_event` holds the `order.placed` body until the number is in it.

Revision ID: b41c9e2d7a10
Revises: f7eb30109e36
Create Date: 2026-11-25 17:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b41c9e2d7a10"
down_revision: str | None = "f7eb30109e36"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.alter_column("orders", "number", existing_type=sa.String(length=32), nullable=True, schema="orders")
    op.add_column("orders", sa.Column("placed_event", sa.Text(), nullable=True), schema="orders")
    op.create_index(
        "ix_orders_unnumbered", "orders", ["created_at"], schema="orders", postgresql_where=sa.text("number IS NULL")
    )


def downgrade() -> None:
    op.drop_index("ix_orders_unnumbered", table_name="orders", schema="orders")
    op.drop_column("orders", "placed_event", schema="orders")
    op.alter_column("orders", "number", existing_type=sa.String(length=32), nullable=False, schema="orders")
