"""HTTP edge of every service: problem+json errors, request ids, access log, metrics, health and readiness."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from salessync.context import request_id_var, tenant_id_var
from salessync.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    Unauthorized,
    Unavailable,
)

log = logging.getLogger("salessync.http")
PROBLEM = "application/problem+json"

STATUS_BY_FAMILY: list[tuple[type[DomainError], int]] = [
    (NotFound, 404),
    (Conflict, 409),
    (InvalidInput, 422),
    (Forbidden, 403),
    (Unauthorized, 401),
    (Unavailable, 503),
]

REQUESTS = Counter("http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram(
    "http_request_duration_seconds",
    "HTTP request latency",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)


def problem(
    status: int,
    title: str,
    detail: str | None = None,
    *,
    type_: str = "about:blank",
    instance: str | None = None,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    body: dict[str, Any] = {
        "type": type_,
        "title": title,
        "status": status,
        "detail": detail or title,
        "instance": instance,
        "request_id": request_id_var.get(),
    }
    if errors is not None:
        body["errors"] = errors
    body.update(extra)
    return Response(orjson.dumps(body, default=str), status_code=status, media_type=PROBLEM, headers=headers)


def status_for(exc: DomainError) -> int:
    for family, status in STATUS_BY_FAMILY:
        if isinstance(exc, family):
            return status
    return 400


def field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    """('body', 'items', 0, 'quantity') -> 'items[0].quantity'."""
    parts = [p for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or str(loc[-1] if loc else "body")


async def _domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    status = status_for(exc)
    errors = getattr(exc, "errors", None)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return problem(
        status,
        exc.title,
        exc.detail,
        type_=f"/problems/{exc.code}",
        instance=request.url.path,
        errors=errors,
        headers=headers,
        code=exc.code,
        **exc.extra,
    )


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    raw = exc.errors()
    if any(e.get("type") in ("json_invalid", "model_attributes_type") and "body" in e.get("loc", ()) for e in raw):
        return problem(400, "Malformed request", "the body is not valid JSON", instance=request.url.path)
    errors = [{"field": field_path(e.get("loc", ())), "message": str(e.get("msg", "invalid"))} for e in raw]
    return problem(
        422,
        "Validation failed",
        "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5]),
        type_="/problems/validation",
        instance=request.url.path,
        errors=errors,
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers) if exc.headers else None
    return problem(exc.status_code, str(exc.detail), instance=request.url.path, headers=headers)


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error", extra={"path": request.url.path})
    return problem(500, "Internal error", "an unexpected error occurred", instance=request.url.path)


async def _lost_a_race(request: Request, exc: Exception) -> Response:
    """PostgreSQL chose this transaction to roll back (a deadlock, or a serialization failure): it wrote nothing,
    and sending the same request again is safe and should pass. A 503 with `Retry-After` says so; a 500 would
    not."""
    assert isinstance(exc, asyncpg.exceptions.TransactionRollbackError)
    log.warning("transaction rolled back by the database", extra={"path": request.url.path, "sqlstate": exc.sqlstate})
    return problem(
        503,
        "Try again",
        "the request met a concurrent one and was rolled back; nothing was changed",
        type_="/problems/transient_conflict",
        instance=request.url.path,
        headers={"Retry-After": "1"},
        code="transient_conflict",
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(asyncpg.exceptions.TransactionRollbackError, _lost_a_race)
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)


class RequestContextMiddleware:
    """Request id in and out, one JSON access-log line, Prometheus metrics. Pure ASGI: cheap on hot paths."""

    def __init__(self, app: ASGIApp, *, skip_log: tuple[str, ...] = ("/health", "/ready", "/metrics")) -> None:
        self.app = app
        self.skip_log = skip_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = (_header(scope, b"x-request-id") or uuid.uuid4().hex)[:128]
        token = request_id_var.set(request_id)
        tenant_token = tenant_id_var.set(None)
        started = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            REQUESTS.labels(scope["method"], template, str(status)).inc()
            LATENCY.labels(scope["method"], template).observe(elapsed)
            if scope["path"] not in self.skip_log:
                log.info(
                    "request",
                    extra={
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 2),
                    },
                )
            tenant_id_var.reset(tenant_token)
            request_id_var.reset(token)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


ReadinessCheck = Callable[[], Awaitable[bool]]


def install_probes(app: FastAPI, checks: dict[str, ReadinessCheck]) -> None:
    """`/health` (the process answers), `/ready` (its dependencies answer), `/metrics` (Prometheus)."""

    @app.get("/health", include_in_schema=False)
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/ready", include_in_schema=False)
    async def ready() -> Response:
        results: dict[str, str] = {}
        for name, check in checks.items():
            try:
                results[name] = "ok" if await check() else "failing"
            except Exception as exc:
                results[name] = f"failing: {type(exc).__name__}"
        ok = all(v == "ok" for v in results.values())
        body = {"status": "ready" if ok else "not_ready", "checks": results}
        return Response(orjson.dumps(body), status_code=200 if ok else 503, media_type="application/json")

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
