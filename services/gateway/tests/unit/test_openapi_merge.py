from __future__ import annotations

from typing import Any

from gateway.openapi import merge
from gateway.routing import RouteTable
from gateway.settings import DEFAULT_ROUTES

TABLE = RouteTable(DEFAULT_ROUTES)


def doc(paths: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    return {"openapi": "3.1.0", "paths": paths, "components": {"schemas": schemas}}


def op(ref: str) -> dict[str, Any]:
    return {"get": {"responses": {"200": {"content": {"application/json": {"schema": {"$ref": ref}}}}}}}


def test_equal_components_are_shared_and_different_ones_prefixed() -> None:
    error = {"type": "object", "properties": {"detail": {"type": "string"}}}
    docs = {
        "catalog": doc({"/api/products": op("#/components/schemas/Out")}, {"Out": {"title": "A"}, "Err": error}),
        "orders": doc({"/api/orders": op("#/components/schemas/Out")}, {"Out": {"title": "B"}, "Err": error}),
    }

    merged = merge(docs, TABLE, [])

    assert set(merged["components"]["schemas"]) == {"Out", "orders_Out", "Err"}
    orders_schema = merged["paths"]["/api/orders"]["get"]["responses"]["200"]["content"]["application/json"]
    assert orders_schema["schema"]["$ref"] == "#/components/schemas/orders_Out"


def test_paths_a_service_documents_but_does_not_own_are_left_out() -> None:
    docs = {"catalog": doc({"/api/products": {}, "/api/orders": {}, "/internal/x": {}}, {})}

    merged = merge(docs, TABLE, ["orders"])

    assert list(merged["paths"]) == ["/api/products"]
    assert merged["x-unavailable"] == ["orders"]


def test_public_operations_need_no_token_in_the_document() -> None:
    docs = {"identity": doc({"/api/auth/login": {"post": {}}, "/api/auth/me": {"get": {}}}, {})}

    merged = merge(docs, TABLE, [], frozenset({("POST", "/api/auth/login")}))

    assert merged["paths"]["/api/auth/login"]["post"]["security"] == []
    assert "security" not in merged["paths"]["/api/auth/me"]["get"]
    assert merged["security"] == [{"bearerAuth": []}]
