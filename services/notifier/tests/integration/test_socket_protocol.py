"""The frame protocol: auth first, 4401 on bad or expired or revoked tokens, errors that keep the socket up,
size and rate limits, and client events answered by `ref`."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import jwt
import orjson
import pytest
import websockets
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from salessync.embedded import EmbeddedNats
from salessync.testing.helpers import eventually
from salessync.testing.tokens import TestKeys, bearer

from .conftest import Notifier, Socket, User, notifier_settings, running_notifier, serve

TENANT = str(uuid.uuid4())
MANAGER = User(TENANT, "manager")
WAREHOUSE = User(TENANT, "warehouse_staff")
SALESMAN = User(TENANT, "salesman")


def stub_upstream(calls: list[dict[str, Any]]) -> FastAPI:
    """Stands in for field and orders: records what the notifier forwards, answers like them."""
    app = FastAPI()

    @app.post("/api/locations")
    async def record_location(request: Request) -> JSONResponse:
        calls.append({"path": request.url.path, "auth": request.headers.get("authorization"), **await request.json()})
        return JSONResponse({"agent_id": "me", **await request.json()}, status_code=201)

    @app.patch("/api/orders/{order_id}/status")
    async def change_status(order_id: str, request: Request) -> JSONResponse:
        body = await request.json()
        calls.append({"path": request.url.path, "auth": request.headers.get("authorization"), **body})
        if body["status"] == "returned":
            problem = {
                "title": "Conflict",
                "status": 409,
                "detail": "pending -> returned",
                "code": "illegal_transition",
            }
            return JSONResponse(problem, status_code=409, media_type="application/problem+json")
        return JSONResponse({"id": order_id, "status": body["status"]})

    return app


@pytest.fixture(scope="module")
async def upstream_calls() -> list[dict[str, Any]]:
    return []


@pytest.fixture(scope="module")
async def notifier(  # type: ignore[override]
    database_url: str, embedded_nats: EmbeddedNats, test_keys: TestKeys, upstream_calls: list[dict[str, Any]]
) -> AsyncIterator[Notifier]:
    async with serve(stub_upstream(upstream_calls)) as upstream_url:
        settings = notifier_settings(
            database_url,
            embedded_nats,
            test_keys,
            ws={"auth_timeout_s": 1.0, "rate_per_s": 1.0, "rate_burst": 8},
            upstreams={"field": upstream_url, "orders": upstream_url},
        )
        async with running_notifier(settings, test_keys, embedded_nats.url) as running:
            for user in (MANAGER, WAREHOUSE, SALESMAN):
                payload = {
                    "id": user.id,
                    "email": f"{user.id}@x.io",
                    "name": user.role,
                    "role": user.role,
                    "status": "active",
                }
                await running.publish(TENANT, "user.created", payload)
            yield running


async def raw_socket(notifier: Notifier) -> Any:
    return await websockets.connect(notifier.ws_url, open_timeout=5)


async def closed_code(ws: Any) -> int | None:
    return await Socket(ws).closed_with()


async def test_a_bad_token_is_closed_with_4401(notifier: Notifier) -> None:
    ws = await raw_socket(notifier)
    await ws.send(orjson.dumps({"event": "auth", "data": {"token": "not-a-token"}}).decode())
    assert await closed_code(ws) == 4401


async def test_a_token_of_another_key_is_closed_with_4401(notifier: Notifier) -> None:
    forged = TestKeys().mint(tenant_id=TENANT, role="admin")
    ws = await raw_socket(notifier)
    await ws.send(orjson.dumps({"event": "auth", "data": {"token": forged}}).decode())
    assert await closed_code(ws) == 4401


async def test_a_socket_that_never_authenticates_is_closed_with_4401(notifier: Notifier) -> None:
    ws = await raw_socket(notifier)
    assert await closed_code(ws) == 4401


async def test_a_first_frame_that_is_not_auth_is_closed_with_4401(notifier: Notifier) -> None:
    ws = await raw_socket(notifier)
    await ws.send('{"event": "chat:message", "data": {"text": "hi"}}')
    assert await closed_code(ws) == 4401


async def test_ready_tells_who_is_connected(notifier: Notifier) -> None:
    socket = await notifier.connect(MANAGER)
    assert socket.ready["user_id"] == MANAGER.id
    assert socket.ready["tenant_id"] == TENANT
    assert socket.ready["last_id"].isdigit()
    await socket.close()


async def test_a_token_that_expires_mid_session_closes_the_socket_with_4401(notifier: Notifier) -> None:
    socket = await notifier.connect(User(TENANT, "manager"), ttl_s=2)
    assert await socket.closed_with(timeout=6) == 4401


async def test_a_malformed_frame_gets_an_error_frame_and_the_socket_stays_up(notifier: Notifier) -> None:
    socket = await notifier.connect(WAREHOUSE)
    await socket.send("{not json")
    error = await socket.next()
    assert error["event"] == "error" and error["data"]["status"] == 400
    await socket.send({"event": "no:such", "ref": "u1", "data": {}})
    unknown = await socket.next()
    assert (unknown["event"], unknown["ref"], unknown["data"]["status"]) == ("error", "u1", 400)
    await socket.send({"event": "inventory:alert", "ref": "v1", "data": {"message": "", "product_id": "nope"}})
    invalid = await socket.next()
    assert (invalid["event"], invalid["ref"], invalid["data"]["status"]) == ("error", "v1", 422)
    assert {e["field"] for e in invalid["data"]["errors"]} == {"message", "product_id"}
    await socket.send({"event": "inventory:alert", "ref": "ok", "data": {"message": "shelf empty"}})
    ack, _ = await socket.until(lambda f: f.get("ref") == "ok")
    assert ack["event"] == "ack" and ack["data"]["alert_id"]
    await socket.close()


async def test_a_frame_over_64_kib_closes_the_socket_with_1009(notifier: Notifier) -> None:
    socket = await notifier.connect(MANAGER)
    await socket.send({"event": "chat:message", "ref": "big", "data": {"text": "x" * (65 * 1024)}})
    assert await socket.closed_with() == 1009


async def test_too_many_frames_are_refused_with_429_and_the_socket_stays_up(notifier: Notifier) -> None:
    socket = await notifier.connect(User(TENANT, "promoter"))
    for n in range(12):
        await socket.send({"event": "no:such", "ref": str(n), "data": {}})
    statuses = [(await socket.next())["data"]["status"] for _ in range(12)]
    assert statuses.count(429) >= 3 and statuses[0] == 400
    await socket.close()


async def test_user_deactivated_closes_his_sockets_with_4401_and_his_token_is_refused_after(
    notifier: Notifier,
) -> None:
    user = User(TENANT, "salesman")
    token = notifier.token(user)
    socket = await notifier.connect(user)
    bystander = await notifier.connect(User(TENANT, "salesman"))
    await notifier.publish(TENANT, "user.deactivated", {"id": user.id, "role": "salesman", "status": "inactive"})
    assert await socket.closed_with() == 4401
    ws = await raw_socket(notifier)
    await ws.send(orjson.dumps({"event": "auth", "data": {"token": token}}).decode())
    assert await closed_code(ws) == 4401
    await bystander.send({"event": "no:such", "ref": "alive", "data": {}})
    assert (await bystander.next())["ref"] == "alive"
    await bystander.close()


async def test_a_role_change_closes_the_users_sockets_with_4401(notifier: Notifier) -> None:
    user = User(TENANT, "salesman")
    socket = await notifier.connect(user)
    payload = {"id": user.id, "role": "manager", "old_role": "salesman", "status": "active"}
    await notifier.publish(TENANT, "user.role_changed", payload)
    assert await socket.closed_with() == 4401


async def test_location_update_is_forwarded_to_field_with_the_users_token(
    notifier: Notifier, upstream_calls: list[dict[str, Any]]
) -> None:
    socket = await notifier.connect(SALESMAN)
    await socket.send(
        {"event": "location:update", "ref": 1, "data": {"latitude": 5.6, "longitude": -0.2, "accuracy_m": 8}}
    )
    ack = await socket.next()
    assert ack == {
        "event": "ack",
        "ref": 1,
        "data": {"agent_id": "me", "latitude": 5.6, "longitude": -0.2, "accuracy_m": 8.0},
    }
    call = next(c for c in upstream_calls if c["path"] == "/api/locations")
    scheme, _, token = call["auth"].partition(" ")
    assert scheme == "Bearer" and jwt.decode(token, options={"verify_signature": False})["sub"] == SALESMAN.id
    await socket.send({"event": "location:update", "ref": 2, "data": {"latitude": 95, "longitude": 0, "accuracy_m": 1}})
    error = await socket.next()
    assert error["data"]["status"] == 422 and error["data"]["errors"][0]["field"] == "latitude"
    await socket.close()


async def test_only_field_roles_send_their_location(notifier: Notifier) -> None:
    socket = await notifier.connect(WAREHOUSE)
    await socket.send(
        {"event": "location:update", "ref": "w", "data": {"latitude": 1, "longitude": 1, "accuracy_m": 1}}
    )
    error = await socket.next()
    assert (error["event"], error["data"]["status"]) == ("error", 403)
    await socket.close()


async def test_order_status_is_forwarded_and_the_upstream_problem_becomes_the_error_frame(notifier: Notifier) -> None:
    socket = await notifier.connect(MANAGER)
    order_id = str(uuid.uuid4())
    await socket.send({"event": "order:status", "ref": "s1", "data": {"order_id": order_id, "status": "dispatched"}})
    assert await socket.next() == {"event": "ack", "ref": "s1", "data": {"id": order_id, "status": "dispatched"}}
    await socket.send({"event": "order:status", "ref": "s2", "data": {"order_id": order_id, "status": "returned"}})
    error = await socket.next()
    assert error["event"] == "error" and error["ref"] == "s2"
    assert error["data"]["status"] == 409 and error["data"]["code"] == "illegal_transition"
    await socket.close()


async def test_a_manual_inventory_alert_notifies_warehouse_staff_and_managers_but_not_salesmen(
    notifier: Notifier,
) -> None:
    manager, warehouse, salesman = [await notifier.connect(u) for u in (MANAGER, WAREHOUSE, SALESMAN)]

    async def copies_known() -> bool:
        answer = await notifier.http.get("/api/dashboard/activities", headers=bearer(notifier.token(MANAGER)))
        return sum(a["type"] == "user.created" for a in answer.json()["items"]) >= 3

    await eventually(copies_known)
    await salesman.send({"event": "inventory:alert", "ref": "a", "data": {"message": "cooler broken"}})
    assert (await salesman.next())["event"] == "ack"
    for socket in (manager, warehouse):
        alert, _ = await socket.until(lambda f: f["event"] == "inventory:alert")
        assert alert["data"]["message"] == "cooler broken"
        note, _ = await socket.until(lambda f: f["event"] == "notification")
        assert note["data"]["kind"] == "inventory_alert"
    await salesman.send({"event": "sales:update", "ref": "s", "data": {"amount": "120.50", "orders_count": 3}})
    assert (await salesman.next())["event"] == "ack"
    figure, _ = await manager.until(lambda f: f["event"] == "sales:update")
    assert figure["data"]["amount"] == "120.50" and figure["data"]["salesman_id"] == SALESMAN.id
    marker = {"message_id": str(uuid.uuid4()), "channel": "tenant", "sender_id": MANAGER.id, "text": "end"}
    await notifier.publish(TENANT, "chat.message_sent", marker)
    _, before = await salesman.until(lambda f: f["event"] == "chat:message" and f["data"]["text"] == "end")
    assert not [f for f in before if f["event"] in ("inventory:alert", "notification", "sales:update")]
    for socket in (manager, warehouse, salesman):
        await socket.close()


async def test_a_salesman_reports_only_his_own_sales_figure(notifier: Notifier) -> None:
    socket = await notifier.connect(SALESMAN)
    await socket.send(
        {"event": "sales:update", "ref": "x", "data": {"amount": "1.00", "salesman_id": str(uuid.uuid4())}}
    )
    error = await socket.next()
    assert (error["event"], error["data"]["status"]) == ("error", 403)
    await socket.close()
