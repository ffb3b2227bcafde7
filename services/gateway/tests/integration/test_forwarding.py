"""What crosses the gateway: method, path, query, body, headers, answers."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from salessync.testing.tokens import TestKeys, bearer

from .conftest import BIG


def seen_headers(answer: httpx.Response) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in answer.json()["headers"]:
        out.setdefault(name, []).append(value)
    return out


@pytest.fixture(scope="module")
def token(test_keys: TestKeys) -> str:
    return test_keys.mint(role="manager")


async def test_method_path_query_and_body_reach_the_owning_service(gateway: httpx.AsyncClient, token: str) -> None:
    answer = await gateway.patch(
        "/api/orders/7f/status?x=1&y=%C3%A9&y=2", content=b'{"status":"confirmed"}', headers=bearer(token)
    )

    assert answer.status_code == 200
    seen = answer.json()
    assert (seen["service"], seen["method"], seen["path"]) == ("orders", "PATCH", "/api/orders/7f/status")
    assert seen["query"] == "x=1&y=%C3%A9&y=2"
    assert seen["body"] == '{"status":"confirmed"}'
    assert answer.headers["x-upstream"] == "orders"


async def test_an_encoded_path_and_query_reach_the_service_byte_for_byte(
    gateway: httpx.AsyncClient, token: str
) -> None:
    raw_path = "/api/orders/a%2Fb/caf%C3%A9%20au%20lait/%7Euser"
    query = "next=%2Fhome%2Fx&q=soap+bar&plus=%2B&y=%C3%A9"

    answer = await gateway.get(f"{raw_path}?{query}", headers=bearer(token))

    seen = answer.json()
    assert seen["service"] == "orders"
    assert seen["raw_path"] == raw_path
    assert seen["query"] == query


@pytest.mark.parametrize(
    ("path", "service"),
    [
        ("/api/customers/abc", "catalog"),
        ("/api/customers/abc/orders", "orders"),
        ("/api/customers/abc/visits", "notifier-or-field"),
        ("/api/products/p1", "catalog"),
        ("/api/auth/me", "identity"),
        ("/api/dashboard/activities", "notifier"),
    ],
)
async def test_the_most_specific_route_wins(gateway: httpx.AsyncClient, token: str, path: str, service: str) -> None:
    answer = await gateway.get(path, headers=bearer(token))

    if service == "notifier-or-field":  # field is the stopped service in these tests
        assert answer.status_code == 502
        assert answer.json()["service"] == "field"
    else:
        assert answer.json()["service"] == service


async def test_hop_by_hop_headers_are_stripped_and_others_forwarded(gateway: httpx.AsyncClient, token: str) -> None:
    answer = await gateway.get(
        "/api/products/p1",
        headers={
            **bearer(token),
            "Connection": "keep-alive, X-Drop-Me",
            "X-Drop-Me": "1",
            "Keep-Alive": "timeout=5",
            "TE": "trailers",
            "Proxy-Authorization": "Basic abc",
            "X-Custom": "kept",
            "If-Match": "3",
        },
    )

    seen = seen_headers(answer)
    for name in ("connection", "keep-alive", "te", "proxy-authorization", "x-drop-me", "transfer-encoding"):
        assert name not in seen, name
    assert seen["x-custom"] == ["kept"]
    assert seen["if-match"] == ["3"]
    assert seen["authorization"] == [f"Bearer {token}"]
    assert seen["host"] != [gateway.base_url.netloc.decode()]


async def test_utf8_in_a_header_reaches_the_service_byte_for_byte(gateway: httpx.AsyncClient, token: str) -> None:
    answer = await gateway.get("/api/products/p1", headers={**bearer(token), "X-Customer": "José Ñandú".encode()})

    assert seen_headers(answer)["x-customer"] == ["José Ñandú"]


async def test_a_request_id_sent_by_the_client_is_kept_end_to_end(gateway: httpx.AsyncClient, token: str) -> None:
    answer = await gateway.get("/api/products/p1", headers={**bearer(token), "X-Request-ID": "req-42"})

    assert seen_headers(answer)["x-request-id"] == ["req-42"]
    assert answer.headers.get_list("x-request-id") == ["req-42"]


async def test_a_request_id_is_generated_when_missing_and_shared_with_the_service(
    gateway: httpx.AsyncClient, token: str
) -> None:
    answer = await gateway.get("/api/products/p1", headers=bearer(token))

    generated = answer.headers.get_list("x-request-id")
    assert len(generated) == 1 and len(generated[0]) >= 16
    assert seen_headers(answer)["x-request-id"] == generated


async def test_forwarded_headers_name_the_real_client_not_what_it_claims(
    gateway: httpx.AsyncClient, token: str
) -> None:
    answer = await gateway.get(
        "/api/products/p1", headers={**bearer(token), "X-Forwarded-For": "6.6.6.6", "X-Forwarded-Proto": "https"}
    )

    seen = seen_headers(answer)
    assert seen["x-forwarded-for"] == ["127.0.0.1"]
    assert seen["x-forwarded-proto"] == ["http"]
    assert seen["x-forwarded-host"] == [gateway.base_url.netloc.decode()]


async def test_upstream_server_and_request_id_headers_are_not_duplicated(
    gateway: httpx.AsyncClient, token: str
) -> None:
    answer = await gateway.get("/api/products/p1", headers=bearer(token))

    assert "upstream" not in answer.headers.get_list("server")
    assert "from-upstream" not in answer.headers.get_list("x-request-id")


async def test_a_streamed_request_body_arrives_whole(gateway: httpx.AsyncClient, token: str) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for i in range(10):
            yield f"part{i};".encode() * 1000

    answer = await gateway.post("/api/orders", content=chunks(), headers=bearer(token))

    assert answer.json()["body"] == "".join(f"part{i};" * 1000 for i in range(10))


async def test_a_large_answer_is_streamed_back_intact(gateway: httpx.AsyncClient, token: str) -> None:
    answer = await gateway.get("/api/orders/big", headers=bearer(token))

    assert answer.status_code == 200
    assert answer.content == BIG


async def test_an_unknown_path_is_404_problem(gateway: httpx.AsyncClient, token: str) -> None:
    answer = await gateway.get("/api/nothing-here", headers=bearer(token))

    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"


async def test_a_slow_service_is_504_naming_it(gateway: httpx.AsyncClient, token: str) -> None:
    answer = await gateway.get("/api/orders/slow", headers=bearer(token))

    assert answer.status_code == 504
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["title"] == "orders is unavailable"


async def test_a_body_over_the_limit_is_413_before_forwarding(gateway: httpx.AsyncClient, token: str) -> None:
    answer = await gateway.post("/api/orders", content=b"x" * (1024 * 1024 + 1), headers=bearer(token))

    assert answer.status_code == 413
    assert answer.json()["code"] == "body_too_large"


async def test_a_chunked_body_over_the_limit_is_413(gateway: httpx.AsyncClient, token: str) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(40):
            yield b"y" * 65536

    answer = await gateway.post("/api/orders", content=chunks(), headers=bearer(token))

    assert answer.status_code == 413


async def test_a_body_sent_without_a_content_type_reaches_the_service_without_one(
    gateway: httpx.AsyncClient, token: str
) -> None:
    answer = await gateway.post("/api/orders", content=b'{"lines":[]}', headers=bearer(token))

    seen = seen_headers(answer)
    assert answer.json()["body"] == '{"lines":[]}'
    assert "content-type" not in seen
    assert seen["user-agent"] == [f"python-httpx/{httpx.__version__}"]  # the client's, not one of aiohttp's


async def test_a_body_above_the_small_size_is_streamed_with_its_length(gateway: httpx.AsyncClient, token: str) -> None:
    body = bytes(range(256)) * 1024  # 256 KiB, every byte value

    answer = await gateway.put("/api/orders/1", content=body, headers=bearer(token))

    seen = answer.json()
    assert seen["body"].encode("latin-1") == body
    assert seen_headers(answer)["content-length"] == [str(len(body))]
