"""Tenants and users: their states, the input rules and what a change to a user means (events, sessions)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from identity.domain.errors import IllegalStatusChange, InvalidInput, NotAllowed, SelfLockout
from identity.domain.roles import is_role, may_manage_users, may_read_users

TENANT_STATUSES = ("active", "suspended")
USER_STATUSES = ("active", "inactive", "suspended")
# Allowed status changes of a user (any other, e.g. to the same status, is no change at all).
USER_TRANSITIONS: dict[str, frozenset[str]] = {
    "active": frozenset({"inactive", "suspended"}),
    "inactive": frozenset({"active", "suspended"}),
    "suspended": frozenset({"active", "inactive"}),
}

_EMAIL = re.compile(r"^[^@\s\x00]+@[^@\s\x00]+\.[^@\s.\x00]+$")
_TENANT_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
MAX_PASSWORD = 1024  # argon2 hashes anything, but a megabyte password is a denial of service


@dataclass(frozen=True, slots=True)
class Tenant:
    id: uuid.UUID
    code: str
    name: str
    status: str = "active"

    @property
    def can_log_in(self) -> bool:
        return self.status == "active"

    def summary(self) -> dict[str, Any]:
        return {"id": str(self.id), "code": self.code, "name": self.name}


@dataclass(frozen=True, slots=True)
class User:
    id: uuid.UUID
    tenant_id: uuid.UUID
    email: str
    name: str
    role: str
    status: str = "active"
    version: int = 1
    password_hash: str = field(default="", repr=False)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    last_login_at: datetime | None = None

    @property
    def can_log_in(self) -> bool:
        return self.status == "active"

    def snapshot(self) -> dict[str, Any]:
        """The event payload of docs/events.md: `{id, email, name, role, status}`."""
        return {"id": str(self.id), "email": self.email, "name": self.name, "role": self.role, "status": self.status}


def normalize_email(value: str, field_name: str = "email") -> str:
    email = value.strip()
    if len(email) > 254 or not _EMAIL.match(email):
        raise InvalidInput(field_name, "is not a valid email address")
    return email


def normalize_tenant_code(value: str) -> str:
    code = value.strip().lower()
    if not _TENANT_CODE.match(code):
        raise InvalidInput("code", "must be 2..63 lowercase letters, digits or '-', starting with a letter or digit")
    return code


def check_tenant_status(value: str) -> str:
    if value not in TENANT_STATUSES:
        raise InvalidInput("status", f"must be one of {', '.join(TENANT_STATUSES)}")
    return value


def check_name(value: str, field_name: str = "name") -> str:
    name = value.strip()
    if "\x00" in name:
        raise InvalidInput(field_name, "must not contain NUL characters")
    if not 1 <= len(name) <= 200:
        raise InvalidInput(field_name, "must be 1..200 characters")
    return name


def check_role(value: str) -> str:
    if not is_role(value):
        raise InvalidInput("role", f"unknown role '{value}'")
    return value


def check_password(value: str, min_length: int, field_name: str = "password") -> str:
    if len(value) < min_length:
        raise InvalidInput(field_name, f"must be at least {min_length} characters")
    if len(value) > MAX_PASSWORD:
        raise InvalidInput(field_name, f"must be at most {MAX_PASSWORD} characters")
    if not value.strip():
        raise InvalidInput(field_name, "must not be blank")
    return value


@dataclass(frozen=True, slots=True)
class UserChanges:
    """A PATCH: None means "leave as is"."""

    email: str | None = None
    name: str | None = None
    role: str | None = None
    status: str | None = None

    def given(self) -> dict[str, str]:
        return {
            k: v
            for k, v in (("email", self.email), ("name", self.name), ("role", self.role), ("status", self.status))
            if v is not None
        }


@dataclass(frozen=True, slots=True)
class ChangeOutcome:
    user: User
    changed: tuple[str, ...]
    events: tuple[tuple[str, dict[str, Any]], ...]
    revoke_sessions: bool


SELF_FIELDS = frozenset({"name"})


def ensure_may_view(actor: User, target_id: uuid.UUID) -> None:
    if actor.id != target_id and not may_read_users(actor.role):
        raise NotAllowed(f"role '{actor.role}' may only read its own user")


def ensure_may_create(actor: User) -> None:
    if not may_manage_users(actor.role):
        raise NotAllowed(f"role '{actor.role}' may not create users")


def apply_changes(actor: User, target: User, changes: UserChanges) -> ChangeOutcome:
    """Check who may change what, then compute the new user and what the change means for others.

    Every change publishes `user.updated` (the snapshot); a role change also `user.role_changed`, leaving
    `active` also `user.deactivated`; both revoke the user's refresh-token families.
    """
    given = changes.given()
    if not may_manage_users(actor.role):
        if actor.id != target.id:
            raise NotAllowed(f"role '{actor.role}' may only change its own user")
        for name in given:
            if name not in SELF_FIELDS:
                raise NotAllowed(f"role '{actor.role}' may not change '{name}'", field=name)
    if actor.id == target.id:
        if changes.role is not None and changes.role != target.role and target.role == "admin":
            raise SelfLockout("an admin cannot demote himself")
        if changes.status is not None and changes.status != "active" and target.status == "active":
            raise SelfLockout("an admin cannot deactivate himself")
    new = target
    if changes.email is not None:
        new = replace(new, email=normalize_email(changes.email))
    if changes.name is not None:
        new = replace(new, name=check_name(changes.name))
    if changes.role is not None:
        new = replace(new, role=check_role(changes.role))
    if changes.status is not None and changes.status != target.status:
        if changes.status not in USER_TRANSITIONS.get(target.status, frozenset()):
            raise IllegalStatusChange(f"a user cannot go from '{target.status}' to '{changes.status}'", field="status")
        new = replace(new, status=changes.status)
    changed = tuple(name for name in ("email", "name", "role", "status") if getattr(new, name) != getattr(target, name))
    if not changed:
        return ChangeOutcome(target, (), (), False)
    new = replace(new, version=target.version + 1)
    events: list[tuple[str, dict[str, Any]]] = [("user.updated", new.snapshot())]
    if "role" in changed:
        events.append(("user.role_changed", {**new.snapshot(), "old_role": target.role}))
    deactivated = target.status == "active" and new.status != "active"
    if deactivated:
        events.append(("user.deactivated", new.snapshot()))
    return ChangeOutcome(new, changed, tuple(events), "role" in changed or deactivated)


def check_delete(actor: User, target: User) -> User:
    """A soft delete: the user becomes inactive and disappears from reads; publishes `user.deactivated`."""
    if not may_manage_users(actor.role):
        raise NotAllowed(f"role '{actor.role}' may not delete users")
    if actor.id == target.id:
        raise SelfLockout("an admin cannot delete himself")
    return replace(target, status="inactive", version=target.version + 1)
