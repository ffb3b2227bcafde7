"""orders, lines, status history, day counters and catalog copies

Revision ID: f7eb30109e36
Revises:
Create Date: 2026-11-25 16:28:58.089099
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "f7eb30109e36"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "customers",
        sa.Column("tenant_id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("credit_limit", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("price_list_id", sa.UUID(as_uuid=False), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_customers")),
        schema="orders",
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("tenant_id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "key", "scope", name=op.f("pk_idempotency_keys")),
        schema="orders",
    )
    op.create_table(
        "order_counters",
        sa.Column("tenant_id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "day", name=op.f("pk_order_counters")),
        schema="orders",
    )
    op.create_table(
        "orders",
        sa.Column("id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("tenant_id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("customer_name", sa.String(length=255), nullable=False),
        sa.Column("salesman_id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("van_load_id", sa.UUID(as_uuid=False), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("payment_status", sa.String(length=16), server_default="unpaid", nullable=False),
        sa.Column("payment_method", sa.String(length=16), nullable=False),
        sa.Column("amount_paid", sa.Numeric(precision=14, scale=2), server_default=sa.text("0"), nullable=False),
        sa.Column("gross_total", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("discount_total", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("tax_total", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("total", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("line_count", sa.Integer(), nullable=False),
        sa.Column("credit_override", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("delivery_date", sa.Date(), nullable=True),
        sa.Column("rejection_reason", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "payment_status IN ('unpaid','partially_paid','paid')", name=op.f("ck_orders_payment_status_known")
        ),
        sa.CheckConstraint(
            "status IN ('pending','confirmed','rejected','cancelled','dispatched','delivered','returned')",
            name=op.f("ck_orders_status_known"),
        ),
        sa.CheckConstraint("line_count > 0", name=op.f("ck_orders_has_lines")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("tenant_id", "number", name=op.f("uq_orders_tenant_id_number")),
        schema="orders",
    )
    op.create_index(
        "ix_orders_tenant_created",
        "orders",
        ["tenant_id", "created_at", "id"],
        unique=False,
        schema="orders",
    )
    op.create_index(
        "ix_orders_tenant_customer_created",
        "orders",
        ["tenant_id", "customer_id", sa.literal_column("created_at DESC")],
        unique=False,
        schema="orders",
    )
    op.create_index(
        "ix_orders_tenant_salesman_created",
        "orders",
        ["tenant_id", "salesman_id", sa.literal_column("created_at DESC")],
        unique=False,
        schema="orders",
    )
    op.create_index(
        "ix_orders_tenant_status_created",
        "orders",
        ["tenant_id", "status", sa.literal_column("created_at DESC")],
        unique=False,
        schema="orders",
    )
    op.create_index(
        "ix_orders_tenant_van_load",
        "orders",
        ["tenant_id", "van_load_id"],
        unique=False,
        schema="orders",
        postgresql_where=sa.text("van_load_id IS NOT NULL"),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("aggregate_id", sa.String(length=64), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("event_id", name=op.f("uq_outbox_event_id")),
        schema="orders",
    )
    op.create_index(
        "ix_outbox_unpublished",
        "outbox",
        ["id"],
        unique=False,
        schema="orders",
        postgresql_where=sa.text("published_at IS NULL"),
    )
    op.create_table(
        "price_list_prices",
        sa.Column("tenant_id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("price_list_id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("product_id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("price", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "price_list_id", "product_id", name=op.f("pk_price_list_prices")),
        schema="orders",
    )
    op.create_table(
        "price_lists",
        sa.Column("tenant_id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("name", sa.String(length=255), server_default="", nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_price_lists")),
        schema="orders",
    )
    op.create_table(
        "processed_events",
        sa.Column("consumer", sa.String(length=128), nullable=False),
        sa.Column("event_id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("consumer", "event_id", name=op.f("pk_processed_events")),
        schema="orders",
    )
    op.create_table(
        "products",
        sa.Column("tenant_id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("unit", sa.String(length=32), server_default="", nullable=False),
        sa.Column("price", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("tax_rate", sa.Numeric(precision=7, scale=4), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_products")),
        schema="orders",
    )
    op.create_table(
        "order_lines",
        sa.Column("order_id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("product_id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("product_code", sa.String(length=64), nullable=False),
        sa.Column("product_name", sa.String(length=255), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("discount_rate", sa.Numeric(precision=7, scale=4), nullable=False),
        sa.Column("tax_rate", sa.Numeric(precision=7, scale=4), nullable=False),
        sa.Column("gross", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("discount_amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("tax_amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("line_total", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.CheckConstraint(
            "discount_rate >= 0 AND discount_rate <= 1", name=op.f("ck_order_lines_discount_rate_range")
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_order_lines_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.orders.id"], name=op.f("fk_order_lines_order_id_orders"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("order_id", "line_no", name=op.f("pk_order_lines")),
        sa.UniqueConstraint("order_id", "product_id", name=op.f("uq_order_lines_order_id_product_id")),
        schema="orders",
    )
    op.create_table(
        "order_status_history",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("tenant_id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("field", sa.String(length=16), server_default="status", nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("actor_id", sa.UUID(as_uuid=False), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.orders.id"], name=op.f("fk_order_status_history_order_id_orders"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_status_history")),
        schema="orders",
    )
    op.create_index(
        "ix_order_status_history_order", "order_status_history", ["order_id", "id"], unique=False, schema="orders"
    )


def downgrade() -> None:
    op.drop_index("ix_order_status_history_order", table_name="order_status_history", schema="orders")
    op.drop_table("order_status_history", schema="orders")
    op.drop_table("order_lines", schema="orders")
    op.drop_table("products", schema="orders")
    op.drop_table("processed_events", schema="orders")
    op.drop_table("price_lists", schema="orders")
    op.drop_table("price_list_prices", schema="orders")
    op.drop_index(
        "ix_outbox_unpublished", table_name="outbox", schema="orders", postgresql_where=sa.text("published_at IS NULL")
    )
    op.drop_table("outbox", schema="orders")
    op.drop_index(
        "ix_orders_tenant_van_load",
        table_name="orders",
        schema="orders",
        postgresql_where=sa.text("van_load_id IS NOT NULL"),
    )
    op.drop_index("ix_orders_tenant_status_created", table_name="orders", schema="orders")
    op.drop_index("ix_orders_tenant_salesman_created", table_name="orders", schema="orders")
    op.drop_index("ix_orders_tenant_customer_created", table_name="orders", schema="orders")
    op.drop_index("ix_orders_tenant_created", table_name="orders", schema="orders")
    op.drop_table("orders", schema="orders")
    op.drop_table("order_counters", schema="orders")
    op.drop_table("idempotency_keys", schema="orders")
    op.drop_table("customers", schema="orders")
