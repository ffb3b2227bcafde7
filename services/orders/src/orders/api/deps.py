"""Dependencies of the orders routes, all `async def`: FastAPI runs a plain `def` dependency (and any class) in a
worker thread, which costs a thread hop per dependency per request on the hot paths."""

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

import orjson
from fastapi import Header, Query, Request
from fastapi.responses import Response

from orders.adapters.order_reads import SORTS
from orders.api.schemas import OrderStatus, PaymentStatus
from salessync.db import Database
from salessync.errors import InvalidInput
from salessync.pagination import PageParams


def json_response(body: Any, status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    content = body if isinstance(body, bytes) else orjson.dumps(body)
    return Response(content, status_code=status_code, media_type="application/json", headers=headers)


async def database(request: Request) -> Database:
    db: Database = request.app.state.runtime.db
    return db


async def page_params(
    page: int = Query(1, ge=1, le=100_000, description="Page number, from 1"),
    limit: int = Query(20, ge=1, le=100, description="Items per page, 1..100"),
) -> PageParams:
    return PageParams(page=page, limit=limit)


async def idempotency_key(key: str | None = Header(default=None, alias="Idempotency-Key")) -> str | None:
    if key is not None and not 1 <= len(key) <= 255:
        raise InvalidInput("Idempotency-Key", "must be 1..255 characters")
    return key


@dataclass(frozen=True, slots=True)
class ListQuery:
    customer_id: str | None
    salesman_id: str | None
    status: str | None
    payment_status: str | None
    date_from: date | None
    date_to: date | None
    van_load_id: str | None
    search: str | None
    sort: str


SORT_PATTERN = "^(" + "|".join(k.replace("-", "\\-") for k in SORTS) + ")$"


async def list_query(
    customer_id: UUID | None = None,
    salesman_id: UUID | None = None,
    status: OrderStatus | None = None,
    payment_status: PaymentStatus | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    van_load_id: UUID | None = None,
    search: str | None = Query(None, max_length=64, description="part of the order number"),
    sort: str = Query("-created_at", pattern=SORT_PATTERN),
) -> ListQuery:
    """The filters of GET /api/orders; unknown status strings and sorts are 422 naming the parameter."""
    return ListQuery(
        customer_id=str(customer_id) if customer_id else None,
        salesman_id=str(salesman_id) if salesman_id else None,
        status=status,
        payment_status=payment_status,
        date_from=date_from,
        date_to=date_to,
        van_load_id=str(van_load_id) if van_load_id else None,
        search=search,
        sort=sort,
    )
