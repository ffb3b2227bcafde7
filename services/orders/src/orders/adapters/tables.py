"""Orders's tables, in the `orders` schema.

`products`, `customers`, `price_lists` and `price_list_prices` are orders's own copies of catalog's records,
fed by durable consumers; placing an order reads only these, never catalog over HTTP. Every index starts with
`tenant_id`, and every query names the tenant.
"""

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from salessync.db import make_metadata
from salessync.infra_tables import add_infrastructure_tables

metadata = make_metadata("orders")
add_infrastructure_tables(metadata)

MONEY = Numeric(14, 2)
RATE = Numeric(7, 4)

products = Table(
    "products",
    metadata,
    Column("tenant_id", UUID(as_uuid=False), primary_key=True),
    Column("id", UUID(as_uuid=False), primary_key=True),
    Column("code", String(64), nullable=False),
    Column("name", String(255), nullable=False),
    Column("unit", String(32), nullable=False, server_default=""),
    Column("price", MONEY, nullable=False),
    Column("tax_rate", RATE, nullable=False),
    Column("status", String(16), nullable=False),
    Column("version", Integer, nullable=False),
)

customers = Table(
    "customers",
    metadata,
    Column("tenant_id", UUID(as_uuid=False), primary_key=True),
    Column("id", UUID(as_uuid=False), primary_key=True),
    Column("name", String(255), nullable=False),
    Column("status", String(16), nullable=False),
    Column("credit_limit", MONEY),
    Column("price_list_id", UUID(as_uuid=False)),
    Column("version", Integer, nullable=False),
    # the sum of the totals of the customer's orders neither cancelled, rejected nor paid (the credit check's
    # figure), moved by the statements that place and change orders (order_writes); never by catalog's events
    Column("open_balance", MONEY, nullable=False, server_default=text("0")),
)

price_lists = Table(
    "price_lists",
    metadata,
    Column("tenant_id", UUID(as_uuid=False), primary_key=True),
    Column("id", UUID(as_uuid=False), primary_key=True),
    Column("name", String(255), nullable=False, server_default=""),
    Column("valid_from", Date),
    Column("valid_to", Date),
    Column("status", String(16), nullable=False),
    Column("version", Integer, nullable=False),
    Column("deleted", Boolean, nullable=False, server_default=text("false")),
)

price_list_prices = Table(
    "price_list_prices",
    metadata,
    Column("tenant_id", UUID(as_uuid=False), primary_key=True),
    Column("price_list_id", UUID(as_uuid=False), primary_key=True),
    Column("product_id", UUID(as_uuid=False), primary_key=True),
    Column("price", MONEY, nullable=False),
)

order_counters = Table(
    "order_counters",
    metadata,
    Column("tenant_id", UUID(as_uuid=False), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("last", Integer, nullable=False),
)

# Counts and sums of a tenant's orders by status and payment status, for the list's stats (migration
# f1d9b3e5a7c2). An order counts in one shard (order_writes.stats_shard), so writers spread over eight rows.
order_stats = Table(
    "order_stats",
    metadata,
    Column("tenant_id", UUID(as_uuid=False), primary_key=True),
    Column("status", String(16), primary_key=True),
    Column("payment_status", String(16), primary_key=True),
    Column("shard", SmallInteger, primary_key=True),
    Column("n", BigInteger, nullable=False),
    Column("amount", Numeric(16, 2), nullable=False),
)

orders = Table(
    "orders",
    metadata,
    Column("id", UUID(as_uuid=False), primary_key=True),
    Column("tenant_id", UUID(as_uuid=False), nullable=False),
    Column("number", String(32), nullable=False),
    Column("customer_id", UUID(as_uuid=False), nullable=False),
    Column("customer_name", String(255), nullable=False),
    Column("salesman_id", UUID(as_uuid=False), nullable=False),
    Column("van_load_id", UUID(as_uuid=False)),
    Column("status", String(16), nullable=False),
    Column("payment_status", String(16), nullable=False, server_default="unpaid"),
    Column("payment_method", String(16), nullable=False),
    Column("amount_paid", MONEY, nullable=False, server_default=text("0")),
    Column("gross_total", MONEY, nullable=False),
    Column("discount_total", MONEY, nullable=False),
    Column("tax_total", MONEY, nullable=False),
    Column("total", MONEY, nullable=False),
    Column("line_count", Integer, nullable=False),
    Column("credit_override", Boolean, nullable=False, server_default=text("false")),
    Column("notes", Text),
    Column("delivery_date", Date),
    Column("rejection_reason", JSONB),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("version", Integer, nullable=False, server_default=text("1")),
    UniqueConstraint("tenant_id", "number"),
    CheckConstraint("line_count > 0", name="has_lines"),
    CheckConstraint(
        "status IN ('pending','confirmed','rejected','cancelled','dispatched','delivered','returned')",
        name="status_known",
    ),
    CheckConstraint("payment_status IN ('unpaid','partially_paid','paid')", name="payment_status_known"),
    Index("ix_orders_tenant_created", "tenant_id", "created_at", "id"),
    Index("ix_orders_tenant_customer_created", "tenant_id", "customer_id", text("created_at DESC")),
    Index("ix_orders_tenant_salesman_created", "tenant_id", "salesman_id", text("created_at DESC")),
    Index("ix_orders_tenant_status_created", "tenant_id", "status", text("created_at DESC")),
    Index("ix_orders_tenant_van_load", "tenant_id", "van_load_id", postgresql_where=text("van_load_id IS NOT NULL")),
)

order_lines = Table(
    "order_lines",
    metadata,
    Column("order_id", UUID(as_uuid=False), ForeignKey("orders.orders.id", ondelete="CASCADE"), primary_key=True),
    Column("line_no", Integer, primary_key=True),
    Column("tenant_id", UUID(as_uuid=False), nullable=False),
    Column("product_id", UUID(as_uuid=False), nullable=False),
    Column("product_code", String(64), nullable=False),
    Column("product_name", String(255), nullable=False),
    Column("unit", String(32), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit_price", MONEY, nullable=False),
    Column("discount_rate", RATE, nullable=False),
    Column("tax_rate", RATE, nullable=False),
    Column("gross", MONEY, nullable=False),
    Column("discount_amount", MONEY, nullable=False),
    Column("tax_amount", MONEY, nullable=False),
    Column("line_total", MONEY, nullable=False),
    CheckConstraint("quantity > 0", name="quantity_positive"),
    CheckConstraint("discount_rate >= 0 AND discount_rate <= 1", name="discount_rate_range"),
    UniqueConstraint("order_id", "product_id"),
)

order_status_history = Table(
    "order_status_history",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("order_id", UUID(as_uuid=False), ForeignKey("orders.orders.id", ondelete="CASCADE"), nullable=False),
    Column("tenant_id", UUID(as_uuid=False), nullable=False),
    Column("field", String(16), nullable=False, server_default="status"),
    Column("from_status", String(16)),
    Column("to_status", String(16), nullable=False),
    Column("reason", Text),
    Column("actor_id", UUID(as_uuid=False)),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_order_status_history_order", "order_id", "id"),
)
