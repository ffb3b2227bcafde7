"""The activity timeline and per-user notifications, recorded from the stream and read over HTTP."""

from __future__ import annotations

import uuid
from typing import Any

from salessync.events import encode_event, new_event
from salessync.testing.helpers import eventually
from salessync.testing.tokens import bearer

from .conftest import Notifier, User

TENANT = str(uuid.uuid4())
ADMIN = User(TENANT, "admin")
MANAGER = User(TENANT, "manager")
SALESMAN = User(TENANT, "salesman")
OTHER_SALESMAN = User(TENANT, "salesman")
WAREHOUSE = User(TENANT, "warehouse_staff")
INACTIVE_MANAGER = User(TENANT, "manager")
STRANGER = User(str(uuid.uuid4()), "admin")


async def get(notifier: Notifier, user: User, path: str, **params: Any) -> Any:
    return await notifier.http.get(path, params=params, headers=bearer(notifier.token(user)))


async def activities(notifier: Notifier, user: User, **params: Any) -> list[dict[str, Any]]:
    answer = await get(notifier, user, "/api/dashboard/activities", limit=100, **params)
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]  # type: ignore[no-any-return]


async def publish_users(notifier: Notifier) -> None:
    for user in (ADMIN, MANAGER, SALESMAN, OTHER_SALESMAN, WAREHOUSE, INACTIVE_MANAGER):
        status = "inactive" if user is INACTIVE_MANAGER else "active"
        payload = {"id": user.id, "email": f"{user.id}@x.io", "name": "N", "role": user.role, "status": status}
        await notifier.publish(TENANT, "user.created", payload)


async def test_every_business_event_becomes_one_activity_paged_newest_first(notifier: Notifier) -> None:
    await publish_users(notifier)
    for n in range(25):
        payload = {"order_id": str(uuid.uuid4()), "number": f"ORD-{n:04d}", "salesman_id": SALESMAN.id, "total": "2.50"}
        await notifier.publish(TENANT, "order.placed", payload)
    await notifier.publish(TENANT, "location.recorded", {"agent_id": SALESMAN.id, "latitude": 1, "longitude": 1})

    async def all_recorded() -> bool:
        return len(await activities(notifier, ADMIN)) >= 31

    await eventually(all_recorded)
    pages, before = [], None
    while True:
        params = {"limit": 10} | ({"before": before} if before else {})
        answer = (await get(notifier, ADMIN, "/api/dashboard/activities", **params)).json()
        pages.append(answer["items"])
        before = answer["next_before"]
        if before is None:
            break
    items = [a for page in pages for a in page]
    assert [len(p) for p in pages] == [10, 10, 10, 1]
    assert len({a["id"] for a in items}) == 31
    times = [a["occurred_at"] for a in items]
    assert times == sorted(times, reverse=True)
    assert not [a for a in items if a["type"] == "location.recorded"]
    newest_order = next(a for a in items if a["type"] == "order.placed")
    assert newest_order["reference"] == "ORD-0024" and newest_order["amount"] == "2.50"


async def test_a_salesman_sees_only_his_own_activities_and_another_tenant_none(notifier: Notifier) -> None:
    mine = await activities(notifier, SALESMAN)
    assert mine and all(a["type"] == "order.placed" for a in mine)
    assert await activities(notifier, OTHER_SALESMAN) == []
    assert await activities(notifier, STRANGER) == []


async def test_a_bad_cursor_is_422_naming_before_and_a_missing_token_401(notifier: Notifier) -> None:
    answer = await get(notifier, ADMIN, "/api/dashboard/activities", before="!!nonsense")
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "before"
    assert (await get(notifier, ADMIN, "/api/dashboard/activities", limit=0)).status_code == 422
    assert (await notifier.http.get("/api/dashboard/activities")).status_code == 401


async def test_low_stock_notifies_active_warehouse_staff_and_managers_once(notifier: Notifier) -> None:
    payload = {"product_id": str(uuid.uuid4()), "product_name": "Cola", "location_name": "Main", "available": 2}
    event = new_event("stock.low", tenant_id=TENANT, aggregate_id=uuid.uuid4(), payload=payload, producer="test")
    js = notifier.nc.jetstream()
    await js.publish(event.subject, encode_event(event))
    await js.publish(event.subject, encode_event(event))  # redelivered: no second effect

    async def notified() -> list[dict[str, Any]]:
        return (await get(notifier, WAREHOUSE, "/api/notifications")).json()["items"]  # type: ignore[no-any-return]

    items = await eventually(notified)
    assert [n["kind"] for n in items] == ["low_stock"] and not items[0]["read"]
    for user, count in ((ADMIN, 1), (MANAGER, 1), (INACTIVE_MANAGER, 0), (SALESMAN, 0)):
        assert (await get(notifier, user, "/api/notifications")).json()["total"] == count, user.role


async def test_a_rejected_order_notifies_its_salesman_and_a_discrepancy_the_approvers(notifier: Notifier) -> None:
    order = {"order_id": str(uuid.uuid4()), "number": "ORD-9", "salesman_id": SALESMAN.id}
    await notifier.publish(
        TENANT, "order.status_changed", {**order, "from_status": "pending", "to_status": "rejected", "reason": "stock"}
    )
    load = {
        "van_load_id": str(uuid.uuid4()),
        "salesman_id": SALESMAN.id,
        "status": "reconciled",
        "cash_variance": "-5.00",
    }
    await notifier.publish(TENANT, "van_load.reconciled", load)

    async def salesman_told() -> list[dict[str, Any]]:
        return (await get(notifier, SALESMAN, "/api/notifications")).json()["items"]  # type: ignore[no-any-return]

    assert [n["kind"] for n in await eventually(salesman_told)] == ["order_rejected"]

    async def approvers_told() -> bool:
        kinds = [n["kind"] for n in (await get(notifier, MANAGER, "/api/notifications")).json()["items"]]
        return "discrepancy_to_approve" in kinds

    await eventually(approvers_told)
    assert (await get(notifier, WAREHOUSE, "/api/notifications")).json()["total"] == 1


async def test_a_user_reads_his_own_notification_and_another_users_is_404(notifier: Notifier) -> None:
    own = (await get(notifier, SALESMAN, "/api/notifications", unread="true")).json()["items"][0]
    headers = bearer(notifier.token(SALESMAN))
    answer = await notifier.http.post(f"/api/notifications/{own['id']}/read", headers=headers)
    assert answer.status_code == 200 and answer.json()["read"] is True
    again = await notifier.http.post(f"/api/notifications/{own['id']}/read", headers=headers)
    assert again.json()["read_at"] == answer.json()["read_at"]
    assert (await get(notifier, SALESMAN, "/api/notifications", unread="true")).json()["total"] == 0
    assert (await get(notifier, SALESMAN, "/api/notifications")).json()["total"] == 1
    for intruder in (MANAGER, STRANGER):
        other = await notifier.http.post(
            f"/api/notifications/{own['id']}/read", headers=bearer(notifier.token(intruder))
        )
        assert other.status_code == 404
    assert (await notifier.http.post(f"/api/notifications/{uuid.uuid4()}/read", headers=headers)).status_code == 404
    assert (await notifier.http.post("/api/notifications/not-a-uuid/read", headers=headers)).status_code == 422


async def test_an_event_failing_in_a_batch_does_not_hold_back_the_others_recorded_with_it(notifier: Notifier) -> None:
    tenant = str(uuid.uuid4())
    admin = User(tenant, "admin")
    poison = {"order_id": str(uuid.uuid4()), "number": "ORD-BAD", "salesman_id": SALESMAN.id, "total": "lots"}
    await notifier.publish(tenant, "order.placed", poison)
    for n in range(3):
        good = {"order_id": str(uuid.uuid4()), "number": f"ORD-OK-{n}", "salesman_id": SALESMAN.id, "total": "1"}
        await notifier.publish(tenant, "order.placed", good)

    async def good_ones_recorded() -> list[str]:
        references = sorted(a["reference"] for a in await activities(notifier, admin) if a["reference"] != "ORD-BAD")
        return references if len(references) == 3 else []

    assert await eventually(good_ones_recorded) == ["ORD-OK-0", "ORD-OK-1", "ORD-OK-2"]
    assert [a for a in await activities(notifier, admin) if a["reference"] == "ORD-BAD"] == []
