"""Shared pieces of the orders routes: answering bytes already encoded, list filters from the query."""

from datetime import date
from typing import Any
from uuid import UUID

import orjson
from fastapi import Query
from fastapi.responses import Response

from orders.adapters.order_reads import SORTS
from orders.api.schemas import OrderStatus, PaymentStatus


def json_response(body: Any, status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    content = body if isinstance(body, bytes) else orjson.dumps(body)
    return Response(content, status_code=status_code, media_type="application/json", headers=headers)


class ListQuery:
    """The filters of GET /api/orders; unknown status strings and sorts are 422 naming the parameter."""

    def __init__(
        self,
        customer_id: UUID | None = None,
        salesman_id: UUID | None = None,
        status: OrderStatus | None = None,
        payment_status: PaymentStatus | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        van_load_id: UUID | None = None,
        search: str | None = Query(None, max_length=64),
        sort: str = Query("-created_at", pattern="^(" + "|".join(k.replace("-", "\\-") for k in SORTS) + ")$"),
    ) -> None:
        self.customer_id = str(customer_id) if customer_id else None
        self.salesman_id = str(salesman_id) if salesman_id else None
        self.status = status
        self.payment_status = payment_status
        self.date_from = date_from
        self.date_to = date_to
        self.van_load_id = str(van_load_id) if van_load_id else None
        self.search = search
        self.sort = sort
