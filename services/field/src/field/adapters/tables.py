"""Field's tables, in the `field` schema."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from salessync.db import make_metadata
from salessync.infra_tables import add_infrastructure_tables

metadata = make_metadata("field")
add_infrastructure_tables(metadata)

ID = UUID(as_uuid=True)
MOVEMENT_KINDS = (
    "receipt",
    "adjustment",
    "transfer_out",
    "transfer_in",
    "reservation",
    "release",
    "sale",
    "load",
    "return",
    "damage",
)


def _now() -> Column:  # type: ignore[type-arg]
    return Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now())


locations = Table(
    "locations",
    metadata,
    Column("id", ID, primary_key=True),
    Column("tenant_id", ID, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("name", String(200), nullable=False),
    Column("code", String(64)),
    Column("address", Text),
    Column("is_default", Boolean, nullable=False, server_default=text("false")),
    Column("registration", String(32)),
    Column("assigned_salesman_id", ID),
    Column("status", String(16), nullable=False, server_default=text("'active'")),
    Column("version", Integer, nullable=False, server_default=text("1")),
    _now(),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("kind IN ('warehouse', 'van')", name="kind"),
    CheckConstraint("status IN ('active', 'inactive')", name="status"),
    CheckConstraint("kind = 'warehouse' OR registration IS NOT NULL", name="van_registration"),
    Index("ix_locations_tenant_kind", "tenant_id", "kind", "name"),
    Index(
        "uq_locations_van_registration",
        "tenant_id",
        text("upper(registration)"),
        unique=True,
        postgresql_where=text("kind = 'van'"),
    ),
    Index(
        "uq_locations_warehouse_code",
        "tenant_id",
        text("upper(code)"),
        unique=True,
        postgresql_where=text("kind = 'warehouse' AND code IS NOT NULL"),
    ),
    Index("uq_locations_default", "tenant_id", unique=True, postgresql_where=text("is_default")),
)

products = Table(
    "products",
    metadata,
    Column("tenant_id", ID, primary_key=True),
    Column("id", ID, primary_key=True),
    Column("code", String(64)),
    Column("name", String(300)),
    Column("unit", String(32)),
    Column("reorder_level", Integer, nullable=False, server_default=text("0")),
    Column("status", String(16), nullable=False, server_default=text("'active'")),
    Column("version", Integer, nullable=False, server_default=text("0")),
)

customers = Table(
    "customers",
    metadata,
    Column("tenant_id", ID, primary_key=True),
    Column("id", ID, primary_key=True),
    Column("name", String(300)),
    Column("latitude", Numeric(9, 6)),
    Column("longitude", Numeric(9, 6)),
    Column("geofence_radius_m", Integer),
    Column("status", String(16), nullable=False, server_default=text("'active'")),
    Column("version", Integer, nullable=False, server_default=text("0")),
)

users = Table(
    "users",
    metadata,
    Column("tenant_id", ID, primary_key=True),
    Column("id", ID, primary_key=True),
    Column("name", String(200)),
    Column("role", String(32)),
    Column("status", String(16), nullable=False, server_default=text("'active'")),
    Column("event_at", DateTime(timezone=True), nullable=False),
)

stock_levels = Table(
    "stock_levels",
    metadata,
    Column("tenant_id", ID, primary_key=True),
    Column("location_id", ID, primary_key=True),
    Column("product_id", ID, primary_key=True),
    Column("on_hand", Integer, nullable=False, server_default=text("0")),
    Column("reserved", Integer, nullable=False, server_default=text("0")),
    Column("reorder_level", Integer),
    Column("is_low", Boolean, nullable=False, server_default=text("false")),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("reserved >= 0 AND on_hand >= reserved", name="never_negative"),
    Index("ix_stock_levels_product", "tenant_id", "product_id"),
)

stock_movements = Table(
    "stock_movements",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("tenant_id", ID, nullable=False),
    Column("location_id", ID, nullable=False),
    Column("product_id", ID, nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("cause_type", String(32), nullable=False),
    Column("cause_id", ID),
    Column("reason", String(32)),
    Column("actor_id", ID),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("quantity <> 0", name="nonzero"),
    CheckConstraint("kind IN (" + ", ".join(f"'{k}'" for k in MOVEMENT_KINDS) + ")", name="kind"),
    Index("ix_stock_movements_level", "tenant_id", "location_id", "product_id", "id"),
    Index("ix_stock_movements_tenant_id", "tenant_id", "id"),
    Index("ix_stock_movements_cause", "tenant_id", "cause_id"),
)

reservations = Table(
    "reservations",
    metadata,
    Column("tenant_id", ID, primary_key=True),
    Column("order_id", ID, primary_key=True),
    Column("location_id", ID),
    Column("van_load_id", ID),
    Column("status", String(16), nullable=False),
    Column("lines", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("payment_method", String(16)),
    Column("cash_amount", Numeric(14, 2), nullable=False, server_default=text("0")),
    Column("reason", Text),
    _now(),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("status IN ('reserved', 'sold', 'released', 'rejected', 'returned')", name="status"),
    Index("ix_reservations_location", "tenant_id", "location_id", "status"),
)

OPEN_LOAD_STATUSES = ("planned", "loaded", "in_field", "returned")

van_loads = Table(
    "van_loads",
    metadata,
    Column("id", ID, primary_key=True),
    Column("tenant_id", ID, nullable=False),
    Column("van_id", ID, nullable=False),
    Column("salesman_id", ID, nullable=False),
    Column("warehouse_id", ID, nullable=False),
    Column("status", String(16), nullable=False),
    Column("cash_float", Numeric(14, 2), nullable=False, server_default=text("0")),
    Column("cash_sales", Numeric(14, 2), nullable=False, server_default=text("0")),
    Column("counted_cash", Numeric(14, 2)),
    Column("expected_cash", Numeric(14, 2)),
    Column("cash_variance", Numeric(14, 2)),
    Column("result", String(16)),
    Column("note", Text),
    Column("planned_by", ID),
    Column("approved_by", ID),
    _now(),
    Column("loaded_at", DateTime(timezone=True)),
    Column("departed_at", DateTime(timezone=True)),
    Column("returned_at", DateTime(timezone=True)),
    Column("reconciled_at", DateTime(timezone=True)),
    Column("approved_at", DateTime(timezone=True)),
    Column("cancelled_at", DateTime(timezone=True)),
    Column("version", Integer, nullable=False, server_default=text("1")),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint(
        "status IN ('planned', 'loaded', 'in_field', 'returned', 'reconciled', 'cancelled')", name="status"
    ),
    Index("ix_van_loads_tenant_created", "tenant_id", "created_at"),
    Index("ix_van_loads_salesman", "tenant_id", "salesman_id"),
    Index(
        "uq_van_loads_open_per_van",
        "tenant_id",
        "van_id",
        unique=True,
        postgresql_where=text("status IN (" + ", ".join(f"'{s}'" for s in OPEN_LOAD_STATUSES) + ")"),
    ),
)

van_load_lines = Table(
    "van_load_lines",
    metadata,
    Column("tenant_id", ID, primary_key=True),
    Column("van_load_id", ID, primary_key=True),
    Column("product_id", ID, primary_key=True),
    Column("planned", Integer, nullable=False, server_default=text("0")),
    Column("loaded", Integer, nullable=False, server_default=text("0")),
    Column("sold", Integer, nullable=False, server_default=text("0")),
    Column("returned", Integer, nullable=False, server_default=text("0")),
    Column("damaged", Integer, nullable=False, server_default=text("0")),
    CheckConstraint("planned >= 0 AND loaded >= 0 AND sold >= 0 AND returned >= 0 AND damaged >= 0", name="counts"),
)

visits = Table(
    "visits",
    metadata,
    Column("id", ID, primary_key=True),
    Column("tenant_id", ID, nullable=False),
    Column("customer_id", ID, nullable=False),
    Column("agent_id", ID, nullable=False),
    Column("planned_at", DateTime(timezone=True), nullable=False),
    Column("purpose", String(500)),
    Column("status", String(16), nullable=False),
    Column("checked_in_at", DateTime(timezone=True)),
    Column("check_in_latitude", Numeric(9, 6)),
    Column("check_in_longitude", Numeric(9, 6)),
    Column("accuracy_m", Numeric(10, 2)),
    Column("device_time", DateTime(timezone=True)),
    Column("distance_m", Numeric(12, 1)),
    Column("out_of_geofence", Boolean),
    Column("checked_out_at", DateTime(timezone=True)),
    Column("outcome", String(32)),
    Column("notes", Text),
    Column("photos", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("cancel_reason", Text),
    Column("created_by", ID),
    _now(),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("version", Integer, nullable=False, server_default=text("1")),
    CheckConstraint("status IN ('planned', 'checked_in', 'checked_out', 'cancelled')", name="status"),
    Index("ix_visits_agent_planned", "tenant_id", "agent_id", "planned_at"),
    Index("ix_visits_customer", "tenant_id", "customer_id", "planned_at"),
)

agent_locations = Table(
    "agent_locations",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("tenant_id", ID, nullable=False),
    Column("agent_id", ID, nullable=False),
    Column("latitude", Numeric(9, 6), nullable=False),
    Column("longitude", Numeric(9, 6), nullable=False),
    Column("accuracy_m", Numeric(10, 2), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_agent_locations_latest", "tenant_id", "agent_id", "recorded_at"),
    Index("ix_agent_locations_received", "received_at"),
)

tenant_policies = Table(
    "tenant_policies",
    metadata,
    Column("tenant_id", ID, primary_key=True),
    Column("geofence_policy", String(16), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("geofence_policy IN ('flag', 'refuse')", name="geofence_policy"),
)
