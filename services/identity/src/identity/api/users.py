"""User routes: list, read, create, change, delete, password, and the role table."""

from __future__ import annotations

import uuid
from typing import Literal

import orjson
from fastapi import APIRouter, Depends, Query, Response

from identity.adapters.repository import UserFilter
from identity.api.deps import identity, if_match
from identity.api.schemas import (
    NO_NUL,
    PasswordChange,
    RoleName,
    RoleOut,
    UserCreate,
    UserOut,
    UserPage,
    UserStatus,
    UserUpdate,
)
from identity.domain.model import UserChanges
from identity.domain.roles import all_roles, may_manage_users
from identity.service_layer import users
from identity.service_layer.context import Identity
from salessync.auth import Principal, require_principal
from salessync.db import Tx
from salessync.errors import Forbidden
from salessync.idempotency import fingerprint, idempotency_key, run_idempotent
from salessync.pagination import PageParams, page_of, page_params

router = APIRouter(prefix="/api/users", tags=["users"])

Sort = Literal["created_at", "-created_at", "name", "-name", "email", "-email"]


@router.get("/roles", response_model=list[RoleOut])
async def roles(principal: Principal = Depends(require_principal)) -> list[RoleOut]:
    return [RoleOut(role=r.name, label=r.label, permissions=list(r.permissions)) for r in all_roles()]


@router.get("", response_model=UserPage)
async def list_users(
    params: PageParams = Depends(page_params),
    role: RoleName | None = Query(None),
    status: UserStatus | None = Query(None),
    search: str | None = Query(None, max_length=200, pattern=NO_NUL),
    sort: Sort = Query("created_at"),
    principal: Principal = Depends(require_principal),
    ident: Identity = Depends(identity),
) -> dict[str, object]:
    flt = UserFilter(role=role, status=status, search=search, sort=sort)
    found, total = await users.list_users(ident, principal, flt, params.limit, params.offset)
    return page_of([UserOut.of(u) for u in found], params, total)


@router.post("", status_code=201, response_model=UserOut)
async def create_user(
    body: UserCreate,
    key: str | None = Depends(idempotency_key),
    principal: Principal = Depends(require_principal),
    ident: Identity = Depends(identity),
) -> Response:
    if not may_manage_users(principal.role):
        raise Forbidden(f"role '{principal.role}' may not create users")
    cmd = users.validate_new_user(ident, users.CreateUser(**body.model_dump()))
    password_hash = await ident.hasher.hash(cmd.password)

    async def command(tx: Tx) -> tuple[int, bytes]:
        user = await users.create_user(tx, principal, cmd, password_hash)
        return 201, orjson.dumps(UserOut.of(user).model_dump(mode="json"))

    answer = await run_idempotent(
        ident.db,
        tenant_id=principal.tenant_id,
        scope="users.create",
        key=key,
        request_fingerprint=fingerprint(principal.user_id, body.model_dump_json(exclude={"password"})),
        command=command,
    )
    user_id = orjson.loads(answer.body).get("id")
    headers = {"Location": f"/api/users/{user_id}"}
    if answer.replayed:
        headers["Idempotent-Replayed"] = "true"
    return Response(answer.body, status_code=answer.status_code, media_type="application/json", headers=headers)


@router.get("/{user_id}", response_model=UserOut)
async def get_user(
    user_id: uuid.UUID, principal: Principal = Depends(require_principal), ident: Identity = Depends(identity)
) -> UserOut:
    return UserOut.of(await users.get_user(ident, principal, user_id))


@router.patch("/{user_id}", response_model=UserOut)
async def update_user(
    user_id: uuid.UUID,
    body: UserUpdate,
    version: int | None = Depends(if_match),
    principal: Principal = Depends(require_principal),
    ident: Identity = Depends(identity),
) -> UserOut:
    changes = UserChanges(**body.model_dump(exclude_unset=True, exclude_none=True))
    return UserOut.of(await users.update_user(ident, principal, user_id, changes, version))


@router.delete("/{user_id}", status_code=204)
async def delete_user(
    user_id: uuid.UUID, principal: Principal = Depends(require_principal), ident: Identity = Depends(identity)
) -> Response:
    await users.delete_user(ident, principal, user_id)
    return Response(status_code=204)


@router.post("/{user_id}/password", status_code=204)
async def change_password(
    user_id: uuid.UUID,
    body: PasswordChange,
    principal: Principal = Depends(require_principal),
    ident: Identity = Depends(identity),
) -> Response:
    await users.change_password(ident, principal, user_id, body.current_password, body.new_password)
    return Response(status_code=204)
