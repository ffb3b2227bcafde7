"""`/api/customers`: everyone reads, salesmen also create; admins and managers change and deactivate."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from catalog.adapters import customers
from catalog.api import deps, queries
from catalog.api.schemas import CustomerCreate, CustomerOut, CustomerUpdate
from catalog.service_layer.commands import Change, Create, Remove
from catalog.service_layer.customers import change_customer, create_customer, deactivate_customer
from salessync.auth import Principal
from salessync.idempotency import idempotency_key
from salessync.pagination import Page

router = APIRouter(prefix="/api/customers", tags=["customers"])


@router.get("", response_model=Page[CustomerOut], summary="List customers", openapi_extra=queries.CUSTOMERS.openapi)
async def list_customers(request: Request) -> Response:
    """Parameters: `queries.CustomerQuery` (parsed there in one step: see that module)."""
    principal = await deps.read(request)
    q = queries.CUSTOMERS.parse(request)
    return await deps.read_page(
        request,
        lambda conn: customers.list_page(
            conn,
            principal.tenant_id,
            type_=q.type,
            status=q.status,
            route=q.route,
            price_list_id=q.price_list_id,
            search=q.search,
            sort=q.sort,
            page=q.page,
            limit=q.limit,
        ),
        cached_as=(principal.tenant_id, "customers", q),
    )


@router.post("", status_code=201, response_model=CustomerOut, summary="Create a customer")
async def post_customer(
    body: CustomerCreate,
    request: Request,
    principal: Principal = Depends(deps.manage_or_sell),
    key: str | None = Depends(idempotency_key),
) -> Response:
    cmd = Create(principal.tenant_id, body.model_dump())
    return await deps.create(request, principal, key, "customers.create", lambda tx: create_customer(tx, cmd))


@router.get("/{customer_id}", response_model=CustomerOut, summary="One customer")
async def get_customer(customer_id: uuid.UUID, request: Request, principal: Principal = Depends(deps.read)) -> Response:
    return await deps.read_one(
        request, lambda conn: customers.get_json(conn, principal.tenant_id, customer_id), "customer"
    )


@router.patch("/{customer_id}", response_model=CustomerOut, summary="Change a customer (If-Match: version)")
async def patch_customer(
    customer_id: uuid.UUID,
    body: CustomerUpdate,
    request: Request,
    principal: Principal = Depends(deps.manage),
    expected: int | None = Depends(deps.if_match),
) -> Response:
    cmd = Change(principal.tenant_id, customer_id, body.changes(), expected)
    return await deps.write(request, lambda tx: change_customer(tx, cmd))


@router.delete("/{customer_id}", status_code=204, summary="Deactivate a customer (it stays readable)")
async def delete_customer(
    customer_id: uuid.UUID, request: Request, principal: Principal = Depends(deps.manage)
) -> Response:
    cmd = Remove(principal.tenant_id, customer_id)
    return await deps.remove(request, lambda tx: deactivate_customer(tx, cmd))
