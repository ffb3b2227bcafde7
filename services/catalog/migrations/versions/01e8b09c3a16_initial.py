"""Initial catalog schema: categories, brands, products, price lists and their items, customers.

Revision ID: 01e8b09c3a16
Revises:
Create Date: 2026-11-25 16:27:40.601976
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "01e8b09c3a16"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "brands",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_brands")),
        sa.UniqueConstraint("tenant_id", "id", name="uq_brands_tenant_id"),
        sa.UniqueConstraint("tenant_id", "name", name="uq_brands_tenant_name"),
        schema="catalog",
    )
    op.create_table(
        "categories",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("parent_id", sa.UUID(), nullable=True),
        sa.Column("description", sa.String(length=1000), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "parent_id"],
            ["catalog.categories.tenant_id", "catalog.categories.id"],
            name="fk_categories_parent",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_categories")),
        sa.UniqueConstraint("tenant_id", "id", name="uq_categories_tenant_id"),
        sa.UniqueConstraint("tenant_id", "name", name="uq_categories_tenant_name"),
        schema="catalog",
    )
    op.create_index(
        "ix_categories_tenant_parent", "categories", ["tenant_id", "parent_id"], unique=False, schema="catalog"
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
        schema="catalog",
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
        schema="catalog",
    )
    op.create_index(
        "ix_outbox_unpublished",
        "outbox",
        ["id"],
        unique=False,
        schema="catalog",
        postgresql_where=sa.text("published_at IS NULL"),
    )
    op.create_table(
        "price_lists",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="active", nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("status IN ('active', 'inactive')", name=op.f("ck_price_lists_status_known")),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from", name=op.f("ck_price_lists_valid_range")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_price_lists")),
        sa.UniqueConstraint("tenant_id", "id", name="uq_price_lists_tenant_id"),
        sa.UniqueConstraint("tenant_id", "name", name="uq_price_lists_tenant_name"),
        schema="catalog",
    )
    op.create_table(
        "processed_events",
        sa.Column("consumer", sa.String(length=128), nullable=False),
        sa.Column("event_id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("consumer", "event_id", name=op.f("pk_processed_events")),
        schema="catalog",
    )
    op.create_table(
        "customers",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=20), server_default="retail", nullable=False),
        sa.Column("contact_name", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("address", sa.String(length=500), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("geofence_radius_m", sa.Integer(), server_default="100", nullable=False),
        sa.Column("route", sa.String(length=100), nullable=True),
        sa.Column("credit_limit", sa.Numeric(precision=12, scale=2), server_default="0", nullable=False),
        sa.Column("payment_terms_days", sa.Integer(), server_default="0", nullable=False),
        sa.Column("price_list_id", sa.UUID(), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="active", nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column(
            "search_vec",
            postgresql.TSVECTOR(),
            sa.Computed(
                "to_tsvector('simple'::regconfig, (((((name)::text || ' '::text) || (code)::text) || ' '::text) || (coalesce(phone, ''::character varying))::text) || ' '::text || regexp_replace(coalesce(phone, ''::character varying)::text, '[^0-9]'::text, ''::text, 'g'::text))",
                persisted=True,
            ),
            nullable=True,
        ),
        sa.CheckConstraint("status IN ('active', 'inactive')", name=op.f("ck_customers_status_known")),
        sa.CheckConstraint("credit_limit >= 0", name=op.f("ck_customers_credit_limit_nonnegative")),
        sa.CheckConstraint("geofence_radius_m > 0", name=op.f("ck_customers_geofence_positive")),
        sa.CheckConstraint(
            "latitude IS NULL OR (latitude >= -90 AND latitude <= 90)", name=op.f("ck_customers_latitude_range")
        ),
        sa.CheckConstraint(
            "longitude IS NULL OR (longitude >= -180 AND longitude <= 180)", name=op.f("ck_customers_longitude_range")
        ),
        sa.CheckConstraint("payment_terms_days >= 0", name=op.f("ck_customers_payment_terms_nonnegative")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "price_list_id"],
            ["catalog.price_lists.tenant_id", "catalog.price_lists.id"],
            name="fk_customers_price_list",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
        sa.UniqueConstraint("tenant_id", "code", name="uq_customers_tenant_code"),
        sa.UniqueConstraint("tenant_id", "id", name="uq_customers_tenant_id"),
        schema="catalog",
    )
    op.create_index(
        "ix_customers_search", "customers", ["search_vec"], unique=False, schema="catalog", postgresql_using="gin"
    )
    op.create_index(
        "ix_customers_tenant_created",
        "customers",
        ["tenant_id", sa.literal_column("created_at DESC"), sa.literal_column("id DESC")],
        unique=False,
        schema="catalog",
    )
    op.create_index(
        "ix_customers_tenant_name", "customers", ["tenant_id", "name", "id"], unique=False, schema="catalog"
    )
    op.create_index(
        "ix_customers_tenant_price_list", "customers", ["tenant_id", "price_list_id"], unique=False, schema="catalog"
    )
    op.create_index(
        "ix_customers_tenant_route", "customers", ["tenant_id", "route", "name"], unique=False, schema="catalog"
    )
    op.create_index(
        "ix_customers_tenant_type", "customers", ["tenant_id", "type", "name"], unique=False, schema="catalog"
    )
    op.create_table(
        "products",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=True),
        sa.Column("barcode", sa.String(length=64), nullable=True),
        sa.Column("category_id", sa.UUID(), nullable=True),
        sa.Column("brand_id", sa.UUID(), nullable=True),
        sa.Column("unit", sa.String(length=20), server_default="pcs", nullable=False),
        sa.Column("price", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("cost", sa.Numeric(precision=12, scale=2), server_default="0", nullable=False),
        sa.Column("tax_rate", sa.Numeric(precision=5, scale=4), server_default="0", nullable=False),
        sa.Column("reorder_level", sa.Integer(), server_default="0", nullable=False),
        sa.Column("status", sa.String(length=16), server_default="active", nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column(
            "search_vec",
            postgresql.TSVECTOR(),
            sa.Computed(
                "to_tsvector('simple'::regconfig, (((name)::text || ' '::text) || (code)::text) || ' '::text || (coalesce(barcode, ''::character varying))::text)",
                persisted=True,
            ),
            nullable=True,
        ),
        sa.CheckConstraint("status IN ('active', 'inactive')", name=op.f("ck_products_status_known")),
        sa.CheckConstraint("cost >= 0", name=op.f("ck_products_cost_nonnegative")),
        sa.CheckConstraint("price >= 0", name=op.f("ck_products_price_nonnegative")),
        sa.CheckConstraint("reorder_level >= 0", name=op.f("ck_products_reorder_level_nonnegative")),
        sa.CheckConstraint("tax_rate >= 0 AND tax_rate <= 1", name=op.f("ck_products_tax_rate_range")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "brand_id"], ["catalog.brands.tenant_id", "catalog.brands.id"], name="fk_products_brand"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "category_id"],
            ["catalog.categories.tenant_id", "catalog.categories.id"],
            name="fk_products_category",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_products")),
        sa.UniqueConstraint("tenant_id", "code", name="uq_products_tenant_code"),
        sa.UniqueConstraint("tenant_id", "id", name="uq_products_tenant_id"),
        schema="catalog",
    )
    op.create_index(
        "ix_products_search", "products", ["search_vec"], unique=False, schema="catalog", postgresql_using="gin"
    )
    op.create_index(
        "ix_products_tenant_brand", "products", ["tenant_id", "brand_id", "name"], unique=False, schema="catalog"
    )
    op.create_index(
        "ix_products_tenant_category", "products", ["tenant_id", "category_id", "name"], unique=False, schema="catalog"
    )
    op.create_index(
        "ix_products_tenant_created",
        "products",
        ["tenant_id", sa.literal_column("created_at DESC"), sa.literal_column("id DESC")],
        unique=False,
        schema="catalog",
    )
    op.create_index("ix_products_tenant_name", "products", ["tenant_id", "name", "id"], unique=False, schema="catalog")
    op.create_index(
        "ix_products_tenant_price", "products", ["tenant_id", "price", "id"], unique=False, schema="catalog"
    )
    op.create_index(
        "uq_products_tenant_barcode",
        "products",
        ["tenant_id", "barcode"],
        unique=True,
        schema="catalog",
        postgresql_where=sa.text("barcode IS NOT NULL"),
    )
    op.create_table(
        "price_list_items",
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("price_list_id", sa.UUID(), nullable=False),
        sa.Column("product_id", sa.UUID(), nullable=False),
        sa.Column("price", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.CheckConstraint("price >= 0", name=op.f("ck_price_list_items_price_nonnegative")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "price_list_id"],
            ["catalog.price_lists.tenant_id", "catalog.price_lists.id"],
            name="fk_price_list_items_list",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "product_id"],
            ["catalog.products.tenant_id", "catalog.products.id"],
            name="fk_price_list_items_product",
        ),
        sa.PrimaryKeyConstraint("price_list_id", "product_id", name=op.f("pk_price_list_items")),
        schema="catalog",
    )
    op.create_index(
        "ix_price_list_items_product", "price_list_items", ["tenant_id", "product_id"], unique=False, schema="catalog"
    )


def downgrade() -> None:
    op.drop_index("ix_price_list_items_product", table_name="price_list_items", schema="catalog")
    op.drop_table("price_list_items", schema="catalog")
    op.drop_index(
        "uq_products_tenant_barcode",
        table_name="products",
        schema="catalog",
        postgresql_where=sa.text("barcode IS NOT NULL"),
    )
    op.drop_index("ix_products_tenant_price", table_name="products", schema="catalog")
    op.drop_index("ix_products_tenant_name", table_name="products", schema="catalog")
    op.drop_index("ix_products_tenant_created", table_name="products", schema="catalog")
    op.drop_index("ix_products_tenant_category", table_name="products", schema="catalog")
    op.drop_index("ix_products_tenant_brand", table_name="products", schema="catalog")
    op.drop_index("ix_products_search", table_name="products", schema="catalog", postgresql_using="gin")
    op.drop_table("products", schema="catalog")
    op.drop_index("ix_customers_tenant_type", table_name="customers", schema="catalog")
    op.drop_index("ix_customers_tenant_route", table_name="customers", schema="catalog")
    op.drop_index("ix_customers_tenant_price_list", table_name="customers", schema="catalog")
    op.drop_index("ix_customers_tenant_name", table_name="customers", schema="catalog")
    op.drop_index("ix_customers_tenant_created", table_name="customers", schema="catalog")
    op.drop_index("ix_customers_search", table_name="customers", schema="catalog", postgresql_using="gin")
    op.drop_table("customers", schema="catalog")
    op.drop_table("processed_events", schema="catalog")
    op.drop_table("price_lists", schema="catalog")
    op.drop_index(
        "ix_outbox_unpublished", table_name="outbox", schema="catalog", postgresql_where=sa.text("published_at IS NULL")
    )
    op.drop_table("outbox", schema="catalog")
    op.drop_table("idempotency_keys", schema="catalog")
    op.drop_index("ix_categories_tenant_parent", table_name="categories", schema="catalog")
    op.drop_table("categories", schema="catalog")
    op.drop_table("brands", schema="catalog")
