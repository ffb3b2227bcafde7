"""tenant status (tenant.suspended / tenant.reactivated)

Revision ID: 9d4b6e1f2a37
Revises: 7c1e2d9a4f60
Create Date: 2026-11-25 18:35:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9d4b6e1f2a37"
down_revision: str | None = "7c1e2d9a4f60"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tenant_status",
        sa.Column("tenant_id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_tenant_status")),
        schema="notifier",
    )


def downgrade() -> None:
    op.drop_table("tenant_status", schema="notifier")
