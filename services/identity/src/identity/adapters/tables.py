"""Identity's tables, in the `identity` schema."""

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import UUID

from salessync.db import make_metadata
from salessync.infra_tables import add_infrastructure_tables

metadata = make_metadata("identity")
add_infrastructure_tables(metadata)

tenants = Table(
    "tenants",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("code", String(63), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("status", String(16), nullable=False, server_default="active"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("status IN ('active', 'suspended')", name="status"),
)

users = Table(
    "users",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("tenant_id", UUID(as_uuid=True), ForeignKey("identity.tenants.id"), nullable=False),
    Column("email", String(254), nullable=False),
    Column("name", String(200), nullable=False),
    Column("role", String(32), nullable=False),
    Column("status", String(16), nullable=False, server_default="active"),
    Column("password_hash", Text, nullable=False),
    Column("version", Integer, nullable=False, server_default="1"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("last_login_at", DateTime(timezone=True)),
    Column("deleted_at", DateTime(timezone=True)),
    CheckConstraint("status IN ('active', 'inactive', 'suspended')", name="status"),
    CheckConstraint(
        "role IN ('admin', 'manager', 'salesman', 'promoter', 'merchandiser', 'field_agent', 'warehouse_staff')",
        name="role",
    ),
    # Email is unique per tenant, case-insensitively, among users that are not deleted.
    Index(
        "uq_users_tenant_email",
        "tenant_id",
        text("lower(email)"),
        unique=True,
        postgresql_where=text("deleted_at IS NULL"),
    ),
    Index("ix_users_tenant_created", "tenant_id", "created_at"),
)

signing_keys = Table(
    "signing_keys",
    metadata,
    Column("kid", String(64), primary_key=True),
    Column("private_key", LargeBinary, nullable=False),  # PKCS#8 DER of the Ed25519 key
    Column("public_x", String(64), nullable=False),  # base64url of the raw public key (JWK "x")
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("retired_at", DateTime(timezone=True)),
    # At most one key signs at a time.
    Index(
        "uq_signing_keys_active", text("(retired_at IS NULL)"), unique=True, postgresql_where=text("retired_at IS NULL")
    ),
)

refresh_families = Table(
    "refresh_families",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("user_id", UUID(as_uuid=True), ForeignKey("identity.users.id"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("revoked_at", DateTime(timezone=True)),
    Column("revoked_reason", String(32)),
    Index("ix_refresh_families_user", "user_id", postgresql_where=text("revoked_at IS NULL")),
)

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("token_hash", LargeBinary, primary_key=True),  # sha256 of the opaque token
    Column(
        "family_id", UUID(as_uuid=True), ForeignKey("identity.refresh_families.id", ondelete="CASCADE"), nullable=False
    ),
    Column("issued_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("spent_at", DateTime(timezone=True)),
    Index("ix_refresh_tokens_family", "family_id"),
)

login_throttle = Table(
    "login_throttle",
    metadata,
    Column("key", String(400), primary_key=True),  # "account:<tenant code>:<email>" or "address:<ip>"
    Column("window_start", DateTime(timezone=True), nullable=False),
    Column("attempts", Integer, nullable=False),
)
