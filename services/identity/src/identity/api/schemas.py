"""Request and response bodies of identity's HTTP API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from identity.domain.model import Tenant, User

RoleName = Literal["admin", "manager", "salesman", "promoter", "merchandiser", "field_agent", "warehouse_staff"]
UserStatus = Literal["active", "inactive", "suspended"]
NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL: refuse it here, as a 422 naming the field


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginIn(BaseModel):
    tenant: Text | None = Field(default=None, min_length=1, max_length=63, description="Tenant code (or X-Tenant-Code)")
    email: Text = Field(min_length=1, max_length=254)
    password: Text = Field(min_length=1, max_length=1024)


class RefreshIn(BaseModel):
    refresh_token: Text = Field(min_length=1, max_length=512)


class UserOut(BaseModel):
    id: uuid.UUID
    tenant_id: uuid.UUID
    email: str
    name: str
    role: str
    status: str
    version: int
    created_at: datetime | None
    updated_at: datetime | None
    last_login_at: datetime | None

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(
            id=user.id,
            tenant_id=user.tenant_id,
            email=user.email,
            name=user.name,
            role=user.role,
            status=user.status,
            version=user.version,
            created_at=user.created_at,
            updated_at=user.updated_at,
            last_login_at=user.last_login_at,
        )


class TenantOut(BaseModel):
    id: uuid.UUID
    code: str
    name: str

    @classmethod
    def of(cls, tenant: Tenant) -> TenantOut:
        return cls(id=tenant.id, code=tenant.code, name=tenant.name)


class TokenPairOut(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int
    user: UserOut
    tenant: TenantOut


class MeOut(BaseModel):
    user: UserOut
    tenant: TenantOut
    role: str
    permissions: list[str]


class UserCreate(_Strict):
    email: Text = Field(min_length=3, max_length=254)
    name: Text = Field(min_length=1, max_length=200)
    role: RoleName
    password: Text = Field(min_length=1, max_length=1024)
    status: UserStatus = "active"


class UserUpdate(_Strict):
    email: Text | None = Field(default=None, min_length=3, max_length=254)
    name: Text | None = Field(default=None, min_length=1, max_length=200)
    role: RoleName | None = None
    status: UserStatus | None = None


class PasswordChange(_Strict):
    current_password: Text | None = Field(default=None, max_length=1024)
    new_password: Text = Field(min_length=1, max_length=1024)


class RoleOut(BaseModel):
    role: str
    label: str
    permissions: list[str]


class UserPage(BaseModel):
    items: list[UserOut]
    page: int
    limit: int
    total: int
    pages: int
