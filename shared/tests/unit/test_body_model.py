"""salessync.body: the same OpenAPI request body and the same answers and 422s as FastAPI's `body: Model`."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict, Field

from salessync.body import body_model, body_openapi
from salessync.web import install_error_handlers


class Line(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product_id: UUID
    quantity: int = Field(gt=0, le=1000, strict=True)
    discount_rate: Decimal = Field(default=Decimal("0"), ge=0, le=1, max_digits=7, decimal_places=4)


class Order(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: UUID
    items: list[Line] = Field(min_length=1, max_length=3)
    payment_method: Literal["cash", "credit"] | None = None
    notes: str | None = Field(default=None, max_length=10)
    delivery_date: date | None = None


def apps() -> tuple[FastAPI, FastAPI]:
    fastapis, ours = FastAPI(), FastAPI()
    install_error_handlers(fastapis)
    install_error_handlers(ours)

    @fastapis.post("/orders")
    async def by_fastapi(body: Order) -> dict:
        return body.model_dump(mode="json")

    @ours.post("/orders", openapi_extra=body_openapi(Order))
    async def by_body_model(body: Order = Depends(body_model(Order))) -> dict:
        return body.model_dump(mode="json")

    @ours.get("/other/{n}")  # as in a real app, another route takes a parameter (FastAPI's 422 schema is listed)
    async def other(n: int) -> int:
        return n

    return fastapis, ours


def _resolved(node: Any, components: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        if "$ref" in node and node["$ref"].startswith("#/components/schemas/"):
            return _resolved(components[node["$ref"].rsplit("/", 1)[1]], components)
        return {k: _resolved(v, components) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolved(x, components) for x in node]
    return node


def test_the_body_is_documented_as_fastapi_documents_it() -> None:
    fastapis, ours = apps()
    theirs_doc, ours_doc = fastapis.openapi(), ours.openapi()
    theirs_op, ours_op = theirs_doc["paths"]["/orders"]["post"], ours_doc["paths"]["/orders"]["post"]
    components = theirs_doc["components"]["schemas"]
    assert ours_op["requestBody"] == _resolved(theirs_op["requestBody"], components)
    assert ours_op["responses"]["422"] == theirs_op["responses"]["422"]
    assert "HTTPValidationError" in ours_doc["components"]["schemas"]


CUSTOMER = "0b7a1d7e-8c61-4c61-9a59-6f0ad1c7a8e1"
PRODUCT = "5f0c3d2e-1a2b-4c3d-8e9f-0a1b2c3d4e5f"
LINE = {"product_id": PRODUCT, "quantity": 2}


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        ({"customer_id": CUSTOMER, "items": [LINE]}, "application/json"),
        ({"customer_id": CUSTOMER, "items": [{**LINE, "discount_rate": "0.125"}], "delivery_date": "2026-12-01"}, None),
        ({"customer_id": CUSTOMER, "items": [LINE]}, "application/vnd.salessync+json; charset=utf-8"),
        ({"customer_id": CUSTOMER, "items": [LINE]}, "Application/JSON ; charset=utf-8"),
        ({"customer_id": CUSTOMER, "items": [{**LINE, "quantity": "2"}]}, "application/json"),  # strict: no string
        ({"customer_id": CUSTOMER, "items": [{**LINE, "quantity": 2.0}]}, "application/json"),
        ({"customer_id": CUSTOMER, "items": [{**LINE, "quantity": -1, "price": "0.01"}]}, "application/json"),
        ({"customer_id": "nope", "items": [], "payment_method": "barter"}, "application/json"),
        ({"customer_id": CUSTOMER, "items": [LINE] * 4, "notes": "x" * 11}, "application/json"),
        ([LINE], "application/json"),
        ("not json at all {", "application/json"),
        ('{"customer_id": "' + CUSTOMER + '", "items": [', "application/json"),
        ("", "application/json"),
        ({"customer_id": CUSTOMER, "items": [LINE]}, "text/plain"),
    ],
)
def test_answers_and_422_problems_are_the_same(content: Any, content_type: str | None) -> None:
    raw = content if isinstance(content, str) else json.dumps(content)
    headers = {"content-type": content_type} if content_type else {}
    fastapis, ours = apps()
    a = TestClient(fastapis).post("/orders", content=raw.encode(), headers=headers)
    b = TestClient(ours).post("/orders", content=raw.encode(), headers=headers)
    assert (b.status_code, b.json()) == (a.status_code, a.json())
    if a.status_code == 422:  # naming the field
        assert b.json()["errors"] and all(e["field"] for e in b.json()["errors"])
    assert a.status_code in (200, 400, 422)
