"""Under concurrency: numbers unique and gap-free (with and without Idempotency-Key), every order with its lines,
Idempotency-Key makes one order; an order left unnumbered by a stopped process is numbered later."""

from __future__ import annotations

import asyncio
import random

import httpx
import orjson

from orders.adapters import order_writes
from orders.domain.placing import DEFAULT_DISCOUNT_CAPS, LineRequest
from orders.service_layer import placing
from orders.service_layer.commands import PlaceOrder


async def test_200_concurrent_placements_get_unique_gap_free_numbers_and_all_their_lines(
    client: httpx.AsyncClient, world
) -> None:
    customers = [await world.customer() for _ in range(5)]
    limited = await world.customer(credit_limit="0.50")  # every order for it fails after validation
    products = [await world.product(price="1.00", tax_rate="0") for _ in range(8)]
    rng = random.Random(7)

    async def place(i: int) -> httpx.Response:
        customer = limited if i % 10 == 0 else rng.choice(customers)
        lines = [(p, rng.randint(1, 5)) for p in rng.sample(products, rng.randint(1, 4))]
        role = "salesman2" if i % 2 else "salesman"
        return await client.post("/api/orders", json=world.order_body(customer, *lines), headers=world.headers(role))

    answers = await asyncio.gather(*(place(i) for i in range(220)))
    assert sorted({r.status_code for r in answers}) == [201, 409]
    placed = [r.json() for r in answers if r.status_code == 201]
    assert len(placed) == 198  # 220 minus the 22 refused for credit
    suffixes = sorted(int(o["number"].rsplit("-", 1)[1]) for o in placed)
    assert suffixes == list(range(1, 199))
    rows = await world.fetch(
        "SELECT o.number, o.line_count, count(l.line_no) AS lines FROM orders o "
        "LEFT JOIN order_lines l ON l.order_id = o.id GROUP BY o.id"
    )
    assert len(rows) == 198 and len({r["number"] for r in rows}) == 198
    assert all(r["lines"] == r["line_count"] > 0 for r in rows)


async def test_twenty_concurrent_requests_with_one_idempotency_key_make_one_order_and_twenty_equal_answers(
    client: httpx.AsyncClient, world
) -> None:
    customer, product = await world.customer(), await world.product()
    body = world.order_body(customer, (product, 2))
    headers = world.headers("salesman", **{"Idempotency-Key": "tablet-42-order-7"})
    answers = await asyncio.gather(*(client.post("/api/orders", json=body, headers=headers) for _ in range(20)))
    assert {r.status_code for r in answers} == {201}
    assert len({r.content for r in answers}) == 1
    assert sum(r.headers.get("idempotent-replayed") == "true" for r in answers) == 19
    assert len({r.headers["location"] for r in answers}) == 1
    assert len(await world.fetch("SELECT 1 FROM orders")) == 1
    assert len(await world.fetch("SELECT 1 FROM outbox")) == 1

    other = world.order_body(customer, (product, 3))
    r = await client.post("/api/orders", json=other, headers=headers)
    assert r.status_code == 409 and r.json()["code"] == "idempotency_key_reused"
    assert len(await world.fetch("SELECT 1 FROM orders")) == 1


async def test_a_refused_request_does_not_spend_its_idempotency_key(client: httpx.AsyncClient, world) -> None:
    customer, product = await world.customer(), await world.product()
    headers = world.headers("salesman", **{"Idempotency-Key": "retry-me"})
    inactive = await world.product(status="inactive")
    r = await client.post("/api/orders", json=world.order_body(customer, (inactive, 1)), headers=headers)
    assert r.status_code == 422
    r = await client.post("/api/orders", json=world.order_body(customer, (product, 1)), headers=headers)
    assert r.status_code == 201 and "idempotent-replayed" not in r.headers


async def test_placements_with_and_without_idempotency_keys_at_once_share_one_gap_free_sequence(
    client: httpx.AsyncClient, world
) -> None:
    customer, product = await world.customer(), await world.product(price="1.00", tax_rate="0")

    async def place(i: int) -> httpx.Response:
        extra = {"Idempotency-Key": f"mixed-{i}"} if i % 2 else {}
        body = world.order_body(customer, (product, 1))
        return await client.post("/api/orders", json=body, headers=world.headers("salesman", **extra))

    answers = await asyncio.gather(*(place(i) for i in range(40)))
    assert {r.status_code for r in answers} == {201}
    assert sorted(int(r.json()["number"].rsplit("-", 1)[1]) for r in answers) == list(range(1, 41))
    events = await world.fetch("SELECT convert_from(body, 'UTF8') AS body FROM outbox")
    numbers = {orjson.loads(e["body"])["payload"]["number"] for e in events}
    assert numbers == {r.json()["number"] for r in answers}
    assert await world.fetch("SELECT 1 FROM orders WHERE number IS NULL OR placed_event IS NOT NULL") == []


async def test_an_order_left_without_a_number_gets_the_next_one_and_its_event_once(
    client: httpx.AsyncClient, world
) -> None:
    customer, product = await world.customer(), await world.product()
    first = await client.post("/api/orders", json=world.order_body(customer, (product, 1)), headers=world.headers())
    # a process that stopped between placing and numbering leaves what the placing transaction wrote
    cmd = PlaceOrder(
        tenant_id=world.tenant_id,
        actor_id=world.users["salesman"],
        role="salesman",
        customer_id=customer,
        items=[LineRequest(product, 2)],
        van_load_id=None,
        payment_method=None,
        credit_override=False,
        notes=None,
        delivery_date=None,
    )
    async with world.db.transaction() as tx:
        raw = await tx.raw()
        new, priced, event = await placing._priced(raw, cmd, DEFAULT_DISCOUNT_CAPS)
        await order_writes.insert_unnumbered(raw, new, priced, event)

    assert await placing.number_stranded_orders(world.db, older_than_s=0) == 1
    assert await placing.number_stranded_orders(world.db, older_than_s=0) == 0
    rows = await world.fetch("SELECT number, placed_event FROM orders WHERE id = $1", new.id)
    assert rows[0]["number"] == first.json()["number"][:-1] + "2" and rows[0]["placed_event"] is None
    bodies = await world.fetch("SELECT convert_from(body, 'UTF8') AS body FROM outbox WHERE aggregate_id = $1", new.id)
    assert [orjson.loads(b["body"])["payload"]["number"] for b in bodies] == [rows[0]["number"]]
