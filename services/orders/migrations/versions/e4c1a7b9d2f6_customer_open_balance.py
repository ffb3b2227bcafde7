"""each customer copy keeps its open balance; orders are numbered in the placing statement again

Placing read the open balance as a sum over the customer's open orders after locking the customer, then wrote
the order and numbered it in a statement of its own: six round trips. The balance is now a column that the
placing statement moves, guarded by the balance and version the order was priced against, so an order is read
in one statement and written, numbered and queued in another. Every status or payment change that takes an
order out of the balance (cancelled, rejected, paid) moves the column in the same statement as the change.

Orders are no longer left unnumbered between two statements, so `placed_event`, `ix_orders_unnumbered` and the
partial index of the summed balance go, and `number` is required again. A database that still holds an
unnumbered order (a process stopped between placing and numbering under the previous version) is refused: start
the previous version once, which numbers such orders within a minute, then upgrade.

Revision ID: e4c1a7b9d2f6
Revises: d8a1f3c6b2e9
Create Date: 2026-11-26 01:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e4c1a7b9d2f6"
down_revision: str | None = "d8a1f3c6b2e9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = "status NOT IN ('cancelled', 'rejected') AND payment_status <> 'paid'"


def upgrade() -> None:
    unnumbered = op.get_bind().execute(sa.text("SELECT count(*) FROM orders.orders WHERE number IS NULL")).scalar()
    if unnumbered:
        raise RuntimeError(
            f"{unnumbered} orders are not numbered yet: run the previous version until they are, then upgrade"
        )
    op.drop_index("ix_orders_unnumbered", table_name="orders", schema="orders")
    op.drop_column("orders", "placed_event", schema="orders")
    op.alter_column("orders", "number", existing_type=sa.String(length=32), nullable=False, schema="orders")
    op.drop_index("ix_orders_open_by_customer", table_name="orders", schema="orders")
    op.add_column(
        "customers",
        sa.Column("open_balance", sa.Numeric(14, 2), nullable=False, server_default=sa.text("0")),
        schema="orders",
    )
    op.execute(
        "UPDATE orders.customers c SET open_balance = o.balance "
        f"FROM (SELECT tenant_id, customer_id, sum(total) AS balance FROM orders.orders WHERE {OPEN} "
        "      GROUP BY tenant_id, customer_id) o "
        "WHERE c.tenant_id = o.tenant_id AND c.id = o.customer_id"
    )


def downgrade() -> None:
    op.drop_column("customers", "open_balance", schema="orders")
    op.create_index(
        "ix_orders_open_by_customer",
        "orders",
        ["tenant_id", "customer_id"],
        schema="orders",
        postgresql_where=sa.text(OPEN),
    )
    op.alter_column("orders", "number", existing_type=sa.String(length=32), nullable=True, schema="orders")
    op.add_column("orders", sa.Column("placed_event", sa.Text(), nullable=True), schema="orders")
    op.create_index(
        "ix_orders_unnumbered", "orders", ["created_at"], schema="orders", postgresql_where=sa.text("number IS NULL")
    )
