"""Filter indexes carry the other filter columns, so a filtered list's total is an index-only count.

Revision ID: d8a3b5c6e1f2
Revises: c4f1e2a7d9b3
Create Date: 2026-11-25 16:58:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "d8a3b5c6e1f2"
down_revision: str | None = "c4f1e2a7d9b3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_products_tenant_category": ("products", ["tenant_id", "category_id", "name"], ["status", "brand_id"]),
    "ix_products_tenant_brand": ("products", ["tenant_id", "brand_id", "name"], ["status", "category_id"]),
    "ix_customers_tenant_route": ("customers", ["tenant_id", "route", "name"], ["type", "status"]),
    "ix_customers_tenant_type": ("customers", ["tenant_id", "type", "name"], ["route", "status"]),
}


def upgrade() -> None:
    for name, (table, columns, include) in INDEXES.items():
        op.drop_index(name, table_name=table, schema="catalog")
        op.create_index(name, table, columns, schema="catalog", postgresql_include=include)


def downgrade() -> None:
    for name, (table, columns, _) in INDEXES.items():
        op.drop_index(name, table_name=table, schema="catalog")
        op.create_index(name, table, columns, schema="catalog")
