"""Group commit of placements (`placement_groups`): the orders ready while a group is written go together in the
next one, in one statement (one transaction: the same `xmin`), numbered without a gap; a customer's second order
of the moment goes in the group after, read after the first one's write; a group the database refuses is written order by
order, so that only the order it was refused for fails.

Each test holds the day's counter row in another transaction, so that the first order's group waits for it while
the others become ready and queue behind it: the same grouping every run."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import asyncpg
import pytest

from orders.domain.placing import DEFAULT_DISCOUNT_CAPS, LineRequest
from orders.service_layer import placing
from orders.service_layer.commands import PlaceOrder
from salessync.testing.helpers import eventually


def _command(world: Any, customer: str, product: str, quantity: int = 1, notes: str | None = None) -> PlaceOrder:
    return PlaceOrder(
        tenant_id=world.tenant_id,
        actor_id=world.users["salesman"],
        role="salesman",
        customer_id=customer,
        items=[LineRequest(product, quantity)],
        van_load_id=None,
        payment_method=None,
        credit_override=False,
        notes=notes,
        delivery_date=None,
    )


def _place(world: Any, cmd: PlaceOrder) -> asyncio.Task[dict[str, Any]]:
    return asyncio.create_task(placing.place(world.db, cmd, DEFAULT_DISCOUNT_CAPS))


@contextlib.asynccontextmanager
async def _groups_held_back(world: Any, first: PlaceOrder, queued: list[PlaceOrder]) -> AsyncIterator[list[Any]]:
    """Place `first` while another transaction holds the day's counter row; once its group waits for that row,
    place `queued` and wait until all of them wait for the next group; release the row when the block ends. Yields
    the tasks, `first`'s at index 0."""
    groups = placing.groups_of(world.db)
    pool = await world.db.pool()
    async with pool.acquire() as other, pool.acquire() as watcher:
        async with other.transaction():
            await other.execute(
                "SELECT 1 FROM order_counters WHERE tenant_id = $1 AND day = $2 FOR UPDATE",
                world.tenant_id,
                datetime.now(UTC).date(),
            )
            tasks = [_place(world, first)]

            async def first_waits() -> bool:
                return bool(
                    await watcher.fetchval(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                        "AND wait_event IN ('transactionid', 'tuple') AND datname = current_database()"
                    )
                )

            await eventually(first_waits, message="the first group never waited for the counter row")
            tasks += [_place(world, cmd) for cmd in queued]

            async def all_queued() -> bool:
                return groups.waiting() == len(queued)

            await eventually(all_queued, message="the orders never queued")
            yield tasks


async def _written_by(world: Any) -> dict[str, tuple[str, str]]:
    """Each order's number and the transaction that wrote it (`xmin`), by order id."""
    rows = await world.fetch(
        "SELECT id::text, number, xmin::text AS tx FROM orders WHERE tenant_id = $1", world.tenant_id
    )
    return {r["id"]: (r["number"], r["tx"]) for r in rows}


async def _day_opened(world: Any, product: str) -> None:
    """One order placed, so that the day's counter row exists to be held."""
    await placing.place(world.db, _command(world, await world.customer(), product), DEFAULT_DISCOUNT_CAPS)


async def test_orders_ready_while_a_group_is_written_go_together_in_the_next_one(client, world) -> None:
    product = await world.product(price="1.00", tax_rate="0")
    await _day_opened(world, product)
    customers = [await world.customer() for _ in range(9)]
    async with _groups_held_back(world, _command(world, customers[0], product), [
        _command(world, c, product) for c in customers[1:]
    ]) as tasks:  # fmt: skip
        pass
    placed = await asyncio.gather(*tasks)
    written = await _written_by(world)
    assert sorted(int(o["number"][-4:]) for o in placed) == list(range(2, 11))  # after the day's first, no gap
    assert all(written[o["id"]][0] == o["number"] for o in placed)  # the answers say what was written
    queued_txs = {written[o["id"]][1] for o in placed[1:]}
    assert len(queued_txs) == 1  # the eight queued orders: one statement
    assert written[placed[0]["id"]][1] not in queued_txs  # the first order's group went before them
    lines = await world.fetch("SELECT count(*) FROM order_lines WHERE tenant_id = $1", world.tenant_id)
    assert lines[0][0] == 10
    kept, recount = await world.stats_summary()
    assert kept == recount


async def test_a_customers_second_order_of_the_moment_goes_in_the_next_group(client, world) -> None:
    product = await world.product(price="2.00", tax_rate="0")
    await _day_opened(world, product)
    alone, twice, other = await world.customer(), await world.customer(), await world.customer()
    queued = [_command(world, twice, product, 1), _command(world, twice, product, 3), _command(world, other, product)]
    async with _groups_held_back(world, _command(world, alone, product), queued) as tasks:
        pass
    placed = await asyncio.gather(*tasks)
    written = await _written_by(world)
    assert sorted(int(o["number"][-4:]) for o in placed) == [2, 3, 4, 5]
    first_of_twice, second_of_twice, of_other = (written[o["id"]][1] for o in placed[1:])
    assert first_of_twice == of_other  # one group
    assert second_of_twice != first_of_twice  # a group moves a customer's balance once: it went in the next one
    balance = await world.fetch("SELECT open_balance FROM customers WHERE id = $1", twice)
    assert balance[0][0] == Decimal("8.00")  # 1 x 2.00 + 3 x 2.00, both counted


async def test_a_group_the_database_refuses_is_written_order_by_order(client, world) -> None:
    product = await world.product(price="1.00", tax_rate="0")
    await _day_opened(world, product)
    customers = [await world.customer() for _ in range(4)]
    await world.fetch(
        "CREATE FUNCTION refuse_marked() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF NEW.notes = 'refuse me' THEN RAISE EXCEPTION 'refused by a test trigger'; END IF; RETURN NEW; END $$"
    )
    await world.fetch(
        "CREATE TRIGGER refuse_marked BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION refuse_marked()"
    )
    try:
        queued = [_command(world, customers[1], product), _command(world, customers[2], product, notes="refuse me"),
                  _command(world, customers[3], product)]  # fmt: skip
        async with _groups_held_back(world, _command(world, customers[0], product), queued) as tasks:
            pass
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        await world.fetch("DROP TRIGGER refuse_marked ON orders")
        await world.fetch("DROP FUNCTION refuse_marked()")
    assert isinstance(outcomes[2], asyncpg.RaiseError)
    placed = [o for i, o in enumerate(outcomes) if i != 2]
    assert all(isinstance(o, dict) for o in placed)
    assert sorted(int(o["number"][-4:]) for o in placed) == [2, 3, 4]  # the refused order took no number
    written = await _written_by(world)
    assert len(written) == 4 and len({tx for _, tx in written.values()}) == 4  # each in its own statement
    balances = await world.fetch("SELECT id::text, open_balance FROM customers WHERE tenant_id = $1", world.tenant_id)
    assert {r["id"]: r["open_balance"] for r in balances}[customers[2]] == 0


@pytest.mark.parametrize("size", [1, 2])
async def test_a_lone_order_fails_with_its_own_error_and_a_group_takes_no_number_for_it(client, world, size) -> None:
    product = await world.product(price="1.00", tax_rate="0")
    await world.fetch("ALTER TABLE order_lines ADD CONSTRAINT test_small CHECK (quantity < 100)")
    try:
        customers = [await world.customer() for _ in range(size)]
        tasks = [_place(world, _command(world, c, product, 100)) for c in customers]
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        await world.fetch("ALTER TABLE order_lines DROP CONSTRAINT test_small")
    assert all(isinstance(o, asyncpg.CheckViolationError) for o in outcomes)
    assert await world.fetch("SELECT 1 FROM orders WHERE tenant_id = $1", world.tenant_id) == []
    counter = await world.fetch("SELECT last FROM order_counters WHERE tenant_id = $1", world.tenant_id)
    assert counter == []
