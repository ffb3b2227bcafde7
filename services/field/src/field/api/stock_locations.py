"""/api/warehouses and /api/vans: thin routes over the location handlers."""

import uuid
from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response

from field.adapters import locations_repo
from field.api.common import ALL_ROLES, LOCATION_WRITERS, create_idempotently, if_match, json_response
from field.api.schemas import VanCreate, VanUpdate, WarehouseCreate, WarehouseUpdate
from field.service_layer import locations
from salessync.app import database
from salessync.auth import Principal, require_role
from salessync.db import Database
from salessync.idempotency import idempotency_key
from salessync.pagination import PageParams, page_of, page_params

router = APIRouter(tags=["locations"])

_WAREHOUSE = ("id", "name", "code", "address", "is_default", "status", "version", "created_at", "updated_at")
_VAN = (
    "id",
    "name",
    "registration",
    "assigned_salesman_id",
    "assigned_salesman_name",
    "status",
    "version",
    "created_at",
    "updated_at",
)


def shape(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in (_WAREHOUSE if row["kind"] == "warehouse" else _VAN)}


def _routes(kind: str, plural: str, create_model: type, update_model: type) -> None:
    prefix = f"/api/{plural}"

    @router.get(prefix, name=f"list_{plural}")
    async def list_locations(
        search: str | None = Query(None, max_length=100),
        status: str | None = Query(None, pattern="^(active|inactive)$"),
        params: PageParams = Depends(page_params),
        principal: Principal = Depends(require_role(*ALL_ROLES)),
        db: Database = Depends(database),
    ) -> Response:
        salesman = principal.user_id if principal.role == "salesman" and kind == "van" else None
        async with db.connect() as tx:
            rows, total = await locations_repo.list_page(
                await tx.raw(),
                principal.tenant_id,
                kind,
                search=search,
                status=status,
                salesman_id=salesman,
                limit=params.limit,
                offset=params.offset,
            )
        return json_response(page_of([shape(r) for r in rows], params, total))

    @router.post(prefix, status_code=201, name=f"create_{kind}")
    async def create_location(
        body: create_model,  # type: ignore[valid-type]
        request: Request,
        key: str | None = Depends(idempotency_key),
        principal: Principal = Depends(require_role(*LOCATION_WRITERS)),
    ) -> Response:
        values = body.model_dump()  # type: ignore[attr-defined]

        async def run(tx: Any) -> dict[str, Any]:
            return shape(await locations.create_location(tx, principal, kind, dict(values)))

        return await create_idempotently(request, principal, key, f"field.{plural}.create", run, prefix)

    @router.get(prefix + "/{location_id}", name=f"get_{kind}")
    async def get_location(
        location_id: uuid.UUID,
        principal: Principal = Depends(require_role(*ALL_ROLES)),
        db: Database = Depends(database),
    ) -> Response:
        async with db.connect() as tx:
            return json_response(shape(await locations.get_location(tx, principal, location_id, kind)))

    @router.patch(prefix + "/{location_id}", name=f"update_{kind}")
    async def update_location(
        location_id: uuid.UUID,
        body: update_model,  # type: ignore[valid-type]
        version: int | None = Depends(if_match),
        principal: Principal = Depends(require_role(*LOCATION_WRITERS)),
        db: Database = Depends(database),
    ) -> Response:
        values = body.model_dump(exclude_unset=True)  # type: ignore[attr-defined]
        async with db.transaction() as tx:
            row = await locations.update_location(tx, principal, location_id, kind, values, version)
        return json_response(shape(row))

    @router.delete(prefix + "/{location_id}", status_code=204, name=f"delete_{kind}")
    async def delete_location(
        location_id: uuid.UUID,
        principal: Principal = Depends(require_role(*LOCATION_WRITERS)),
        db: Database = Depends(database),
    ) -> Response:
        async with db.transaction() as tx:
            await locations.delete_location(tx, principal, location_id, kind)
        return Response(status_code=204)


_routes("warehouse", "warehouses", WarehouseCreate, WarehouseUpdate)
_routes("van", "vans", VanCreate, VanUpdate)
