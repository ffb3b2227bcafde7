"""Field's durable consumers against a real NATS JetStream: copies, reservations, exactly-once effects."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import nats

from salessync.embedded import EmbeddedNats
from salessync.events import encode_event, new_event
from salessync.testing.helpers import eventually


async def _publish(
    nats_url: str, tenant_id: uuid.UUID, event_type: str, payload: dict[str, Any], times: int = 1
) -> str:
    """Publish one event (`times` copies of the same envelope, as a redelivering broker would)."""
    event = new_event(
        event_type,
        tenant_id=tenant_id,
        aggregate_id=payload.get("order_id") or payload.get("id"),
        payload=payload,
        producer="test",
    )
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        for _ in range(times):
            await js.publish(event.subject, encode_event(event))
    finally:
        await nc.close()
    return event.event_id


def _placed(order_id: uuid.UUID, product_id: uuid.UUID, quantity: int, **extra: Any) -> dict[str, Any]:
    return {
        "order_id": str(order_id),
        "number": "ORD-20261125-0001",
        "customer_id": str(uuid.uuid4()),
        "salesman_id": str(uuid.uuid4()),
        "van_load_id": None,
        "payment_method": "credit",
        "total": "10.00",
        "status": "pending",
        "lines": [{"product_id": str(product_id), "quantity": quantity, "line_total": "10.00"}],
        **extra,
    }


async def test_the_same_order_placed_event_three_times_makes_one_reservation(
    steps, client: httpx.AsyncClient, embedded_nats: EmbeddedNats
) -> None:
    tenant_id = steps.actors.tenant_id
    warehouse = await steps.warehouse()
    product = uuid.uuid4()
    await steps.adjust(warehouse["id"], product, 10)
    order_id = uuid.uuid4()
    await _publish(embedded_nats.url, tenant_id, "order.placed", _placed(order_id, product, 4), times=3)
    # the same order again under a new event id (a producer that re-sent it) changes nothing either
    await _publish(embedded_nats.url, tenant_id, "order.placed", _placed(order_id, product, 4))

    async def answered() -> bool:
        published = len(await steps.outbox("stock.reserved"))
        handled = await steps.count("SELECT count(*) FROM processed_events WHERE consumer = 'field-order_placed'")
        return published == 1 and handled == 2

    await eventually(answered, timeout=15)
    assert await steps.level(warehouse["id"], product) == (10, 4)
    reserved = (await steps.outbox("stock.reserved"))[0]["payload"]
    assert reserved == {
        "order_id": str(order_id),
        "location_id": warehouse["id"],
        "van_load_id": None,
        "sold": False,
        "lines": [{"product_id": str(product), "quantity": 4}],
    }
    listed = await client.get("/api/inventory/reservations", headers=steps.actors.headers())
    assert [r["order_id"] for r in listed.json()["items"]] == [str(order_id)]

    await _publish(
        embedded_nats.url,
        tenant_id,
        "order.status_changed",
        {"order_id": str(order_id), "from_status": "confirmed", "to_status": "delivered"},
    )
    await eventually(lambda: _level_is(steps, warehouse["id"], product, (6, 0)), timeout=15)
    sales = await client.get(
        "/api/stock-movements", params={"kind": "sale", "cause_id": str(order_id)}, headers=steps.actors.headers()
    )
    assert [m["quantity"] for m in sales.json()["items"]] == [-4]


async def test_an_order_beyond_the_stock_is_rejected_with_the_shortages(steps, embedded_nats: EmbeddedNats) -> None:
    warehouse = await steps.warehouse()
    product = uuid.uuid4()
    await steps.adjust(warehouse["id"], product, 2)
    order_id = uuid.uuid4()
    await _publish(embedded_nats.url, steps.actors.tenant_id, "order.placed", _placed(order_id, product, 3))
    rejected = await eventually(lambda: steps.outbox("stock.rejected"), timeout=15)
    assert rejected[0]["payload"] == {
        "order_id": str(order_id),
        "location_id": warehouse["id"],
        "reason": "insufficient_stock",
        "shortages": [{"product_id": str(product), "requested": 3, "available": 2}],
    }
    assert await steps.level(warehouse["id"], product) == (2, 0)


async def test_product_customer_and_user_copies_keep_the_newest_version(
    steps, client: httpx.AsyncClient, embedded_nats: EmbeddedNats
) -> None:
    tenant_id = steps.actors.tenant_id
    warehouse = await steps.warehouse()
    product = uuid.uuid4()
    await steps.adjust(warehouse["id"], product, 3)
    snapshot = {
        "id": str(product),
        "code": "P1",
        "name": "Soap v2",
        "unit": "box",
        "reorder_level": 5,
        "status": "active",
        "version": 2,
    }
    await _publish(embedded_nats.url, tenant_id, "product.updated", snapshot)
    await _publish(embedded_nats.url, tenant_id, "product.created", {**snapshot, "name": "Soap v1", "version": 1})
    customer = {
        "id": str(uuid.uuid4()),
        "code": "C1",
        "name": "Duka",
        "latitude": -1.29,
        "longitude": 36.82,
        "geofence_radius_m": 150,
        "status": "active",
        "version": 1,
    }
    await _publish(embedded_nats.url, tenant_id, "customer.created", customer)
    await _publish(
        embedded_nats.url,
        tenant_id,
        "user.created",
        {"id": str(uuid.uuid4()), "email": "a@b.c", "name": "Sam", "role": "salesman", "status": "active"},
    )

    async def copied() -> bool:
        done = await steps.count("SELECT count(*) FROM processed_events")
        return done == 4

    await eventually(copied, timeout=15)
    items = (await client.get("/api/inventory", headers=steps.actors.headers())).json()["items"]
    assert items[0]["product_name"] == "Soap v2" and items[0]["reorder_level"] == 5 and items[0]["unit"] == "box"
    assert await steps.count("SELECT geofence_radius_m FROM customers") == 150
    assert await steps.count("SELECT count(*) FROM users WHERE name = 'Sam'") == 1


async def _level_is(steps, location_id: Any, product_id: Any, expected: tuple[int, int]) -> bool:  # type: ignore[no-untyped-def]
    return bool(await steps.level(location_id, product_id) == expected)


async def test_an_order_of_a_tenant_without_a_default_warehouse_is_rejected(steps, embedded_nats: EmbeddedNats) -> None:
    order_id = uuid.uuid4()
    await _publish(embedded_nats.url, steps.actors.tenant_id, "order.placed", _placed(order_id, uuid.uuid4(), 1))

    async def answer() -> list[dict[str, Any]]:
        return [e for e in await steps.outbox("stock.rejected") if e["payload"]["order_id"] == str(order_id)]

    rejected = await eventually(answer, timeout=15)
    assert rejected[0]["payload"] == {
        "order_id": str(order_id),
        "location_id": None,
        "reason": "no default warehouse",
        "shortages": [],
    }


async def test_a_status_change_that_moves_no_stock_is_acked_without_a_transaction(
    steps, embedded_nats: EmbeddedNats
) -> None:
    confirmed = await _publish(
        embedded_nats.url,
        steps.actors.tenant_id,
        "order.status_changed",
        {"order_id": str(uuid.uuid4()), "from_status": "pending", "to_status": "confirmed"},
    )
    cancelled = await _publish(
        embedded_nats.url,
        steps.actors.tenant_id,
        "order.status_changed",
        {"order_id": str(uuid.uuid4()), "from_status": "pending", "to_status": "cancelled"},
    )
    query = "SELECT count(*) FROM processed_events WHERE consumer = 'field-order_status_changed' AND event_id = '{}'"
    await eventually(lambda: _count_is(steps, query.format(cancelled), 1), timeout=15)
    assert await steps.count(query.format(confirmed)) == 0


async def _count_is(steps, sql: str, expected: int) -> bool:  # type: ignore[no-untyped-def]
    return bool(await steps.count(sql) == expected)
