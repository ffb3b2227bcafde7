"""`/api/price-lists` and `/api/price-lists/{id}/prices`: everyone reads; admins and managers write.

The prices of a list are one set: `GET .../prices` pages through them, `PUT .../prices` replaces the whole set
(with `If-Match` on the list's version). Every change publishes `price_list.updated` with the whole list.
"""

from __future__ import annotations

import uuid
from typing import Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from catalog.adapters import price_lists
from catalog.api import deps
from catalog.api.schemas import (
    PriceItemOut,
    PriceListCreate,
    PriceListOut,
    PriceListUpdate,
    PricesReplace,
    price_pairs,
)
from catalog.domain.errors import RecordNotFound
from catalog.service_layer.commands import Change, Create, Remove
from catalog.service_layer.price_lists import change_price_list, create_price_list, delete_price_list
from salessync.auth import Principal
from salessync.idempotency import idempotency_key
from salessync.pagination import Page, PageParams

router = APIRouter(prefix="/api/price-lists", tags=["price lists"])


@router.get("", response_model=Page[PriceListOut], summary="List price lists")
async def list_price_lists(
    request: Request,
    principal: Principal = Depends(deps.read),
    params: PageParams = Depends(deps.page_params),
    status: Literal["active", "inactive"] | None = None,
    sort: str = Query("name", max_length=20, description="name, valid_from, created_at; '-' descends"),
) -> Response:
    return await deps.read_page(
        request,
        lambda conn: price_lists.list_page(
            conn, principal.tenant_id, status=status, sort=sort, page=params.page, limit=params.limit
        ),
    )


@router.post("", status_code=201, response_model=PriceListOut, summary="Create a price list, with its prices")
async def post_price_list(
    body: PriceListCreate,
    request: Request,
    principal: Principal = Depends(deps.manage),
    key: str | None = Depends(idempotency_key),
) -> Response:
    fields = body.model_dump(exclude={"prices"}) | {"prices": price_pairs(body.prices)}
    cmd = Create(principal.tenant_id, fields)
    return await deps.create(request, principal, key, "price_lists.create", lambda tx: create_price_list(tx, cmd))


@router.get("/{price_list_id}", response_model=PriceListOut, summary="One price list")
async def get_price_list(
    price_list_id: uuid.UUID, request: Request, principal: Principal = Depends(deps.read)
) -> Response:
    return await deps.read_one(
        request, lambda conn: price_lists.get_json(conn, principal.tenant_id, price_list_id), "price list"
    )


@router.patch("/{price_list_id}", response_model=PriceListOut, summary="Change a price list's terms (If-Match)")
async def patch_price_list(
    price_list_id: uuid.UUID,
    body: PriceListUpdate,
    request: Request,
    principal: Principal = Depends(deps.manage),
    expected: int | None = Depends(deps.if_match),
) -> Response:
    cmd = Change(principal.tenant_id, price_list_id, body.changes(), expected)
    return await deps.write(request, lambda tx: change_price_list(tx, cmd))


@router.delete("/{price_list_id}", status_code=204, summary="Delete a price list (409 while customers use it)")
async def delete_list(
    price_list_id: uuid.UUID, request: Request, principal: Principal = Depends(deps.manage)
) -> Response:
    cmd = Remove(principal.tenant_id, price_list_id)
    return await deps.remove(request, lambda tx: delete_price_list(tx, cmd))


@router.get("/{price_list_id}/prices", response_model=Page[PriceItemOut], summary="The list's prices, by code")
async def get_prices(
    price_list_id: uuid.UUID,
    request: Request,
    principal: Principal = Depends(deps.read),
    params: PageParams = Depends(deps.page_params),
) -> Response:
    async with deps.read_connection(deps.database(request)) as conn:
        if not await price_lists.exists(conn, principal.tenant_id, price_list_id):
            raise RecordNotFound("price list not found")
        body = await price_lists.items_page(
            conn, principal.tenant_id, price_list_id, page=params.page, limit=params.limit
        )
    return deps.json_response(body)


@router.put("/{price_list_id}/prices", response_model=PriceListOut, summary="Replace the list's prices (If-Match)")
async def put_prices(
    price_list_id: uuid.UUID,
    body: PricesReplace,
    request: Request,
    principal: Principal = Depends(deps.manage),
    expected: int | None = Depends(deps.if_match),
) -> Response:
    cmd = Change(principal.tenant_id, price_list_id, {"prices": price_pairs(body.prices)}, expected)
    return await deps.write(request, lambda tx: change_price_list(tx, cmd))
