"""Dependencies of the orders routes, all `async def`: FastAPI runs a plain `def` dependency (and any class) in a
worker thread, which costs a thread hop per dependency per request on the hot paths."""

from datetime import date
from typing import Any
from uuid import UUID

import orjson
from fastapi import Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from orders.adapters.order_reads import SORTS
from orders.api.schemas import OrderCreate, OrderStatus, PaymentStatus
from salessync.body import body_model, body_openapi
from salessync.db import Database
from salessync.idempotency import KEY_PARAMETER
from salessync.pagination import PageParams
from salessync.query import query_model, query_parameters


def json_response(body: Any, status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    content = body if isinstance(body, bytes) else orjson.dumps(body)
    return Response(content, status_code=status_code, media_type="application/json", headers=headers)


async def database(request: Request) -> Database:
    db: Database = request.app.state.runtime.db
    return db


order_create = body_model(OrderCreate)
CREATE_OPENAPI = {**body_openapi(OrderCreate), "parameters": [KEY_PARAMETER]}


SORT_PATTERN = "^(" + "|".join(k.replace("-", "\\-") for k in SORTS) + ")$"


class CustomerOrdersQuery(BaseModel):
    """The query of a customer's orders (GET /api/customers/{id}/orders): filters, sort and page, validated as one
    model. The customer is the path's; `ListQuery` adds `customer_id` for GET /api/orders.

    Taken by `query_model` (`salessync.query`) and documented by `query_parameters`: FastAPI inspects each field's
    annotation again on every request, which was a third of the orders service's own CPU per list page. Unknown
    status strings and sorts are still 422 naming the parameter (`query.status`)."""

    salesman_id: UUID | None = None
    status: OrderStatus | None = None
    payment_status: PaymentStatus | None = None
    date_from: date | None = None
    date_to: date | None = None
    van_load_id: UUID | None = None
    search: str | None = Field(None, max_length=64, description="part of the order number")
    sort: str = Field("-created_at", pattern=SORT_PATTERN)
    page: int = Field(1, ge=1, le=100_000, description="Page number, from 1")
    limit: int = Field(20, ge=1, le=100, description="Items per page, 1..100")

    @property
    def page_params(self) -> PageParams:
        return PageParams(page=self.page, limit=self.limit)


class ListQuery(CustomerOrdersQuery):
    """The query of GET /api/orders: a customer's orders' filters and `customer_id`."""

    customer_id: UUID | None = None


list_query = query_model(ListQuery)
LIST_OPENAPI = {"parameters": query_parameters(ListQuery)}
customer_orders_query = query_model(CustomerOrdersQuery)
CUSTOMER_ORDERS_OPENAPI = {"parameters": query_parameters(CustomerOrdersQuery)}
