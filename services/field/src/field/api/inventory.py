"""/api/inventory, /api/inventory/adjustments|transfers|reservations, /api/stock-movements: thin routes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response

from field.adapters import inventory_queries as queries
from field.api.common import ALL_ROLES, STOCK_WRITERS, create_idempotently, json_response
from field.api.schemas import AdjustmentCreate, ReorderLevelUpdate, TransferCreate
from field.service_layer import inventory
from field.service_layer.inventory import AdjustStock, TransferStock
from salessync.app import database
from salessync.auth import Principal, require_role
from salessync.db import Database, Tx
from salessync.errors import InvalidInput
from salessync.idempotency import idempotency_key
from salessync.pagination import PageParams, page_of, page_params

router = APIRouter(tags=["inventory"])
KINDS = "^(receipt|adjustment|transfer_out|transfer_in|reservation|release|sale|load|return|damage)$"


def scope_of(principal: Principal) -> queries.Scope:
    return queries.Scope(principal.tenant_id, principal.user_id if principal.role == "salesman" else None)


@router.get("/api/inventory")
async def list_inventory(
    location_id: uuid.UUID | None = None,
    product_id: uuid.UUID | None = None,
    low_stock: bool = False,
    params: PageParams = Depends(page_params),
    principal: Principal = Depends(require_role(*ALL_ROLES)),
    db: Database = Depends(database),
) -> Response:
    async with db.connect() as tx:
        items, total = await queries.list_levels(
            await tx.raw(),
            scope_of(principal),
            location_id=location_id,
            product_id=product_id,
            low_stock=low_stock,
            limit=params.limit,
            offset=params.offset,
        )
    return json_response(page_of(items, params, total))


@router.get("/api/inventory/reservations")
async def list_reservations(
    location_id: uuid.UUID | None = None,
    order_id: uuid.UUID | None = None,
    status: str | None = Query(None, pattern="^(reserved|sold|released|rejected|returned)$"),
    params: PageParams = Depends(page_params),
    principal: Principal = Depends(require_role(*ALL_ROLES)),
    db: Database = Depends(database),
) -> Response:
    async with db.connect() as tx:
        items, total = await queries.list_reservations(
            await tx.raw(),
            scope_of(principal),
            location_id=location_id,
            status=status,
            order_id=order_id,
            limit=params.limit,
            offset=params.offset,
        )
    return json_response(page_of(items, params, total))


@router.post("/api/inventory/adjustments", status_code=201)
async def create_adjustment(
    body: AdjustmentCreate,
    request: Request,
    key: str | None = Depends(idempotency_key),
    principal: Principal = Depends(require_role(*STOCK_WRITERS)),
) -> Response:
    cmd = AdjustStock(body.location_id, body.product_id, body.quantity, body.reason)

    async def run(tx: Tx) -> dict[str, Any]:
        return await inventory.adjust_stock(tx, principal, cmd)

    return await create_idempotently(request, principal, key, "field.adjustments", run, "/api/stock-movements")


@router.post("/api/inventory/transfers", status_code=201)
async def create_transfer(
    body: TransferCreate,
    request: Request,
    key: str | None = Depends(idempotency_key),
    principal: Principal = Depends(require_role(*STOCK_WRITERS)),
) -> Response:
    if body.lines is not None:
        lines = [(line.product_id, line.quantity) for line in body.lines]
    elif body.product_id is not None and body.quantity is not None:
        lines = [(body.product_id, body.quantity)]
    else:
        raise InvalidInput("lines", "give lines, or product_id and quantity")
    if len({p for p, _ in lines}) != len(lines):
        raise InvalidInput("lines", "each product may appear once")
    cmd = TransferStock(body.from_location_id, body.to_location_id, lines, body.reason)

    async def run(tx: Tx) -> dict[str, Any]:
        return await inventory.transfer_stock(tx, principal, cmd)

    return await create_idempotently(request, principal, key, "field.transfers", run, "/api/stock-movements")


@router.patch("/api/inventory/{location_id}/{product_id}")
async def set_reorder_level(
    location_id: uuid.UUID,
    product_id: uuid.UUID,
    body: ReorderLevelUpdate,
    principal: Principal = Depends(require_role(*STOCK_WRITERS)),
    db: Database = Depends(database),
) -> Response:
    async with db.transaction() as tx:
        level = await inventory.set_reorder_level(tx, principal, location_id, product_id, body.reorder_level)
    return json_response(level)


@router.get("/api/stock-movements")
async def list_movements(
    location_id: uuid.UUID | None = None,
    product_id: uuid.UUID | None = None,
    kind: str | None = Query(None, pattern=KINDS),
    cause_type: str | None = Query(None, max_length=32),
    cause_id: uuid.UUID | None = None,
    date_from: datetime | None = None,
    date_to: datetime | None = None,
    params: PageParams = Depends(page_params),
    principal: Principal = Depends(require_role(*ALL_ROLES)),
    db: Database = Depends(database),
) -> Response:
    async with db.connect() as tx:
        items, total = await queries.list_movements(
            await tx.raw(),
            scope_of(principal),
            location_id=location_id,
            product_id=product_id,
            kind=kind,
            cause_type=cause_type,
            cause_id=cause_id,
            date_from=date_from,
            date_to=date_to,
            limit=params.limit,
            offset=params.offset,
        )
    return json_response(page_of(items, params, total))
