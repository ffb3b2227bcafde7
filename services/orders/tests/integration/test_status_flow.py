"""Orders move by field's stock answers (published to NATS here, as field would) and by people, per the table."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest

from orders.domain.status import STATUSES, TRANSITIONS
from salessync.events import new_event
from salessync.testing.helpers import eventually, interleave_locks


async def placed(client: httpx.AsyncClient, world, role: str = "salesman", **extra) -> dict:  # type: ignore[no-untyped-def]
    customer, product = await world.customer(), await world.product()
    r = await client.post(
        "/api/orders", json=world.order_body(customer, (product, 2), **extra), headers=world.headers(role)
    )
    assert r.status_code == 201, r.text
    return r.json()


def stock_event(world, kind: str, order: dict, correlation_id: str | None = None, **payload):  # type: ignore[no-untyped-def]
    body = {"order_id": order["id"], "location_id": str(uuid.uuid4()), **payload}
    return new_event(
        f"stock.{kind}", tenant_id=world.tenant_id, aggregate_id=order["id"], payload=body, producer="field",
        correlation_id=correlation_id,
    )  # fmt: skip


async def status_of(client: httpx.AsyncClient, world, order: dict, expected: str) -> dict | None:  # type: ignore[no-untyped-def]
    got = (await client.get(f"/api/orders/{order['id']}", headers=world.headers("admin"))).json()
    return got if got["status"] == expected else None


async def published_status_changes(world, order_id: str) -> list[dict]:  # type: ignore[no-untyped-def]
    return [e["payload"] for e in await world.published("order.status_changed") if e["aggregate_id"] == order_id]


async def test_catalog_events_through_nats_feed_the_copies_an_order_is_placed_from(
    client: httpx.AsyncClient, world
) -> None:
    product, customer = world.product_event(price="4.00", tax_rate="0"), world.customer_event()
    await world.publish(product)
    await world.publish(customer)
    body = world.order_body(customer.payload["id"], (product.payload["id"], 3))

    async def accepted() -> httpx.Response | None:
        r = await client.post("/api/orders", json=body, headers=world.headers("salesman"))
        return r if r.status_code == 201 else None

    assert (await eventually(accepted)).json()["total"] == "12.00"
    stale = world.product_event("updated", id=product.payload["id"], price="1.00", tax_rate="0", version=0)
    await world.feed(stale)
    assert (await world.fetch("SELECT price FROM products"))[0]["price"] == 4


async def test_stock_reserved_from_field_confirms_a_pending_order(client: httpx.AsyncClient, world) -> None:
    order = await placed(client, world)
    assert order["status"] == "pending"  # field is not answering yet: the order waits
    await world.publish(stock_event(world, "reserved", order, van_load_id=None, sold=False, lines=[]))
    got = await eventually(lambda: status_of(client, world, order, "confirmed"))
    assert [h["to_status"] for h in got["status_history"]] == ["pending", "confirmed"]
    changes = await published_status_changes(world, order["id"])
    assert changes == [
        {
            "order_id": order["id"], "number": order["number"], "customer_id": order["customer_id"],
            "salesman_id": order["salesman_id"], "van_load_id": None, "from_status": "pending",
            "to_status": "confirmed", "reason": changes[0]["reason"], "actor_id": None, "total": order["total"],
            "payment_method": "credit",
        }
    ]  # fmt: skip


async def test_stock_rejected_rejects_the_order_with_the_shortages(client: httpx.AsyncClient, world) -> None:
    order = await placed(client, world)
    product = order["lines"][0]["product_id"]
    shortages = [{"product_id": product, "requested": 2, "available": 1}]
    await world.publish(stock_event(world, "rejected", order, reason="insufficient stock", shortages=shortages))
    got = await eventually(lambda: status_of(client, world, order, "rejected"))
    assert got["rejection_reason"] == {"reason": "insufficient stock", "shortages": shortages}


async def test_a_van_sale_is_confirmed_then_delivered_and_a_late_answer_is_ignored(
    client: httpx.AsyncClient, world
) -> None:
    van_load = str(uuid.uuid4())
    order = await placed(client, world, van_load_id=van_load)
    reserved = stock_event(world, "reserved", order, van_load_id=van_load, sold=True, lines=[])
    await world.publish(reserved)
    got = await eventually(lambda: status_of(client, world, order, "delivered"))
    assert [h["to_status"] for h in got["status_history"]] == ["pending", "confirmed", "delivered"]
    await world.publish(stock_event(world, "rejected", order, reason="late", shortages=[]))
    await world.publish(reserved)  # redelivered: handled once
    marker = await placed(client, world)
    await world.publish(stock_event(world, "reserved", marker, van_load_id=None, sold=False, lines=[]))
    await eventually(lambda: status_of(client, world, marker, "confirmed"))
    again = await status_of(client, world, order, "delivered")
    assert again is not None and len(again["status_history"]) == 3


async def test_unknown_status_strings_are_422(client: httpx.AsyncClient, world) -> None:
    order = await placed(client, world)
    for bad in ("shipped", "PENDING", "", "confirmed; drop table"):
        r = await client.patch(
            f"/api/orders/{order['id']}/status", json={"status": bad}, headers=world.headers("admin")
        )
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "status"
    r = await client.get("/api/orders?status=shipped", headers=world.headers("admin"))
    assert r.status_code == 422


async def drive_to(client: httpx.AsyncClient, world, order: dict, status: str) -> None:  # type: ignore[no-untyped-def]
    path = {"pending": [], "confirmed": ["confirmed"], "rejected": ["rejected"], "cancelled": ["cancelled"],
            "dispatched": ["confirmed", "dispatched"], "delivered": ["confirmed", "dispatched", "delivered"],
            "returned": ["confirmed", "dispatched", "delivered", "returned"]}[status]  # fmt: skip
    for step in path:
        if step in ("confirmed", "rejected"):
            kind = "reserved" if step == "confirmed" else "rejected"
            await world.publish(stock_event(world, kind, order, sold=False, lines=[], shortages=[]))
            await eventually(lambda s=step: status_of(client, world, order, s))
        else:
            r = await client.patch(
                f"/api/orders/{order['id']}/status", json={"status": step}, headers=world.headers("admin")
            )
            assert r.status_code == 200, r.text


ILLEGAL = [(a, b) for a in STATUSES for b in STATUSES if b not in TRANSITIONS[a]]


@pytest.mark.parametrize("current", STATUSES)
async def test_every_illegal_change_over_http_is_409_naming_the_allowed_ones(
    client: httpx.AsyncClient, world, current: str
) -> None:
    order = await placed(client, world)
    await drive_to(client, world, order, current)
    for target in [b for a, b in ILLEGAL if a == current] + (["confirmed", "rejected"] if current == "pending" else []):
        r = await client.patch(
            f"/api/orders/{order['id']}/status", json={"status": target, "reason": "x"}, headers=world.headers("admin")
        )
        assert r.status_code == 409, (current, target, r.text)
        assert r.json()["current"] == current and target not in r.json()["allowed"]
    assert (await status_of(client, world, order, current)) is not None


async def test_a_salesman_cancels_only_his_own_pending_orders_and_the_change_is_published(
    client: httpx.AsyncClient, world
) -> None:
    mine, theirs = await placed(client, world, "salesman"), await placed(client, world, "salesman2")
    r = await client.post(f"/api/orders/{theirs['id']}/cancel", json={"reason": "x"}, headers=world.headers("salesman"))
    assert r.status_code == 404
    r = await client.post(
        f"/api/orders/{mine['id']}/cancel", json={"reason": "customer changed mind"}, headers=world.headers()
    )
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    last = r.json()["status_history"][-1]
    assert (last["from_status"], last["to_status"], last["reason"], last["actor_id"]) == (
        "pending", "cancelled", "customer changed mind", world.users["salesman"],
    )  # fmt: skip
    change = (await published_status_changes(world, mine["id"]))[0]
    assert (change["to_status"], change["actor_id"], change["reason"]) == (
        "cancelled", world.users["salesman"], "customer changed mind",
    )  # fmt: skip
    confirmed = await placed(client, world, "salesman")
    await drive_to(client, world, confirmed, "confirmed")
    r = await client.post(f"/api/orders/{confirmed['id']}/cancel", json={}, headers=world.headers("salesman"))
    assert r.status_code == 403


async def test_warehouse_staff_dispatch_a_confirmed_order_but_do_nothing_else(client: httpx.AsyncClient, world) -> None:
    order = await placed(client, world)
    await drive_to(client, world, order, "confirmed")
    wh = world.headers("warehouse_staff")
    assert (await client.post(f"/api/orders/{order['id']}/cancel", json={}, headers=wh)).status_code == 403
    r = await client.patch(f"/api/orders/{order['id']}/status", json={"status": "dispatched"}, headers=wh)
    assert r.status_code == 200 and r.json()["status"] == "dispatched"
    r = await client.patch(f"/api/orders/{order['id']}/status", json={"status": "delivered"}, headers=wh)
    assert r.status_code == 403


async def test_payments_move_unpaid_to_partially_paid_to_paid_and_no_further(client: httpx.AsyncClient, world) -> None:
    order = await placed(client, world)  # 2 x 10.00 + 16% tax = 23.20
    url = f"/api/orders/{order['id']}/payment"
    admin = world.headers("admin")
    assert (await client.patch(url, json={"amount": "5.00"}, headers=world.headers("salesman"))).status_code == 403
    r = await client.patch(url, json={"amount": "5.00"}, headers=admin)
    assert (r.json()["payment_status"], r.json()["amount_paid"]) == ("partially_paid", "5.00")
    r = await client.patch(url, json={"amount": "18.21"}, headers=admin)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "amount"
    r = await client.patch(url, json={"amount": "18.20"}, headers=admin)
    assert r.json()["payment_status"] == "paid"
    assert [h["to_status"] for h in r.json()["status_history"] if h["field"] == "payment"] == ["partially_paid", "paid"]
    assert (await client.patch(url, json={"amount": "0.01"}, headers=admin)).status_code == 422
    assert (await client.patch(url, json={"amount": "-1"}, headers=admin)).status_code == 422


async def test_the_open_balance_drops_when_an_order_is_cancelled_rejected_or_paid_in_full(
    client: httpx.AsyncClient, world
) -> None:
    customer, product = await world.customer(credit_limit="100.00"), await world.product(price="10.00", tax_rate="0")
    orders = []
    for _ in range(5):
        r = await client.post("/api/orders", json=world.order_body(customer, (product, 2)), headers=world.headers())
        assert r.status_code == 201, r.text
        orders.append(r.json())

    async def balance() -> int:
        return (await world.fetch("SELECT open_balance FROM customers WHERE id = $1", customer))[0]["open_balance"]

    assert await balance() == 100
    await drive_to(client, world, orders[0], "cancelled")
    await drive_to(client, world, orders[1], "rejected")
    await drive_to(client, world, orders[2], "delivered")  # delivered and unpaid: still owed
    admin = world.headers("admin")
    r = await client.patch(f"/api/orders/{orders[3]['id']}/payment", json={"amount": "5.00"}, headers=admin)
    assert r.json()["payment_status"] == "partially_paid"
    assert await balance() == 60  # a partly paid order counts whole, as the balance always did
    r = await client.patch(f"/api/orders/{orders[3]['id']}/payment", json={"amount": "15.00"}, headers=admin)
    assert r.json()["payment_status"] == "paid"
    assert await balance() == 40
    summed = await world.fetch(
        "SELECT coalesce(sum(total), 0) AS s FROM orders WHERE customer_id = $1 "
        "AND status NOT IN ('cancelled', 'rejected') AND payment_status <> 'paid'",
        customer,
    )
    assert summed[0]["s"] == 40
    kept, recount = await world.stats_summary()
    assert kept == recount and len(kept) == 5  # cancelled, rejected, delivered, paid, pending
    r = await client.post("/api/orders", json=world.order_body(customer, (product, 7)), headers=world.headers())
    assert r.status_code == 409 and r.json()["open_balance"] == "40.00"
    r = await client.post("/api/orders", json=world.order_body(customer, (product, 6)), headers=world.headers())
    assert r.status_code == 201 and await balance() == 100


async def test_a_batch_of_stock_answers_moves_each_order_as_one_by_one_would(client: httpx.AsyncClient, world) -> None:
    """The durable consumer hands a fetched batch to `handle_reserved_batch` in one transaction: orders read and
    locked in one statement, every change written in one pipelined round trip. Same outcome as one by one."""
    from orders.consumers.stock_answered import handle_reserved_batch

    van_load = str(uuid.uuid4())
    o1, o2, done = await placed(client, world), await placed(client, world), await placed(client, world)
    van = await placed(client, world, van_load_id=van_load)
    async with world.db.transaction() as tx:
        await handle_reserved_batch(tx, [stock_event(world, "reserved", done, van_load_id=None, sold=False, lines=[])])
    foreign = {**o2, "id": str(uuid.uuid4())}
    batch = [
        stock_event(world, "reserved", o1, "req-o1", van_load_id=None, sold=False, lines=[]),
        stock_event(world, "reserved", van, "req-van", van_load_id=van_load, sold=True, lines=[]),
        stock_event(world, "reserved", foreign, van_load_id=None, sold=False, lines=[]),  # unknown: ignored
        stock_event(world, "reserved", done, van_load_id=None, sold=False, lines=[]),  # no longer pending: ignored
        stock_event(world, "reserved", {**o1, "id": "not-an-id"}, van_load_id=None, sold=False, lines=[]),
        stock_event(world, "reserved", o2, "req-o2", van_load_id=None, sold=False, lines=[]),
        stock_event(world, "reserved", o1, van_load_id=None, sold=False, lines=[]),  # o1 again: ignored
    ]
    async with world.db.transaction() as tx:
        await handle_reserved_batch(tx, batch)
        woken = list(tx.events)
    assert [e.payload["to_status"] for e in woken] == ["confirmed", "confirmed", "delivered", "confirmed"]
    assert [e.causation_id for e in woken] == [batch[0].event_id, batch[1].event_id, batch[1].event_id,
                                               batch[5].event_id]  # fmt: skip
    assert [e.correlation_id for e in woken] == ["req-o1", "req-van", "req-van", "req-o2"]  # the chain is kept
    expected = {o1["id"]: ["pending", "confirmed"], o2["id"]: ["pending", "confirmed"],
                van["id"]: ["pending", "confirmed", "delivered"], done["id"]: ["pending", "confirmed"]}  # fmt: skip
    for order_id, history in expected.items():
        got = (await client.get(f"/api/orders/{order_id}", headers=world.headers("admin"))).json()
        assert got["status"] == history[-1]
        assert [h["to_status"] for h in got["status_history"]] == history
        changes = await published_status_changes(world, order_id)
        assert [(c["from_status"], c["to_status"]) for c in changes] == list(itertools.pairwise(history))
    kept, summed = await world.stats_summary()
    assert kept == summed


async def test_a_move_planned_from_a_status_the_order_left_writes_nothing_and_fails_the_transaction(
    client: httpx.AsyncClient, world
) -> None:
    """Status moves are a compare-and-set on the status they were planned from: one that finds its order moved
    on writes no order, history, stats, balance or outbox row, and `set_statuses` fails, so the whole transaction
    (here with a good move before it) rolls back instead of committing events about a move that did not happen."""
    from orders.adapters import order_writes
    from orders.service_layer.status_changes import _planned

    good, moved_on = await placed(client, world), await placed(client, world)
    async with world.db.transaction() as tx:
        raw = await tx.raw()
        rows = {o["id"]: await order_writes.load_for_update(raw, world.tenant_id, o["id"]) for o in (good, moved_on)}
    stale = dict(rows[moved_on["id"]])
    r = await client.post(f"/api/orders/{moved_on['id']}/cancel", json={"reason": "x"}, headers=world.headers("admin"))
    assert r.status_code == 200, r.text
    published_before = await world.published()
    history_before = await world.fetch("SELECT count(*) AS n FROM order_status_history")
    balance_before = await world.fetch("SELECT id, open_balance FROM customers ORDER BY id")

    moves = [_planned(world.tenant_id, dict(rows[good["id"]]), "confirmed", reason="r", actor_id=None),
             _planned(world.tenant_id, stale, "rejected", reason="r", actor_id=None)]  # fmt: skip
    with pytest.raises(order_writes.StatusMoveLost, match=moved_on["id"]) as lost:
        async with world.db.transaction() as tx:
            await order_writes.set_statuses(await tx.raw(), moves)
    assert good["id"] not in str(lost.value)  # only the move that did not apply is named

    assert (await status_of(client, world, good, "pending")) is not None  # the good move rolled back with it
    assert (await status_of(client, world, moved_on, "cancelled")) is not None
    assert await world.published() == published_before
    assert await world.fetch("SELECT count(*) AS n FROM order_status_history") == history_before
    assert await world.fetch("SELECT id, open_balance FROM customers ORDER BY id") == balance_before
    kept, summed = await world.stats_summary()
    assert kept == summed

    # a payment is the same compare-and-set on the payment status
    with pytest.raises(order_writes.StatusMoveLost, match=good["id"]):
        async with world.db.transaction() as tx:
            await order_writes.set_payment(
                await tx.raw(), world.tenant_id, good["id"], amount_paid=Decimal("1.00"), from_status="partially_paid",
                to_status="paid", reason="r", actor_id=world.users["admin"], balance_delta=Decimal("-1.00"),
                customer_id=good["customer_id"], status="pending", total=Decimal(good["total"]),
            )  # fmt: skip
    got = (await client.get(f"/api/orders/{good['id']}", headers=world.headers("admin"))).json()
    assert (got["payment_status"], got["amount_paid"]) == ("unpaid", "0.00")
    assert await world.fetch("SELECT count(*) AS n FROM order_status_history") == history_before
    assert await world.fetch("SELECT id, open_balance FROM customers ORDER BY id") == balance_before


@pytest.mark.parametrize("writer", ["set_statuses", "stock_rejected_batch"])
async def test_a_batch_that_moves_a_balance_does_not_deadlock_with_a_placement_of_that_customer(
    client: httpx.AsyncClient, world, writer: str
) -> None:
    """A placement locks its customer row first and its stats row last. A batch whose first move takes that stats
    row and whose later move (a rejection) moves that customer's balance used to take them the other way round:
    the two deadlocked and the placement's client got the error. Here a transaction stands in for the placement,
    with a pause between its two locks, so the interleaving is the same every run. The batch is either two moves
    given to `set_statuses` at once, or two `stock.rejected` events handled together by orders's subscription
    (its handler used to write each event's move on its own, so the second locked its customer too late)."""
    from orders.adapters import order_writes
    from orders.consumers import subscriptions
    from orders.service_layer.status_changes import _planned

    first, second = await placed(client, world), await placed(client, world)
    async with world.db.transaction() as tx:
        raw = await tx.raw()
        rows = {o["id"]: await order_writes.load_for_update(raw, world.tenant_id, o["id"]) for o in (first, second)}
    first_to = "confirmed" if writer == "set_statuses" else "rejected"
    moves = [_planned(world.tenant_id, dict(rows[first["id"]]), first_to, reason=None, actor_id=None),
             _planned(world.tenant_id, dict(rows[second["id"]]), "rejected", reason="no stock", actor_id=None)]  # fmt: skip
    assert moves[1].balance_delta != 0
    rejected = next(sub for sub in subscriptions() if sub.event_type == "stock.rejected")
    answers = [stock_event(world, "rejected", order, reason="no stock", shortages=[]) for order in (first, second)]
    shard = order_writes.stats_shard(first["id"])

    async def placement_first(placement: Any) -> None:  # the placement's first step: its customer row
        await placement.execute(
            "UPDATE customers SET open_balance = open_balance WHERE tenant_id = $1 AND id = $2",
            world.tenant_id,
            second["customer_id"],
        )

    async def batch(tx: Any) -> None:
        if writer == "set_statuses":
            await order_writes.set_statuses(await tx.raw(), moves)
        else:
            assert rejected.batch_handler is not None  # several stock answers are written as one batch
            await rejected.batch_handler(tx, answers)

    async def placement_last(placement: Any) -> None:
        # the placement's last step: the stats row of its (pending, unpaid) shard, the one the first move left
        await placement.execute(
            "INSERT INTO order_stats AS s (tenant_id, status, payment_status, shard, n, amount) "
            "VALUES ($1, 'pending', 'unpaid', $2, 0, 0) "
            "ON CONFLICT (tenant_id, status, payment_status, shard) DO UPDATE SET n = s.n",
            world.tenant_id,
            shard,
        )

    await interleave_locks(world.db, placement_first, batch, placement_last)

    assert (await status_of(client, world, first, first_to)) is not None
    assert (await status_of(client, world, second, "rejected")) is not None
    kept, summed = await world.stats_summary()
    assert kept == summed


async def test_two_batches_take_stats_rows_in_one_order_and_wait_instead_of_deadlocking(
    client: httpx.AsyncClient, world
) -> None:
    """Two replicas confirm their batches at once. Each move takes its order's two stats rows (pending, then
    confirmed) in its shard; taken move by move, a batch whose first order was in a higher shard than its second
    held the higher shard's rows while waiting for the lower's, and a batch in the other order deadlocked with it.
    `set_statuses` now runs a batch's moves by shard. A transaction stands in for the other batch, with a pause
    between its two locks."""
    from orders.adapters import order_writes
    from orders.service_layer.status_changes import _planned

    by_shard: dict[int, dict[str, Any]] = {}
    while len(by_shard) < 2:
        order = await placed(client, world)
        by_shard.setdefault(order_writes.stats_shard(order["id"]), order)
    low, high = sorted(by_shard)
    async with world.db.transaction() as tx:
        raw = await tx.raw()
        rows = [await order_writes.load_for_update(raw, world.tenant_id, by_shard[s]["id"]) for s in (high, low)]
    moves = [_planned(world.tenant_id, dict(row), "confirmed", reason=None, actor_id=None) for row in rows if row]

    def pending_row(shard: int) -> Callable[[Any], Awaitable[None]]:
        async def lock(other: Any) -> None:
            await other.execute(
                "UPDATE order_stats SET n = n WHERE tenant_id = $1 AND status = 'pending' "
                "AND payment_status = 'unpaid' AND shard = $2",
                world.tenant_id,
                shard,
            )

        return lock

    async def batch(tx: Any) -> None:
        await order_writes.set_statuses(await tx.raw(), moves)

    await interleave_locks(world.db, pending_row(low), batch, pending_row(high))

    for shard in (low, high):
        assert (await status_of(client, world, by_shard[shard], "confirmed")) is not None
    kept, summed = await world.stats_summary()
    assert kept == summed
