"""`/api/products`: everyone reads; admins and managers write. DELETE deactivates (see the handler)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from catalog.adapters import products
from catalog.adapters.sql import read_connection
from catalog.api import deps, queries
from catalog.api.schemas import AppliedPriceOut, ProductCreate, ProductOut, ProductUpdate
from catalog.domain.values import money, rate
from catalog.service_layer import price_lists as pricing
from catalog.service_layer.commands import Change, Create, Remove
from catalog.service_layer.products import change_product, create_product, deactivate_product
from salessync.app import database
from salessync.auth import Principal
from salessync.idempotency import idempotency_key
from salessync.pagination import Page

router = APIRouter(prefix="/api/products", tags=["products"])


@router.get("", response_model=Page[ProductOut], summary="List products", openapi_extra=queries.PRODUCTS.openapi)
async def list_products(request: Request) -> Response:
    """Parameters: `queries.ProductQuery` (parsed there in one step: see that module)."""
    principal = await deps.read(request)
    q = queries.PRODUCTS.parse(request)
    return await deps.read_page(
        request,
        lambda conn: products.list_page(
            conn,
            principal.tenant_id,
            category_id=q.category_id,
            brand_id=q.brand_id,
            status=q.status,
            search=q.search,
            sort=q.sort,
            page=q.page,
            limit=q.limit,
        ),
        cached_as=(principal.tenant_id, "products", q),
    )


@router.post("", status_code=201, response_model=ProductOut, summary="Create a product")
async def post_product(
    body: ProductCreate,
    request: Request,
    principal: Principal = Depends(deps.manage),
    key: str | None = Depends(idempotency_key),
) -> Response:
    cmd = Create(principal.tenant_id, body.model_dump())
    return await deps.create(request, principal, key, "products.create", lambda tx: create_product(tx, cmd))


@router.get("/{product_id}", response_model=ProductOut, summary="One product")
async def get_product(product_id: uuid.UUID, request: Request, principal: Principal = Depends(deps.read)) -> Response:
    return await deps.read_one(
        request, lambda conn: products.get_json(conn, principal.tenant_id, product_id), "product"
    )


@router.patch("/{product_id}", response_model=ProductOut, summary="Change a product (If-Match: version)")
async def patch_product(
    product_id: uuid.UUID,
    body: ProductUpdate,
    request: Request,
    principal: Principal = Depends(deps.manage),
    expected: int | None = Depends(deps.if_match),
) -> Response:
    cmd = Change(principal.tenant_id, product_id, body.changes(), expected)
    return await deps.write(request, lambda tx: change_product(tx, cmd))


@router.delete("/{product_id}", status_code=204, summary="Deactivate a product (it stays readable)")
async def delete_product(
    product_id: uuid.UUID, request: Request, principal: Principal = Depends(deps.manage)
) -> Response:
    cmd = Remove(principal.tenant_id, product_id)
    return await deps.remove(request, lambda tx: deactivate_product(tx, cmd))


@router.get("/{product_id}/price", response_model=AppliedPriceOut, summary="The price that applies to a customer")
async def get_price(
    product_id: uuid.UUID,
    request: Request,
    customer_id: uuid.UUID | None = None,
    principal: Principal = Depends(deps.read),
) -> AppliedPriceOut:
    today = datetime.now(UTC).date()
    async with read_connection(database(request)) as conn:
        applied = await pricing.price_for(conn, principal.tenant_id, product_id, customer_id, today)
    return AppliedPriceOut(
        product_id=product_id,
        customer_id=customer_id,
        price=money(applied.price),
        tax_rate=rate(applied.tax_rate),
        source=applied.source,
        price_list_id=applied.price_list_id,
        currency=applied.currency,
    )
