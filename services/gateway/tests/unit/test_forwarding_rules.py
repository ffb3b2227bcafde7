from __future__ import annotations

import aiohttp
import pytest

from gateway.forwarding import response_headers, upstream_request_headers
from gateway.upstream import failure_status
from gateway.websocket import sendable


def scope(headers: list[tuple[bytes, bytes]], scheme: str = "http") -> dict[str, object]:
    return {"type": "http", "headers": headers, "client": ("10.0.0.9", 5555), "scheme": scheme}


def test_hop_by_hop_and_connection_named_headers_are_dropped() -> None:
    headers, _ = upstream_request_headers(
        scope(
            [
                (b"host", b"gw"),
                (b"connection", b"close, x-secret"),
                (b"x-secret", b"1"),
                (b"proxy-authorization", b"Basic x"),
                (b"transfer-encoding", b"chunked"),
                (b"accept", b"*/*"),
            ]
        ),
        "rid",
        trust_forwarded=False,
    )

    assert dict(headers) == {
        b"accept": b"*/*",
        b"x-forwarded-for": b"10.0.0.9",
        b"x-forwarded-proto": b"http",
        b"x-forwarded-host": b"gw",
        b"x-request-id": b"rid",
    }


def test_a_trusted_proxy_chain_is_extended() -> None:
    headers, _ = upstream_request_headers(
        scope([(b"x-forwarded-for", b"1.1.1.1"), (b"x-forwarded-proto", b"https")]), "rid", trust_forwarded=True
    )

    assert dict(headers)[b"x-forwarded-for"] == b"1.1.1.1, 10.0.0.9"
    assert dict(headers)[b"x-forwarded-proto"] == b"https"


def test_upstream_answer_headers_the_gateway_sets_itself_are_dropped() -> None:
    kept = response_headers(
        [
            (b"Content-Type", b"application/json"),
            (b"Server", b"uvicorn"),
            (b"Date", b"x"),
            (b"X-Request-ID", b"r"),
            (b"Set-Cookie", b"a=1"),
            (b"Set-Cookie", b"b=2"),
            (b"Access-Control-Allow-Origin", b"*"),
        ]
    )

    assert kept == [(b"content-type", b"application/json"), (b"set-cookie", b"a=1"), (b"set-cookie", b"b=2")]


@pytest.mark.parametrize(
    ("exc", "status"),
    [
        (aiohttp.ServerTimeoutError("slow"), 504),
        (aiohttp.SocketTimeoutError("no answer in time"), 504),
        (aiohttp.ConnectionTimeoutError("no connection in time"), 504),
        (TimeoutError(), 504),  # asyncio.TimeoutError is the same class since Python 3.11
        (aiohttp.ServerDisconnectedError(), 502),
        (aiohttp.ClientPayloadError("cut short"), 502),
        (aiohttp.ClientOSError(104, "reset by peer"), 502),
        (ConnectionResetError(104, "reset by peer"), 502),
    ],
)
def test_upstream_failures_map_to_502_or_504(exc: Exception, status: int) -> None:
    assert failure_status(exc) == status


@pytest.mark.parametrize(("code", "sent"), [(4401, 4401), (1009, 1009), (1012, 1012), (1005, 1000), (1006, 1000)])
def test_only_sendable_close_codes_are_passed_on(code: int, sent: int) -> None:
    assert sendable(code) == sent
