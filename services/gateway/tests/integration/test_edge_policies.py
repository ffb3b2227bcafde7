"""Security headers, CORS, rate limits, the merged OpenAPI document and Swagger UI."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from salessync.testing.tokens import TestKeys, bearer

from .conftest import gateway_settings, running_gateway

ORIGIN = "https://console.example.com"


@pytest.fixture(scope="module")
async def edge(upstreams: dict[str, str], test_keys: TestKeys) -> AsyncIterator[httpx.AsyncClient]:
    async with running_gateway(gateway_settings(upstreams, test_keys)) as client:
        yield client


@pytest.mark.parametrize("path", ["/api/products/1", "/api/orders/1", "/health", "/api/nowhere"])
async def test_security_headers_are_on_every_answer(edge: httpx.AsyncClient, test_keys: TestKeys, path: str) -> None:
    for headers in ({}, bearer(test_keys.mint())):
        answer = await edge.get(path, headers=headers)

        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert answer.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
        assert "strict-transport-security" not in answer.headers


async def test_hsts_is_sent_only_when_the_request_came_over_tls(edge: httpx.AsyncClient) -> None:
    answer = await edge.get("/health", headers={"X-Forwarded-Proto": "https"})

    assert answer.headers["strict-transport-security"].startswith("max-age=")


async def test_cors_preflight_from_an_allowed_origin_is_answered(edge: httpx.AsyncClient) -> None:
    answer = await edge.options(
        "/api/orders",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
        },
    )

    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == ORIGIN
    assert "POST" in answer.headers["access-control-allow-methods"]
    assert "idempotency-key" in answer.headers["access-control-allow-headers"].lower()


async def test_cors_preflight_from_another_origin_is_refused(edge: httpx.AsyncClient) -> None:
    answer = await edge.options(
        "/api/orders", headers={"Origin": "https://evil.example.com", "Access-Control-Request-Method": "POST"}
    )

    assert answer.status_code == 400
    assert "access-control-allow-origin" not in answer.headers


async def test_a_simple_cross_origin_answer_names_the_allowed_origin_once(
    edge: httpx.AsyncClient, test_keys: TestKeys
) -> None:
    answer = await edge.get("/api/products/1", headers={**bearer(test_keys.mint()), "Origin": ORIGIN})

    assert answer.headers.get_list("access-control-allow-origin") == [ORIGIN]
    assert "x-request-id" in answer.headers["access-control-expose-headers"].lower()


async def test_the_merged_openapi_has_paths_of_two_services_and_names_the_one_down(edge: httpx.AsyncClient) -> None:
    doc = (await edge.get("/openapi.json")).json()

    assert "/api/products" in doc["paths"]
    assert "/api/orders" in doc["paths"]
    assert doc["x-unavailable"] == ["field"]
    schemas = doc["components"]["schemas"]
    assert set(schemas["Item"]["properties"]) == {"name"}  # catalog's, first in name order
    assert set(schemas["orders_Item"]["properties"]) == {"total"}
    orders_ref = doc["paths"]["/api/orders"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert orders_ref["items"]["$ref"] == "#/components/schemas/orders_Item"
    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


async def test_swagger_ui_is_served_from_local_assets_under_its_own_csp(edge: httpx.AsyncClient) -> None:
    page = await edge.get("/api-docs")
    script = await edge.get("/api-docs/static/swagger-ui-bundle.js")
    init = await edge.get("/api-docs/init.js")

    assert page.status_code == 200 and "/api-docs/static/swagger-ui-bundle.js" in page.text
    assert "http" not in page.text.split("<body>")[1]  # nothing from a CDN
    assert script.status_code == 200 and len(script.content) > 100_000
    assert "/openapi.json" in init.text
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]


async def test_ready_answers_while_an_upstream_is_down(edge: httpx.AsyncClient) -> None:
    answer = await edge.get("/ready")

    assert answer.status_code == 200
    assert answer.json()["status"] == "ready"


async def test_metrics_label_forwarded_requests_by_route(edge: httpx.AsyncClient, test_keys: TestKeys) -> None:
    await edge.get("/api/customers/1", headers=bearer(test_keys.mint()))

    metrics = (await edge.get("/metrics")).text

    assert 'route="/api/customers"' in metrics


async def test_requests_over_the_address_limit_are_429_with_retry_after(
    upstreams: dict[str, str], test_keys: TestKeys
) -> None:
    limits = {"enabled": True, "address_rate": 0.1, "address_burst": 3}
    async with running_gateway(gateway_settings(upstreams, test_keys, rate_limit=limits)) as client:
        statuses = [(await client.post("/api/auth/login", json={})).status_code for _ in range(4)]
        limited = await client.post("/api/auth/login", json={})

    assert statuses == [200, 200, 200, 429]
    assert limited.status_code == 429
    assert limited.headers["content-type"] == "application/problem+json"
    assert int(limited.headers["retry-after"]) >= 1


async def test_requests_over_the_user_limit_are_429_for_that_user_only(
    upstreams: dict[str, str], test_keys: TestKeys
) -> None:
    limits = {"enabled": True, "user_rate": 0.1, "user_burst": 2}
    greedy, other = bearer(test_keys.mint()), bearer(test_keys.mint())
    async with running_gateway(gateway_settings(upstreams, test_keys, rate_limit=limits)) as client:
        statuses = [(await client.get("/api/products/1", headers=greedy)).status_code for _ in range(3)]
        other_status = (await client.get("/api/products/1", headers=other)).status_code

    assert statuses == [200, 200, 429]
    assert other_status == 200
