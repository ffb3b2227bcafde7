"""Under concurrency: numbers unique and gap-free, every order with its lines, Idempotency-Key makes one order."""

from __future__ import annotations

import asyncio
import random

import httpx


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
