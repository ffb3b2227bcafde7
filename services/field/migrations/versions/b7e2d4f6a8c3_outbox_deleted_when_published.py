"""the outbox keeps a row only until it is published

The relay deletes a row once JetStream has acked it (salessync.outbox), so `published_at` and the partial
index of unpublished rows go; rows already published are deleted.

Revision ID: b7e2d4f6a8c3
Revises: 1560eedca7e9
Create Date: 2026-11-26 11:20:00
"""

from collections.abc import Sequence

from salessync.migrations import outbox_deleted_when_published, outbox_marked_when_published

revision: str = "b7e2d4f6a8c3"
down_revision: str | None = "1560eedca7e9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    outbox_deleted_when_published("field")


def downgrade() -> None:
    outbox_marked_when_published("field")
