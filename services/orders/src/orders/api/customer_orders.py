"""GET /api/customers/{id}/orders: served by orders, routed here by the gateway."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from orders.api.deps import (
    CUSTOMER_ORDERS_OPENAPI,
    CustomerOrdersQuery,
    customer_orders_query,
    database,
    json_response,
)
from orders.api.orders import order_filter
from orders.service_layer import queries
from salessync.auth import Principal, require_principal
from salessync.db import Database

router = APIRouter(prefix="/api/customers", tags=["orders"])


@router.get("/{customer_id}/orders", openapi_extra=CUSTOMER_ORDERS_OPENAPI)
async def customer_orders(
    customer_id: UUID,
    q: CustomerOrdersQuery = Depends(customer_orders_query),
    principal: Principal = Depends(require_principal),
    db: Database = Depends(database),
) -> Response:
    flt = order_filter(principal, q, customer_id)
    return json_response(await queries.list_customer_orders(db, principal, flt, q.page_params, q.sort))
