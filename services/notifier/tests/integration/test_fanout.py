"""Each stream event reaches, as the client event names, exactly the sockets allowed to see it."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from salessync.testing.helpers import eventually
from salessync.testing.tokens import bearer

from .conftest import Notifier, Socket, User

T1, T2 = str(uuid.uuid4()), str(uuid.uuid4())
MANAGER = User(T1, "manager")
SALESMAN = User(T1, "salesman")
OTHER_SALESMAN = User(T1, "salesman")
WAREHOUSE = User(T1, "warehouse_staff")
OTHER_TENANT_ADMIN = User(T2, "admin")
EVERYONE = (MANAGER, SALESMAN, OTHER_SALESMAN, WAREHOUSE, OTHER_TENANT_ADMIN)


def order(salesman: User) -> dict[str, Any]:
    return {
        "order_id": str(uuid.uuid4()),
        "number": "ORD-20261125-0001",
        "customer_id": str(uuid.uuid4()),
        "salesman_id": salesman.id,
        "van_load_id": None,
        "payment_method": "credit",
        "total": "25.82",
        "status": "pending",
        "lines": [],
    }


CASES: list[tuple[str, dict[str, Any], dict[User, list[str]]]] = [
    (
        "order.placed",
        order(SALESMAN),
        {MANAGER: ["order:created", "activity:new"], SALESMAN: ["order:created", "activity:new"]},
    ),
    (
        "order.status_changed",
        {**order(SALESMAN), "from_status": "pending", "to_status": "confirmed", "reason": None, "actor_id": None},
        {MANAGER: ["order:updated", "activity:new"], SALESMAN: ["order:updated", "activity:new"]},
    ),
    (
        "stock.low",
        {
            "location_id": str(uuid.uuid4()),
            "location_name": "Main",
            "product_id": str(uuid.uuid4()),
            "product_name": "Cola",
            "on_hand": 3,
            "available": 2,
            "reorder_level": 10,
        },
        {MANAGER: ["inventory:alert", "activity:new"], WAREHOUSE: ["inventory:alert", "activity:new"]},
    ),
    (
        "visit.checked_in",
        {"visit_id": str(uuid.uuid4()), "customer_name": "Shop", "agent_id": SALESMAN.id, "status": "checked_in"},
        {MANAGER: ["visit:checkin", "activity:new"], SALESMAN: ["visit:checkin", "activity:new"]},
    ),
    (
        "location.recorded",
        {"agent_id": OTHER_SALESMAN.id, "latitude": 1.5, "longitude": 2.5, "accuracy_m": 5, "recorded_at": "x"},
        {MANAGER: ["location:updated"], OTHER_SALESMAN: ["location:updated"]},
    ),
    (
        "van_load.departed",
        {"van_load_id": str(uuid.uuid4()), "van_id": "V1", "salesman_id": SALESMAN.id, "status": "in_field"},
        {MANAGER: ["activity:new"], SALESMAN: ["activity:new"], WAREHOUSE: ["activity:new"]},
    ),
    (
        "notification.created",
        {"id": str(uuid.uuid4()), "user_id": WAREHOUSE.id, "kind": "low_stock", "title": "t", "body": "b"},
        {WAREHOUSE: ["notification"]},
    ),
    (
        "product.created",
        {"id": str(uuid.uuid4()), "code": "P1", "name": "Cola", "price": "1.00", "status": "active", "version": 1},
        {MANAGER: ["activity:new"]},
    ),
]


@pytest.fixture(scope="module")
async def sockets(notifier: Notifier) -> dict[User, Socket]:
    connected = {user: await notifier.connect(user) for user in EVERYONE}
    yield connected
    for socket in connected.values():
        await socket.close()


async def frames_until_marker(notifier: Notifier, sockets: dict[User, Socket]) -> dict[User, list[dict[str, Any]]]:
    """Publish a tenant-wide chat message to both tenants and collect what each socket got before it."""
    marker = uuid.uuid4().hex
    for tenant in (T1, T2):
        payload = {"message_id": str(uuid.uuid4()), "channel": "tenant", "sender_id": str(uuid.uuid4()), "text": marker}
        await notifier.publish(tenant, "chat.message_sent", payload)
    seen = {}
    for user, socket in sockets.items():
        _, before = await socket.until(lambda f: f["event"] == "chat:message" and f["data"]["text"] == marker)
        seen[user] = before
    return seen


@pytest.mark.parametrize(("event_type", "payload", "expected"), CASES, ids=[c[0] for c in CASES])
async def test_an_event_reaches_the_sockets_allowed_to_see_it_and_no_other(
    notifier: Notifier,
    sockets: dict[User, Socket],
    event_type: str,
    payload: dict[str, Any],
    expected: dict[User, list[str]],
) -> None:
    seq = await notifier.publish(T1, event_type, payload)
    seen = await frames_until_marker(notifier, sockets)
    for user in EVERYONE:
        assert [f["event"] for f in seen[user]] == expected.get(user, []), (user.role, seen[user])
        for frame in seen[user]:
            assert frame["id"] == str(seq)
            assert frame["ts"]
    if expected.get(MANAGER, [None])[0] not in (None, "activity:new"):
        first = seen[MANAGER][0]["data"]
        assert first == payload


async def test_an_activity_frame_describes_the_business_event(notifier: Notifier, sockets: dict[User, Socket]) -> None:
    placed = order(SALESMAN)
    await notifier.publish(T1, "order.placed", placed)
    frame, _ = await sockets[MANAGER].until(lambda f: f["event"] == "activity:new")
    data = frame["data"]
    assert data["type"] == "order.placed"
    assert data["reference"] == placed["number"]
    assert data["amount"] == "25.82"
    assert data["status"] == "pending"
    assert set(data) == {
        "type",
        "id",
        "reference",
        "description",
        "actor",
        "customer",
        "amount",
        "status",
        "occurred_at",
    }


async def test_a_private_chat_message_reaches_only_its_two_parties(
    notifier: Notifier, sockets: dict[User, Socket]
) -> None:
    await sockets[SALESMAN].send(
        {"event": "chat:message", "ref": "c1", "data": {"channel": "user", "recipient_id": WAREHOUSE.id, "text": "hi"}}
    )
    # the recipient must be known to the notifier's copy of users first
    ack, _ = await sockets[SALESMAN].until(lambda f: f.get("ref") == "c1")
    assert ack["event"] == "error" and ack["data"]["status"] == 422
    for user in (SALESMAN, WAREHOUSE):
        payload = {"id": user.id, "email": f"{user.id}@x.io", "name": "N", "role": user.role, "status": "active"}
        await notifier.publish(T1, "user.created", payload)

    async def users_known() -> bool:
        answer = await notifier.http.get("/api/dashboard/activities", headers=bearer(notifier.token(MANAGER)))
        return sum(a["type"] == "user.created" for a in answer.json()["items"]) == 2

    await eventually(users_known)
    await sockets[SALESMAN].send(
        {"event": "chat:message", "ref": "c2", "data": {"channel": "user", "recipient_id": WAREHOUSE.id, "text": "hi"}}
    )
    ack, _ = await sockets[SALESMAN].until(lambda f: f.get("ref") == "c2")
    assert ack["event"] == "ack" and ack["data"]["message_id"]
    for party in (SALESMAN, WAREHOUSE):
        chat, _ = await sockets[party].until(lambda f: f["event"] == "chat:message")
        assert chat["data"]["text"] == "hi" and chat["data"]["sender_id"] == SALESMAN.id
    seen = await frames_until_marker(notifier, sockets)
    for user in EVERYONE:
        assert not [f for f in seen[user] if f["event"] == "chat:message"], user.role
