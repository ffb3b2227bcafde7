"""Settings refuse placeholders outside dev; errors become problem+json naming the field."""

from __future__ import annotations

import asyncpg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field, ValidationError

from salessync.errors import Conflict, InvalidInput, NotFound
from salessync.settings import ServiceSettings
from salessync.types import to_cents
from salessync.web import field_path, install_error_handlers


def test_a_placeholder_secret_fails_in_production() -> None:
    with pytest.raises(ValidationError):
        ServiceSettings(environment="prod", database={"url": "change-me"})


def test_a_placeholder_secret_is_allowed_in_dev() -> None:
    assert ServiceSettings(environment="dev", database={"url": "change-me"}).environment == "dev"


def test_nested_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    class Demo(ServiceSettings):
        model_config = {**ServiceSettings.model_config, "env_prefix": "DEMO_"}

    monkeypatch.setenv("DEMO_HTTP__PORT", "8123")
    monkeypatch.setenv("DEMO_UPSTREAMS__ORDERS", "http://orders:8003")
    settings = Demo()
    assert settings.http.port == 8123
    assert settings.upstreams["orders"] == "http://orders:8003"


@pytest.mark.parametrize(
    "module, cls, port", [("orders.settings", "OrdersSettings", 8003), ("field.settings", "FieldSettings", 8004)]
)
def test_one_variable_of_a_group_keeps_the_services_own_defaults_for_the_rest(
    monkeypatch: pytest.MonkeyPatch, module: str, cls: str, port: int
) -> None:
    """ORDERS_HTTP__HOST alone used to put orders on the base default port (8000, the gateway's) instead of 8003."""
    import importlib

    settings_class = getattr(importlib.import_module(module), cls)
    prefix = settings_class.model_config["env_prefix"]
    monkeypatch.setenv(f"{prefix}HTTP__HOST", "0.0.0.0")
    monkeypatch.setenv(f"{prefix}DATABASE__POOL_SIZE", "3")
    settings = settings_class()
    assert (settings.http.host, settings.http.port) == ("0.0.0.0", port)
    assert settings.database.pool_size == 3 and settings.database.max_overflow == 0


def test_field_paths_read_like_the_request() -> None:
    assert field_path(("body", "items", 0, "quantity")) == "items[0].quantity"
    assert field_path(("query", "limit")) == "limit"


def test_amounts_round_half_up_to_cents() -> None:
    from decimal import Decimal

    assert to_cents(Decimal("2.345")) == Decimal("2.35")
    assert to_cents(Decimal("2.344")) == Decimal("2.34")


class Item(BaseModel):
    quantity: int = Field(gt=0)


class Body(BaseModel):
    items: list[Item]


def make_app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/things")
    async def create(body: Body) -> dict:
        return {"ok": True}

    @app.get("/missing")
    async def missing() -> dict:
        raise NotFound("no such thing")

    @app.get("/duplicate")
    async def duplicate() -> dict:
        raise Conflict("code exists", code="duplicate_code", field="code")

    @app.get("/invalid")
    async def invalid() -> dict:
        raise InvalidInput("latitude", "must be between -90 and 90")

    @app.get("/deadlock")
    async def deadlock() -> dict:
        raise asyncpg.exceptions.DeadlockDetectedError("deadlock detected")

    @app.get("/boom")
    async def boom() -> dict:
        raise RuntimeError("bug")

    return app


def test_validation_errors_are_422_naming_the_field() -> None:
    response = TestClient(make_app()).post("/things", json={"items": [{"quantity": 0}]})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "items[0].quantity"


def test_unparsable_json_is_400() -> None:
    response = TestClient(make_app()).post(
        "/things", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["title"] == "Malformed request"


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [("/missing", 404, "not_found"), ("/duplicate", 409, "duplicate_code"), ("/invalid", 422, "invalid")],
)
def test_domain_errors_map_to_their_status(path: str, status: int, code: str) -> None:
    body = TestClient(make_app()).get(path).json()
    assert (body["status"], body["code"]) == (status, code)


def test_a_transaction_the_database_rolled_back_is_a_503_to_try_again_not_a_500() -> None:
    response = TestClient(make_app(), raise_server_exceptions=False).get("/deadlock")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "transient_conflict"


def test_an_unexpected_error_is_a_500_problem_without_details() -> None:
    response = TestClient(make_app(), raise_server_exceptions=False).get("/boom")
    assert response.status_code == 500
    assert "bug" not in response.text


def test_the_http_client_libraries_do_not_log_each_request_at_info() -> None:
    import logging

    from salessync.logging import configure_logging

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        configure_logging("test", "INFO")
        assert not logging.getLogger("httpx").isEnabledFor(logging.INFO)
        assert logging.getLogger("httpx").isEnabledFor(logging.WARNING)
        assert logging.getLogger("salessync.http").isEnabledFor(logging.INFO)
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
