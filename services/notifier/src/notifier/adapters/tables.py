"""Notifier's tables, in the `notifier` schema."""

from sqlalchemy import Column, DateTime, Index, Numeric, String, Table, Text, func, text
from sqlalchemy.dialects.postgresql import UUID

from salessync.db import make_metadata
from salessync.infra_tables import add_infrastructure_tables

metadata = make_metadata("notifier")
add_infrastructure_tables(metadata)

# A copy of identity's users (from user.* events): who is a manager or warehouse staff, who is deactivated.
users = Table(
    "users",
    metadata,
    Column("tenant_id", UUID(as_uuid=False), primary_key=True),
    Column("id", UUID(as_uuid=False), primary_key=True),
    Column("email", String(320), nullable=False, server_default=""),
    Column("name", String(200), nullable=False, server_default=""),
    Column("role", String(32), nullable=False),
    Column("status", String(32), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_users_tenant_id_role", "tenant_id", "role"),
)

# Login sessions ended (identity's `user.logged_out`): a token carrying such a `sid` is refused. A row is kept
# longer than an access token lives, then purged.
ended_sessions = Table(
    "ended_sessions",
    metadata,
    Column("session_id", String(64), primary_key=True),
    Column("tenant_id", UUID(as_uuid=False), nullable=False),
    Column("user_id", UUID(as_uuid=False), nullable=False),
    Column("ended_at", DateTime(timezone=True), nullable=False),
    Index("ix_ended_sessions_ended_at", "ended_at"),
)

# The last known status of each tenant (identity's `tenant.suspended` / `tenant.reactivated`): a token of a
# suspended tenant is refused with 4403. Only tenants that were ever suspended have a row.
tenant_status = Table(
    "tenant_status",
    metadata,
    Column("tenant_id", UUID(as_uuid=False), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
)

# One line of the timeline per business event; its id is the event id (so recording it twice is a no-op).
activities = Table(
    "activities",
    metadata,
    Column("id", UUID(as_uuid=False), primary_key=True),
    Column("tenant_id", UUID(as_uuid=False), nullable=False),
    Column("type", String(64), nullable=False),
    Column("aggregate", String(32), nullable=False),
    Column("reference", String(200)),
    Column("description", Text, nullable=False),
    Column("actor", String(64)),
    Column("customer", String(200)),
    Column("amount", Numeric(14, 2)),
    Column("status", String(32)),
    Column("owner_id", String(64)),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Index("ix_activities_tenant_time", "tenant_id", text("occurred_at DESC"), text("id DESC")),
    Index("ix_activities_owner_time", "tenant_id", "owner_id", text("occurred_at DESC")),
)

notifications = Table(
    "notifications",
    metadata,
    Column("id", UUID(as_uuid=False), primary_key=True),
    Column("tenant_id", UUID(as_uuid=False), nullable=False),
    Column("user_id", UUID(as_uuid=False), nullable=False),
    Column("kind", String(64), nullable=False),
    Column("title", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("reference", String(200)),
    Column("source_event_id", UUID(as_uuid=False), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("read_at", DateTime(timezone=True)),
    Index("ix_notifications_user_time", "tenant_id", "user_id", text("created_at DESC")),
)

chat_messages = Table(
    "chat_messages",
    metadata,
    Column("id", UUID(as_uuid=False), primary_key=True),
    Column("tenant_id", UUID(as_uuid=False), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("sender_id", UUID(as_uuid=False), nullable=False),
    Column("recipient_id", UUID(as_uuid=False)),
    Column("text", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_chat_messages_tenant_time", "tenant_id", text("created_at DESC")),
)
