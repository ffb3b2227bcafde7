"""`/api/categories` and `/api/brands`: full CRUD with search; one still in use cannot be deleted (409).

(No `from __future__ import annotations` here: FastAPI must see the body models of the router factory.)"""

import uuid

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from catalog.adapters import taxonomy
from catalog.api import deps
from catalog.api.fields import SearchText
from catalog.api.schemas import BrandCreate, BrandOut, BrandUpdate, CategoryCreate, CategoryOut, CategoryUpdate
from catalog.service_layer import taxonomy as handlers
from catalog.service_layer.commands import Change, Create, Remove
from salessync.auth import Principal
from salessync.idempotency import idempotency_key
from salessync.pagination import Page, PageParams


def build_router(
    table: str, create_model: type[BaseModel], update_model: type[BaseModel], out: type[BaseModel]
) -> APIRouter:
    router = APIRouter(prefix=f"/api/{table}", tags=[table])
    what = handlers.SINGULAR[table]

    @router.get("", response_model=Page[out], summary=f"List {table}")  # type: ignore[valid-type]
    async def list_all(
        request: Request,
        principal: Principal = Depends(deps.read),
        params: PageParams = Depends(deps.page_params),
        search: SearchText | None = Query(None, description="part of the name"),
        parent_id: uuid.UUID | None = Query(None, include_in_schema=table == "categories"),
        sort: str = Query("name", max_length=20, description="name, created_at; '-' descends"),
    ) -> Response:
        return await deps.read_page(
            request,
            lambda conn: taxonomy.list_page(
                conn,
                table,
                principal.tenant_id,
                search=search,
                parent_id=parent_id if table == "categories" else None,
                sort=sort,
                page=params.page,
                limit=params.limit,
            ),
        )

    @router.post("", status_code=201, response_model=out, summary=f"Create a {what}")
    async def post(
        body: create_model,  # type: ignore[valid-type]
        request: Request,
        principal: Principal = Depends(deps.manage),
        key: str | None = Depends(idempotency_key),
    ) -> Response:
        cmd = Create(principal.tenant_id, body.model_dump())
        return await deps.create(request, principal, key, f"{table}.create", lambda tx: handlers.create(tx, table, cmd))

    @router.get("/{record_id}", response_model=out, summary=f"One {what}")
    async def get_one(record_id: uuid.UUID, request: Request, principal: Principal = Depends(deps.read)) -> Response:
        return await deps.read_one(
            request, lambda conn: taxonomy.get_json(conn, table, principal.tenant_id, record_id), what
        )

    @router.patch("/{record_id}", response_model=out, summary=f"Change a {what} (If-Match: version)")
    async def patch(
        record_id: uuid.UUID,
        body: update_model,  # type: ignore[valid-type]
        request: Request,
        principal: Principal = Depends(deps.manage),
        expected: int | None = Depends(deps.if_match),
    ) -> Response:
        cmd = Change(principal.tenant_id, record_id, body.changes(), expected)
        return await deps.write(request, lambda tx: handlers.change(tx, table, cmd))

    @router.delete("/{record_id}", status_code=204, summary=f"Delete a {what} (409 while in use)")
    async def delete(record_id: uuid.UUID, request: Request, principal: Principal = Depends(deps.manage)) -> Response:
        cmd = Remove(principal.tenant_id, record_id)
        return await deps.remove(request, lambda tx: handlers.remove(tx, table, cmd))

    return router


categories_router = build_router("categories", CategoryCreate, CategoryUpdate, CategoryOut)
brands_router = build_router("brands", BrandCreate, BrandUpdate, BrandOut)
