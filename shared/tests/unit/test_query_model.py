"""salessync.query: the same parameters in OpenAPI and the same 422s as FastAPI's `Annotated[Model, Query()]`."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

import pytest
from fastapi import Depends, FastAPI, Query
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from salessync.query import query_model, query_parameters
from salessync.web import install_error_handlers


class Filters(BaseModel):
    customer_id: UUID | None = None
    status: Literal["pending", "confirmed"] | None = None
    date_from: date | None = None
    search: str | None = Field(None, max_length=8, description="part of a number")
    sort: str = Field("-created_at", pattern="^-?(created_at|number)$")
    page: int = Field(1, ge=1, le=1000, description="Page number, from 1")


def apps() -> tuple[FastAPI, FastAPI]:
    fastapis, ours = FastAPI(), FastAPI()
    install_error_handlers(fastapis)
    install_error_handlers(ours)

    @fastapis.get("/items")
    async def by_fastapi(q: Annotated[Filters, Query()]) -> dict:
        return q.model_dump(mode="json")

    @ours.get("/items", openapi_extra={"parameters": query_parameters(Filters)})
    async def by_query_model(q: Filters = Depends(query_model(Filters))) -> dict:
        return q.model_dump(mode="json")

    return fastapis, ours


def test_the_parameters_are_documented_as_fastapi_documents_them() -> None:
    fastapis, ours = apps()
    expected = fastapis.openapi()["paths"]["/items"]["get"]["parameters"]
    assert ours.openapi()["paths"]["/items"]["get"]["parameters"] == expected


@pytest.mark.parametrize(
    "query",
    [
        "",
        "status=pending&page=3&search=ORD-1",
        "customer_id=0b7a1d7e-8c61-4c61-9a59-6f0ad1c7a8e1&date_from=2026-11-01&sort=number",
        "page=2&page=5",  # repeated: the last one
        "unknown=1&status=confirmed",
        "status=shipped",
        "page=0&search=much-too-long",
        "customer_id=nope&date_from=yesterday&sort=drop",
        "status=",
    ],
)
def test_answers_and_422_problems_are_the_same(query: str) -> None:
    fastapis, ours = apps()
    a = TestClient(fastapis).get(f"/items?{query}")
    b = TestClient(ours).get(f"/items?{query}")
    assert (b.status_code, b.json()) == (a.status_code, a.json())
    if a.status_code == 422:  # naming the parameter
        assert b.json()["errors"] and all(e["field"] in Filters.model_fields for e in b.json()["errors"])


def test_a_model_with_nested_schemas_is_refused() -> None:
    class Inner(BaseModel):
        x: int

    class Outer(BaseModel):
        inner: Inner | None = None

    with pytest.raises(TypeError, match="inline schemas"):
        query_parameters(Outer)
