"""/api/van-loads: plan, load, depart, return, reconcile, approve, cancel (thin routes over the handlers)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response

from field.adapters import van_loads_repo
from field.api.common import MANAGERS, create_idempotently, json_response
from field.api.schemas import ApprovalIn, VanLoadCreate, VanReturn
from field.service_layer import van_loads
from field.service_layer.van_loads import PlanVanLoad, VanLoadNotFound
from salessync.app import database
from salessync.auth import Principal, require_role
from salessync.db import Database, Tx
from salessync.errors import InvalidInput
from salessync.idempotency import idempotency_key
from salessync.pagination import PageParams, page_of, page_params

router = APIRouter(prefix="/api/van-loads", tags=["van loads"])
READERS = ("admin", "manager", "salesman", "warehouse_staff")
STORE = ("admin", "manager", "warehouse_staff")
DRIVERS = ("admin", "manager", "salesman", "warehouse_staff")


async def read_load(tx: Tx, principal: Principal, load_id: uuid.UUID) -> dict[str, Any]:
    raw = await tx.raw()
    row = await van_loads_repo.get_row(raw, principal.tenant_id, load_id)
    if row is None or (principal.role == "salesman" and row["salesman_id"] != principal.user_id):
        raise VanLoadNotFound(f"van load {load_id} not found")
    lines = await van_loads_repo.get_lines(raw, principal.tenant_id, load_id)
    for line in lines:
        line["variance"] = line["loaded"] - line["sold"] - line["returned"] - line["damaged"]
    row["lines"] = lines
    return row


@router.get("")
async def list_van_loads(
    van_id: uuid.UUID | None = None,
    salesman_id: uuid.UUID | None = None,
    status: str | None = Query(None, pattern="^(planned|loaded|in_field|returned|reconciled|cancelled)$"),
    params: PageParams = Depends(page_params),
    principal: Principal = Depends(require_role(*READERS)),
    db: Database = Depends(database),
) -> Response:
    if principal.role == "salesman":
        salesman_id = principal.user_id
    async with db.connect() as tx:
        rows, total = await van_loads_repo.list_page(
            await tx.raw(), principal.tenant_id, van_id=van_id, salesman_id=salesman_id, status=status,
            limit=params.limit, offset=params.offset,
        )  # fmt: skip
    return json_response(page_of(rows, params, total))


@router.post("", status_code=201)
async def plan_van_load(
    body: VanLoadCreate,
    request: Request,
    key: str | None = Depends(idempotency_key),
    principal: Principal = Depends(require_role(*STORE)),
) -> Response:
    products = [line.product_id for line in body.lines]
    if len(set(products)) != len(products):
        raise InvalidInput("lines", "each product may appear once")
    cmd = PlanVanLoad(
        body.van_id, body.salesman_id, body.warehouse_id, [(x.product_id, x.quantity) for x in body.lines],
        body.cash_float,
    )  # fmt: skip

    async def run(tx: Tx) -> dict[str, Any]:
        return await read_load(tx, principal, await van_loads.plan_van_load(tx, principal, cmd))

    return await create_idempotently(request, principal, key, "field.van_loads.create", run, "/api/van-loads")


@router.get("/{load_id}")
async def get_van_load(
    load_id: uuid.UUID, principal: Principal = Depends(require_role(*READERS)), db: Database = Depends(database)
) -> Response:
    async with db.connect() as tx:
        return json_response(await read_load(tx, principal, load_id))


async def _step(
    db: Database, principal: Principal, load_id: uuid.UUID, step: Callable[[Tx], Awaitable[None]]
) -> Response:
    async with db.transaction() as tx:
        await step(tx)
        return json_response(await read_load(tx, principal, load_id))


@router.post("/{load_id}/load")
async def load_van(
    load_id: uuid.UUID, principal: Principal = Depends(require_role(*STORE)), db: Database = Depends(database)
) -> Response:
    return await _step(db, principal, load_id, lambda tx: van_loads.load_van(tx, principal, load_id))


@router.post("/{load_id}/depart")
async def depart(
    load_id: uuid.UUID, principal: Principal = Depends(require_role(*DRIVERS)), db: Database = Depends(database)
) -> Response:
    return await _step(db, principal, load_id, lambda tx: van_loads.depart(tx, principal, load_id))


@router.post("/{load_id}/return")
async def return_van(
    load_id: uuid.UUID,
    body: VanReturn,
    principal: Principal = Depends(require_role(*DRIVERS)),
    db: Database = Depends(database),
) -> Response:
    products = [line.product_id for line in body.lines]
    if len(set(products)) != len(products):
        raise InvalidInput("lines", "each product may appear once")
    counts = [(x.product_id, x.returned, x.damaged) for x in body.lines]
    return await _step(
        db, principal, load_id, lambda tx: van_loads.return_van(tx, principal, load_id, counts, body.cash_counted)
    )


@router.post("/{load_id}/reconcile")
async def reconcile(
    load_id: uuid.UUID, principal: Principal = Depends(require_role(*STORE)), db: Database = Depends(database)
) -> Response:
    async with db.transaction() as tx:
        await van_loads.reconcile(tx, principal, load_id)
        load = await read_load(tx, principal, load_id)
    lines = [{k: x[k] for k in ("product_id", "product_name", "loaded", "sold", "returned", "damaged", "variance")}
             for x in load["lines"]]  # fmt: skip
    return json_response(
        {
            "van_load_id": load["id"],
            "lines": lines,
            "expected_cash": load["expected_cash"],
            "counted_cash": load["counted_cash"],
            "cash_variance": load["cash_variance"],
            "status": load["result"],
            "van_load_status": load["status"],
        }
    )


@router.post("/{load_id}/approve")
async def approve(
    load_id: uuid.UUID,
    body: ApprovalIn,
    principal: Principal = Depends(require_role(*MANAGERS)),
    db: Database = Depends(database),
) -> Response:
    return await _step(db, principal, load_id, lambda tx: van_loads.approve(tx, principal, load_id, body.note))


@router.post("/{load_id}/cancel")
async def cancel(
    load_id: uuid.UUID, principal: Principal = Depends(require_role(*STORE)), db: Database = Depends(database)
) -> Response:
    return await _step(db, principal, load_id, lambda tx: van_loads.cancel(tx, principal, load_id))
