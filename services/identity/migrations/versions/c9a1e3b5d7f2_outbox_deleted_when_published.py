"""the outbox keeps a row only until it is published

The relay deletes a row once JetStream has acked it (salessync.outbox), so `published_at` and the partial
index of unpublished rows go; rows already published are deleted.

Revision ID: c9a1e3b5d7f2
Revises: 663f055fd8cc
Create Date: 2026-11-26 11:20:00
"""

from collections.abc import Sequence

from salessync.migrations import outbox_deleted_when_published, outbox_marked_when_published

revision: str = "c9a1e3b5d7f2"
down_revision: str | None = "663f055fd8cc"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    outbox_deleted_when_published("identity")


def downgrade() -> None:
    outbox_marked_when_published("identity")
