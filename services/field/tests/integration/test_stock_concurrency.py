"""The ledger under concurrency (real Postgres): row locks in a fixed order, never a negative level."""

from __future__ import annotations

import asyncio
import random
import uuid
from decimal import Decimal

import pytest

from field.adapters.stock_repo import Cause
from field.domain.orders import OrderLine, PlacedOrder
from field.domain.stock import StockChange
from field.service_layer import reservations
from field.service_layer.stock import move_stock
from salessync.db import Database


@pytest.fixture
async def wide_db(db: Database, field_db_url: str):  # type: ignore[no-untyped-def]
    """A second pool large enough that 50 transactions really run at once."""
    database = Database.from_url(field_db_url, "field", pool_size=20, max_overflow=20)
    yield database
    await database.dispose()


async def _location(db: Database, tenant_id: uuid.UUID, kind: str = "warehouse", default: bool = True) -> uuid.UUID:
    location_id = uuid.uuid4()
    async with db.transaction() as tx:
        await (await tx.raw()).execute(
            "INSERT INTO locations (id, tenant_id, kind, name, registration, is_default) VALUES ($1, $2, $3, $4, $5, $6)",
            location_id,
            tenant_id,
            kind,
            f"{kind}-{location_id.hex[:6]}",
            location_id.hex[:8] if kind == "van" else None,
            default,
        )
    return location_id


async def _receive(db: Database, tenant_id: uuid.UUID, location_id: uuid.UUID, product_id: uuid.UUID, n: int) -> None:
    async with db.transaction() as tx:
        await move_stock(
            tx, tenant_id, [StockChange(location_id, product_id, on_hand=n, kind="receipt")], Cause("test", None, None)
        )


def _order(product_id: uuid.UUID, quantity: int = 1) -> PlacedOrder:
    return PlacedOrder(uuid.uuid4(), uuid.uuid4(), None, "credit", Decimal("1.00"), [OrderLine(product_id, quantity)])


async def test_fifty_concurrent_reservations_of_one_unit_against_ten_reserve_exactly_ten(
    wide_db: Database, steps
) -> None:
    tenant_id = uuid.uuid4()
    warehouse = await _location(wide_db, tenant_id)
    product = uuid.uuid4()
    await _receive(wide_db, tenant_id, warehouse, product, 10)

    async def reserve() -> str:
        async with wide_db.transaction() as tx:
            return (await reservations.reserve_order(tx, tenant_id, _order(product))).status

    results = await asyncio.gather(*(reserve() for _ in range(50)))
    assert results.count("reserved") == 10 and results.count("rejected") == 40
    assert await steps.level(warehouse, product) == (10, 10)
    assert len(await steps.outbox("stock.reserved", tenant_id)) == 10
    rejected = await steps.outbox("stock.rejected", tenant_id)
    assert len(rejected) == 40
    assert rejected[0]["payload"]["shortages"] == [{"product_id": str(product), "requested": 1, "available": 0}]


async def test_a_hundred_concurrent_adjustments_and_transfers_keep_the_ledger_equal_to_the_levels(
    wide_db: Database, steps
) -> None:
    tenant_id = uuid.uuid4()
    locations = [await _location(wide_db, tenant_id, default=i == 0) for i in range(3)]
    products = [uuid.uuid4() for _ in range(3)]
    for location in locations:
        for product in products:
            await _receive(wide_db, tenant_id, location, product, 5)
    rng = random.Random(7)

    async def one_step() -> bool:
        product = rng.choice(products)
        if rng.random() < 0.5:
            location = rng.choice(locations)
            changes = [StockChange(location, product, on_hand=rng.choice([-4, -2, -1, 1, 3]), kind="adjustment")]
        else:
            source, target = rng.sample(locations, 2)
            quantity = rng.randint(1, 4)
            other = rng.choice(products)
            changes = [
                StockChange(source, product, on_hand=-quantity, kind="transfer_out"),
                StockChange(target, product, on_hand=quantity, kind="transfer_in"),
                StockChange(target, other, on_hand=-1, kind="transfer_out"),
                StockChange(source, other, on_hand=1, kind="transfer_in"),
            ]
        try:
            async with wide_db.transaction() as tx:
                await move_stock(tx, tenant_id, changes, Cause("test", uuid.uuid4(), None))
        except Exception as exc:
            assert getattr(exc, "code", "") == "insufficient_stock", exc
            return False
        return True

    outcomes = await asyncio.gather(*(one_step() for _ in range(100)))
    assert any(outcomes)
    assert await steps.ledger_mismatches() == []
    assert await steps.count("SELECT count(*) FROM stock_levels WHERE on_hand < 0 OR reserved < 0") == 0
    assert await steps.count("SELECT coalesce(sum(on_hand), 0) FROM stock_levels") == 45 + await steps.count(
        "SELECT coalesce(sum(quantity), 0) FROM stock_movements WHERE kind = 'adjustment'"
    )


async def test_release_and_delivery_settle_a_reservation_once(wide_db: Database, steps) -> None:
    tenant_id = uuid.uuid4()
    warehouse = await _location(wide_db, tenant_id)
    product = uuid.uuid4()
    await _receive(wide_db, tenant_id, warehouse, product, 10)
    kept, cancelled = _order(product, 3), _order(product, 2)
    async with wide_db.transaction() as tx:
        await reservations.reserve_order(tx, tenant_id, kept)
        await reservations.reserve_order(tx, tenant_id, cancelled)
    assert await steps.level(warehouse, product) == (10, 5)
    for _ in range(2):
        async with wide_db.transaction() as tx:
            await reservations.release_order(tx, tenant_id, cancelled.order_id)
            await reservations.deliver_order(tx, tenant_id, kept.order_id)
    assert await steps.level(warehouse, product) == (7, 0)
    async with wide_db.transaction() as tx:
        assert await reservations.take_back_order(tx, tenant_id, kept.order_id) == "returned"
    assert await steps.level(warehouse, product) == (10, 0)
    assert await steps.ledger_mismatches() == []


async def test_a_cancellation_that_overtakes_its_order_leaves_nothing_reserved(wide_db: Database, steps) -> None:
    tenant_id = uuid.uuid4()
    warehouse = await _location(wide_db, tenant_id)
    product = uuid.uuid4()
    await _receive(wide_db, tenant_id, warehouse, product, 4)
    order = _order(product, 4)
    async with wide_db.transaction() as tx:
        await reservations.release_order(tx, tenant_id, order.order_id)
        result = await reservations.reserve_order(tx, tenant_id, order)
    assert result.status == "duplicate"
    assert await steps.level(warehouse, product) == (4, 0)


async def test_a_batch_of_orders_reserves_as_one_after_the_other_would(db: Database, steps) -> None:
    """The `order.placed` consumer reserves a fetched batch together: each order sees what the ones before it
    took, all lines or none, a repeated order is answered once, and the answers go out in the batch's order."""
    tenant_id = uuid.uuid4()
    warehouse = await _location(db, tenant_id)
    p, q = uuid.uuid4(), uuid.uuid4()
    await _receive(db, tenant_id, warehouse, p, 10)
    await _receive(db, tenant_id, warehouse, q, 2)
    first = _order(p, 4)
    both = PlacedOrder(uuid.uuid4(), uuid.uuid4(), None, "credit", Decimal("1.00"), [OrderLine(p, 5), OrderLine(q, 1)])
    too_many = _order(p, 3)  # 1 left after the two before: refused, and takes nothing
    with_q_short = PlacedOrder(uuid.uuid4(), uuid.uuid4(), None, "cash", Decimal("1.00"),
                               [OrderLine(p, 1), OrderLine(q, 2)])  # fmt: skip
    last = _order(p, 1)
    batch = [first, both, too_many, first, with_q_short, last]
    before = len(await steps.outbox_all(tenant_id))
    async with db.transaction() as tx:
        results = await reservations.reserve_at_default_warehouses(
            tx, [reservations.ToReserve(tenant_id, order, f"cause-{i}", "corr") for i, order in enumerate(batch)]
        )
    assert [r.status for r in results] == ["reserved", "reserved", "rejected", "duplicate", "rejected", "reserved"]
    assert [(s.product_id, s.requested, s.available) for s in results[2].shortages] == [(p, 3, 1)]
    assert [(s.product_id, s.requested, s.available) for s in results[4].shortages] == [(q, 2, 1)]
    assert await steps.level(warehouse, p) == (10, 10) and await steps.level(warehouse, q) == (2, 1)
    answers = (await steps.outbox_all(tenant_id))[before:]
    assert [(a["type"], a["payload"]["order_id"]) for a in answers] == [
        ("stock.reserved", str(first.order_id)), ("stock.reserved", str(both.order_id)),
        ("stock.rejected", str(too_many.order_id)), ("stock.rejected", str(with_q_short.order_id)),
        ("stock.reserved", str(last.order_id)),
    ]  # fmt: skip
    assert [a["causation_id"] for a in answers] == ["cause-0", "cause-1", "cause-2", "cause-4", "cause-5"]
    assert {a["correlation_id"] for a in answers} == {"corr"}
    async with db.transaction() as tx:
        rows = await (await tx.raw()).fetch("SELECT order_id, status FROM reservations WHERE tenant_id = $1", tenant_id)
    assert {r["order_id"]: r["status"] for r in rows} == {
        first.order_id: "reserved", both.order_id: "reserved", too_many.order_id: "rejected",
        with_q_short.order_id: "rejected", last.order_id: "reserved",
    }  # fmt: skip
    async with db.transaction() as tx:  # the same batch again (redelivered): nothing moves, nothing is answered
        again = await reservations.reserve_at_default_warehouses(
            tx, [reservations.ToReserve(tenant_id, o) for o in batch]
        )
    assert {r.status for r in again} == {"duplicate"}
    assert len(await steps.outbox_all(tenant_id)) == before + 5
    assert await steps.level(warehouse, p) == (10, 10)


async def test_a_batch_that_takes_levels_below_their_reorder_level_raises_each_alert_once(db: Database, steps) -> None:
    tenant_id = uuid.uuid4()
    warehouse = await _location(db, tenant_id)
    p, q = uuid.uuid4(), uuid.uuid4()
    await _receive(db, tenant_id, warehouse, p, 10)
    await _receive(db, tenant_id, warehouse, q, 10)
    async with db.transaction() as tx:
        await (await tx.raw()).execute("UPDATE stock_levels SET reorder_level = 5 WHERE tenant_id = $1", tenant_id)
    before = len(await steps.outbox("stock.low", tenant_id))
    batch = [_order(p, 4), _order(q, 6), _order(p, 2), _order(q, 1)]  # p crosses on the second of its orders
    async with db.transaction() as tx:
        results = await reservations.reserve_at_default_warehouses(
            tx, [reservations.ToReserve(tenant_id, o) for o in batch]
        )
    assert {r.status for r in results} == {"reserved"}
    alerts = (await steps.outbox("stock.low", tenant_id))[before:]
    assert sorted((a["payload"]["product_id"], a["payload"]["available"]) for a in alerts) == sorted(
        [(str(q), 4), (str(p), 4)]
    )
    assert {a["payload"]["location_name"] for a in alerts} == {f"warehouse-{warehouse.hex[:6]}"}


async def test_a_batch_of_releases_takes_its_levels_in_one_order_and_waits_instead_of_deadlocking(
    wide_db: Database, steps
) -> None:
    """Every stock writer locks levels by (location, product). A batch of `order.status_changed` handled event by
    event locked the first order's levels, then the second's: with the first order on the higher product, a
    stock command holding the lower one and wanting the higher deadlocked with it. The batch handler takes all of
    its locks first, in the common order. A transaction stands in for the stock command, with a pause between
    its two locks, so the interleaving is the same every run. Also a cancellation that overtakes its order in the
    batch leaves a released row, as `release_order` alone does."""
    from field.adapters import stock_repo
    from field.main import subscriptions
    from salessync.events import new_event
    from salessync.testing.helpers import interleave_locks

    tenant_id = uuid.uuid4()
    warehouse = await _location(wide_db, tenant_id)
    low, high = sorted([uuid.uuid4(), uuid.uuid4()])
    for product in (low, high):
        await _receive(wide_db, tenant_id, warehouse, product, 10)
    on_high, on_low, overtaken = _order(high, 2), _order(low, 3), _order(low, 1)
    async with wide_db.transaction() as tx:
        await reservations.reserve_order(tx, tenant_id, on_high)
        await reservations.reserve_order(tx, tenant_id, on_low)
    events = [
        new_event("order.status_changed", tenant_id=tenant_id, aggregate_id=o.order_id, producer="orders",
                  payload={"order_id": str(o.order_id), "from_status": "confirmed", "to_status": "cancelled"})
        for o in (on_high, on_low, overtaken)
    ]  # fmt: skip
    sub = next(s for s in subscriptions() if s.event_type == "order.status_changed")
    assert sub.batch_handler is not None
    await interleave_locks(
        wide_db,
        lambda command: stock_repo.lock_levels(command, tenant_id, [(warehouse, low)]),
        lambda tx: sub.batch_handler(tx, events),  # type: ignore[misc]
        lambda command: stock_repo.lock_levels(command, tenant_id, [(warehouse, high)]),
    )

    assert await steps.level(warehouse, low) == (10, 0)
    assert await steps.level(warehouse, high) == (10, 0)
    async with wide_db.transaction() as tx:
        statuses = await (await tx.raw()).fetch(
            "SELECT order_id, status FROM reservations WHERE tenant_id = $1", tenant_id
        )
    assert {r["order_id"]: r["status"] for r in statuses} == {
        on_high.order_id: "released", on_low.order_id: "released", overtaken.order_id: "released"
    }  # fmt: skip
    assert await steps.ledger_mismatches() == []


@pytest.mark.parametrize("path", ["batch", "one event"])
async def test_taking_back_a_van_sale_locks_its_van_load_first_and_waits_instead_of_deadlocking(
    wide_db: Database, steps, path: str
) -> None:
    """A van load command locks its load, then the van's levels; a van sale locks the load, then its reservation
    and levels. Taking back a returned van sale locked its reservation and the van's levels first and the load
    last (to take the sale off the load): against a command on the same load, one of the two failed with a
    deadlock. Now the load comes first, on both paths of `order.status_changed` (a fetched batch, one event). A
    transaction stands in for the command, with a pause between its two locks."""
    from field.adapters import stock_repo, van_sales_repo
    from field.main import subscriptions
    from salessync.events import new_event
    from salessync.testing.helpers import interleave_locks

    client, tenant_id = steps.client, steps.actors.tenant_id
    salesman, staff = steps.actors.user_id("salesman"), steps.actors.headers("warehouse_staff")
    warehouse, van = await steps.warehouse(), await steps.van("KDA-900", salesman)
    soap = uuid.uuid4()
    await steps.adjust(warehouse["id"], soap, 30)
    plan = {"van_id": van["id"], "salesman_id": str(salesman), "warehouse_id": warehouse["id"],
            "lines": [{"product_id": str(soap), "quantity": 20}]}  # fmt: skip
    load_id = uuid.UUID((await client.post("/api/van-loads", json=plan, headers=staff)).json()["id"])
    assert (await client.post(f"/api/van-loads/{load_id}/load", json={}, headers=staff)).status_code == 200
    departed = await client.post(f"/api/van-loads/{load_id}/depart", headers=steps.actors.headers("salesman"))
    assert departed.json()["status"] == "in_field"
    sale = PlacedOrder(uuid.uuid4(), salesman, load_id, "cash", Decimal("25.00"), [OrderLine(soap, 5)])
    async with wide_db.transaction() as tx:
        assert (await reservations.reserve_order(tx, tenant_id, sale)).status == "sold"
    van_id = uuid.UUID(van["id"])
    assert await steps.level(van_id, soap) == (15, 0)
    returned = new_event("order.status_changed", tenant_id=tenant_id, aggregate_id=sale.order_id, producer="orders",
                         payload={"order_id": str(sale.order_id), "from_status": "delivered", "to_status": "returned"})  # fmt: skip
    sub = next(s for s in subscriptions() if s.event_type == "order.status_changed")
    await interleave_locks(
        wide_db,
        lambda command: van_sales_repo.lock_load(command, tenant_id, load_id),
        lambda tx: sub.batch_handler(tx, [returned]) if path == "batch" else sub.handler(tx, returned),  # type: ignore[misc]
        lambda command: stock_repo.lock_levels(command, tenant_id, [(van_id, soap)]),
    )

    assert await steps.level(van_id, soap) == (20, 0)
    async with wide_db.transaction() as tx:
        raw = await tx.raw()
        status = await raw.fetchval("SELECT status FROM reservations WHERE order_id = $1", sale.order_id)
        sold = await raw.fetchval(
            "SELECT sold FROM van_load_lines WHERE van_load_id = $1 AND product_id = $2", load_id, soap
        )
    assert (status, sold) == ("returned", 0)
    assert await steps.ledger_mismatches() == []
