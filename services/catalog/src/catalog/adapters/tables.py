"""Catalog's tables, in the `catalog` schema.

Every table leads its indexes with `tenant_id`. References carry the tenant too (composite foreign keys on
`(tenant_id, id)`), so a row can never point at another tenant's category, brand, product or price list.
Search runs on a generated `tsvector` (simple configuration, so every word of name, code, barcode / phone and
the phone's digits is a token) with a GIN index, queried as word prefixes (`cola:*`). The embedded PostgreSQL
has no pg_trgm. Prefix `LIKE $1` on a `text_pattern_ops` index was left out on purpose: under a prepared
statement's generic plan the pattern is unknown and the index cannot be used, while `@@ to_tsquery($1)` can.
"""

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Computed,
    Date,
    DateTime,
    Float,
    ForeignKeyConstraint,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import TSVECTOR, UUID

from salessync.db import make_metadata
from salessync.infra_tables import add_infrastructure_tables

metadata = make_metadata("catalog")

# Punctuation becomes spaces before the words are taken, so `SNK-1` is `snk` and `1`, as the search splits it.
PRODUCT_SEARCH = (
    "to_tsvector('simple', regexp_replace(name || ' ' || code || ' ' || coalesce(barcode, ''), "
    "'[^[:alnum:]]+', ' ', 'g'))"
)
CUSTOMER_SEARCH = (
    "to_tsvector('simple', regexp_replace(name || ' ' || code || ' ' || coalesce(phone, ''), "
    "'[^[:alnum:]]+', ' ', 'g') || ' ' || regexp_replace(coalesce(phone, ''), '[^0-9]', '', 'g'))"
)
add_infrastructure_tables(metadata)


def _audit() -> list[Column]:  # type: ignore[type-arg]
    return [
        Column("version", Integer, nullable=False, server_default="1"),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    ]


categories = Table(
    "categories",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("name", String(120), nullable=False),
    Column("parent_id", UUID(as_uuid=True)),
    Column("description", String(1000)),
    *_audit(),
    UniqueConstraint("tenant_id", "id", name="uq_categories_tenant_id"),
    UniqueConstraint("tenant_id", "name", name="uq_categories_tenant_name"),
    ForeignKeyConstraint(
        ["tenant_id", "parent_id"],
        ["categories.tenant_id", "categories.id"],
        name="fk_categories_parent",
    ),
    Index("ix_categories_tenant_parent", "tenant_id", "parent_id"),
)

brands = Table(
    "brands",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("name", String(120), nullable=False),
    Column("description", String(1000)),
    *_audit(),
    UniqueConstraint("tenant_id", "id", name="uq_brands_tenant_id"),
    UniqueConstraint("tenant_id", "name", name="uq_brands_tenant_name"),
)

products = Table(
    "products",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("code", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("description", String(2000)),
    Column("barcode", String(64)),
    Column("category_id", UUID(as_uuid=True)),
    Column("brand_id", UUID(as_uuid=True)),
    Column("unit", String(20), nullable=False, server_default="pcs"),
    Column("price", Numeric(12, 2), nullable=False),
    Column("cost", Numeric(12, 2), nullable=False, server_default="0"),
    Column("tax_rate", Numeric(5, 4), nullable=False, server_default="0"),
    Column("reorder_level", Integer, nullable=False, server_default="0"),
    Column("status", String(16), nullable=False, server_default="active"),
    *_audit(),
    Column(
        "search_vec",
        TSVECTOR,
        Computed(
            PRODUCT_SEARCH,
            persisted=True,
        ),
    ),
    UniqueConstraint("tenant_id", "id", name="uq_products_tenant_id"),
    UniqueConstraint("tenant_id", "code", name="uq_products_tenant_code"),
    ForeignKeyConstraint(
        ["tenant_id", "category_id"], ["categories.tenant_id", "categories.id"], name="fk_products_category"
    ),
    ForeignKeyConstraint(["tenant_id", "brand_id"], ["brands.tenant_id", "brands.id"], name="fk_products_brand"),
    CheckConstraint("price >= 0", name="price_nonnegative"),
    CheckConstraint("cost >= 0", name="cost_nonnegative"),
    CheckConstraint("tax_rate >= 0 AND tax_rate <= 1", name="tax_rate_range"),
    CheckConstraint("reorder_level >= 0", name="reorder_level_nonnegative"),
    CheckConstraint("status IN ('active', 'inactive')", name="status_known"),
    Index(
        "uq_products_tenant_barcode",
        "tenant_id",
        "barcode",
        unique=True,
        postgresql_where=text("barcode IS NOT NULL"),
    ),
    Index("ix_products_tenant_name", "tenant_id", "name", "id"),
    Index("ix_products_tenant_created", "tenant_id", text("created_at DESC"), text("id DESC")),
    Index("ix_products_tenant_price", "tenant_id", "price", "id"),
    Index("ix_products_tenant_category", "tenant_id", "category_id", "name", postgresql_include=["status", "brand_id"]),
    Index("ix_products_tenant_brand", "tenant_id", "brand_id", "name", postgresql_include=["status", "category_id"]),
    Index("ix_products_search", "search_vec", postgresql_using="gin"),
)

price_lists = Table(
    "price_lists",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("name", String(120), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("valid_from", Date),
    Column("valid_to", Date),
    Column("status", String(16), nullable=False, server_default="active"),
    *_audit(),
    UniqueConstraint("tenant_id", "id", name="uq_price_lists_tenant_id"),
    UniqueConstraint("tenant_id", "name", name="uq_price_lists_tenant_name"),
    CheckConstraint("valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from", name="valid_range"),
    CheckConstraint("status IN ('active', 'inactive')", name="status_known"),
)

price_list_items = Table(
    "price_list_items",
    metadata,
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("price_list_id", UUID(as_uuid=True), primary_key=True),
    Column("product_id", UUID(as_uuid=True), primary_key=True),
    Column("price", Numeric(12, 2), nullable=False),
    ForeignKeyConstraint(
        ["tenant_id", "price_list_id"],
        ["price_lists.tenant_id", "price_lists.id"],
        name="fk_price_list_items_list",
        ondelete="CASCADE",
    ),
    ForeignKeyConstraint(
        ["tenant_id", "product_id"], ["products.tenant_id", "products.id"], name="fk_price_list_items_product"
    ),
    CheckConstraint("price >= 0", name="price_nonnegative"),
    Index("ix_price_list_items_product", "tenant_id", "product_id"),
)

customers = Table(
    "customers",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("code", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("type", String(20), nullable=False, server_default="retail"),
    Column("contact_name", String(200)),
    Column("phone", String(40)),
    Column("email", String(254)),
    Column("address", String(500)),
    Column("latitude", Float),
    Column("longitude", Float),
    Column("geofence_radius_m", Integer, nullable=False, server_default="100"),
    Column("route", String(100)),
    Column("credit_limit", Numeric(12, 2), nullable=False, server_default="0"),
    Column("payment_terms_days", Integer, nullable=False, server_default="0"),
    Column("price_list_id", UUID(as_uuid=True)),
    Column("status", String(16), nullable=False, server_default="active"),
    *_audit(),
    Column(
        "search_vec",
        TSVECTOR,
        Computed(
            CUSTOMER_SEARCH,
            persisted=True,
        ),
    ),
    UniqueConstraint("tenant_id", "id", name="uq_customers_tenant_id"),
    UniqueConstraint("tenant_id", "code", name="uq_customers_tenant_code"),
    ForeignKeyConstraint(
        ["tenant_id", "price_list_id"], ["price_lists.tenant_id", "price_lists.id"], name="fk_customers_price_list"
    ),
    CheckConstraint("latitude IS NULL OR (latitude >= -90 AND latitude <= 90)", name="latitude_range"),
    CheckConstraint("longitude IS NULL OR (longitude >= -180 AND longitude <= 180)", name="longitude_range"),
    CheckConstraint("geofence_radius_m > 0", name="geofence_positive"),
    CheckConstraint("credit_limit >= 0", name="credit_limit_nonnegative"),
    CheckConstraint("payment_terms_days >= 0", name="payment_terms_nonnegative"),
    CheckConstraint("status IN ('active', 'inactive')", name="status_known"),
    Index("ix_customers_tenant_name", "tenant_id", "name", "id"),
    Index("ix_customers_tenant_created", "tenant_id", text("created_at DESC"), text("id DESC")),
    Index("ix_customers_tenant_route", "tenant_id", "route", "name", postgresql_include=["type", "status"]),
    Index("ix_customers_tenant_type", "tenant_id", "type", "name", postgresql_include=["route", "status"]),
    Index("ix_customers_tenant_price_list", "tenant_id", "price_list_id"),
    Index("ix_customers_search", "search_vec", postgresql_using="gin"),
)

# How many rows each tenant holds per table and status, kept by statement-level triggers (see the migration),
# so an unfiltered list answers its `total` without counting 100,000 index entries on every page.
record_counts = Table(
    "record_counts",
    metadata,
    Column("tenant_id", UUID(as_uuid=True), primary_key=True),
    Column("entity", String(32), primary_key=True),
    Column("status", String(16), primary_key=True),
    Column("n", BigInteger, nullable=False),
)

# A version per tenant and list (products, customers), bumped by statement-level triggers on every write (see the
# migration): the page cache keys its pages on it (`page_cache`), so a write by any replica retires them at once.
list_versions = Table(
    "list_versions",
    metadata,
    Column("tenant_id", UUID(as_uuid=True), primary_key=True),
    Column("entity", String(32), primary_key=True),
    Column("version", BigInteger, nullable=False),
)
