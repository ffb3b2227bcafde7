"""Auth routes: login, refresh, logout, me, and the public signing keys."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Header, Response

from identity.api.deps import client_address, identity
from identity.api.schemas import LoginIn, MeOut, RefreshIn, TenantOut, TokenPairOut, UserOut
from identity.domain.roles import permissions_for
from identity.service_layer import auth, users
from identity.service_layer.auth import Session
from identity.service_layer.context import Identity
from salessync.auth import Principal, require_principal
from salessync.errors import InvalidInput

router = APIRouter(tags=["auth"])

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _pair(session: Session, response: Response) -> TokenPairOut:
    response.headers.update(_NO_STORE)
    return TokenPairOut(
        access_token=session.access_token,
        refresh_token=session.refresh_token,
        expires_in=session.expires_in,
        user=UserOut.of(session.user),
        tenant=TenantOut.of(session.tenant),
    )


@router.post("/api/auth/login", response_model=TokenPairOut)
async def login(
    body: LoginIn,
    response: Response,
    tenant_header: str | None = Header(default=None, alias="X-Tenant-Code"),
    address: str = Depends(client_address),
    ident: Identity = Depends(identity),
) -> TokenPairOut:
    tenant = body.tenant or tenant_header
    if not tenant or not tenant.strip():
        raise InvalidInput("tenant", "the tenant code is required (body 'tenant' or header X-Tenant-Code)")
    cmd = auth.Login(tenant_code=tenant, email=body.email, password=body.password, address=address)
    return _pair(await auth.login(ident, cmd), response)


@router.post("/api/auth/refresh", response_model=TokenPairOut)
async def refresh(body: RefreshIn, response: Response, ident: Identity = Depends(identity)) -> TokenPairOut:
    return _pair(await auth.refresh(ident, body.refresh_token), response)


@router.post("/api/auth/logout", status_code=204)
async def logout(
    body: RefreshIn, principal: Principal = Depends(require_principal), ident: Identity = Depends(identity)
) -> Response:
    await auth.logout(ident, principal, body.refresh_token)
    return Response(status_code=204)


@router.get("/api/auth/me", response_model=MeOut)
async def me(principal: Principal = Depends(require_principal), ident: Identity = Depends(identity)) -> MeOut:
    user, tenant = await users.me(ident, principal)
    return MeOut(
        user=UserOut.of(user), tenant=TenantOut.of(tenant), role=user.role, permissions=list(permissions_for(user.role))
    )


@router.get("/.well-known/jwks.json")
async def jwks(response: Response, ident: Identity = Depends(identity)) -> dict[str, Any]:
    response.headers["Cache-Control"] = "public, max-age=60"
    return ident.tokens.jwks()
