"""ended sessions (user.logged_out)

Revision ID: 7c1e2d9a4f60
Revises: 0bb4bc8e5b29
Create Date: 2026-11-25 18:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7c1e2d9a4f60"
down_revision: str | None = "0bb4bc8e5b29"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ended_sessions",
        sa.Column("session_id", sa.String(length=64), nullable=False),
        sa.Column("tenant_id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("user_id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_ended_sessions")),
        schema="notifier",
    )
    op.create_index("ix_ended_sessions_ended_at", "ended_sessions", ["ended_at"], unique=False, schema="notifier")


def downgrade() -> None:
    op.drop_index("ix_ended_sessions_ended_at", table_name="ended_sessions", schema="notifier")
    op.drop_table("ended_sessions", schema="notifier")
