"""Under concurrency: numbers unique and gap-free (with and without Idempotency-Key), every order with its lines,
Idempotency-Key makes one order; an order priced against a customer row that changed before its write writes
nothing; orders of one customer at once never pass its credit limit together."""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import date

import httpx

from orders.adapters import copies, order_writes
from orders.domain.placing import DEFAULT_DISCOUNT_CAPS, LineRequest, price_order
from orders.service_layer import placing
from orders.service_layer.commands import PlaceOrder
from salessync.events import new_event


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
    kept, recount = await world.stats_summary()
    assert kept == recount and sum(n for _, _, n, _ in kept) == 198


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
    assert len(await world.published("order.placed")) == 1

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
    numbers = {e["payload"]["number"] for e in await world.published("order.placed")}
    assert numbers == {r.json()["number"] for r in answers}
    customers = await world.fetch("SELECT open_balance FROM customers WHERE id = $1", customer)
    assert customers[0]["open_balance"] == 40


async def test_an_order_priced_against_a_balance_that_moved_writes_nothing_and_takes_no_number(
    client: httpx.AsyncClient, world
) -> None:
    customer, product = await world.customer(), await world.product(price="1.00", tax_rate="0")
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
    async with world.db.autocommit() as tx:
        raw = await tx.raw()
        seen = await copies.read_for_order(raw, world.tenant_id, customer, [product], lock=False)
        assert seen is not None and seen.open_balance == 0
        # another order of the customer lands between this order's read and its write
        first = await client.post("/api/orders", json=world.order_body(customer, (product, 3)), headers=world.headers())
        assert first.status_code == 201
        priced = price_order(
            items=cmd.items, customer=seen.customer, products=seen.products, price_list=seen.price_list,
            today=date.today(), role="salesman", caps=DEFAULT_DISCOUNT_CAPS, open_balance=seen.open_balance,
            credit_override=False,
        )  # fmt: skip
        new = order_writes.NewOrder(
            id=str(uuid.uuid4()), tenant_id=world.tenant_id, day=date.today(), salesman_id=cmd.actor_id,
            van_load_id=None, payment_method="credit", notes=None, delivery_date=None, history_reason=None,
        )  # fmt: skip
        event = new_event("order.placed", tenant_id=world.tenant_id, aggregate_id=new.id, payload={}, producer="t")
        written = await order_writes.insert_order(
            raw, new, priced, event, seen_version=seen.version, seen_balance=seen.open_balance
        )
    assert written is None
    assert len(await world.fetch("SELECT 1 FROM orders")) == 1
    assert len(await world.published("order.placed", producer=None)) == 1  # the first order's, not the refused one's
    assert (await world.fetch("SELECT open_balance FROM customers WHERE id = $1", customer))[0]["open_balance"] == 3
    again = await placing.place(world.db, cmd, DEFAULT_DISCOUNT_CAPS)  # the service reads again and writes
    assert again["number"] == first.json()["number"][:-1] + "2"
    assert (await world.fetch("SELECT open_balance FROM customers WHERE id = $1", customer))[0]["open_balance"] == 5


async def test_concurrent_orders_of_one_customer_never_pass_its_credit_limit_together(
    client: httpx.AsyncClient, world
) -> None:
    customer = await world.customer(credit_limit="100.00")
    product = await world.product(price="10.00", tax_rate="0")
    body = world.order_body(customer, (product, 1))
    answers = await asyncio.gather(
        *(
            client.post("/api/orders", json=body, headers=world.headers(("salesman", "salesman2")[i % 2]))
            for i in range(25)
        )
    )
    assert sorted(r.status_code for r in answers) == [201] * 10 + [409] * 15
    assert {r.json()["code"] for r in answers if r.status_code == 409} == {"credit_limit_exceeded"}
    assert (await world.fetch("SELECT open_balance FROM customers WHERE id = $1", customer))[0]["open_balance"] == 100
    suffixes = sorted(int(r.json()["number"].rsplit("-", 1)[1]) for r in answers if r.status_code == 201)
    assert suffixes == list(range(1, 11))
