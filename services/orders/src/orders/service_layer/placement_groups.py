"""Group commit of placements: the orders a process has ready at one moment are written in one statement.

A placement of one tenant holds the day's counter row from its write until its commit is flushed, so one by one,
placements of a tenant passed that row one WAL flush at a time, each with its own commit. Here each (tenant,
day) has at most one write in flight per process; the orders that become ready meanwhile wait and go together
in the next one (`placement_writes.insert_orders`): one statement, one commit, one flush for the group. A lone
order still goes at once, alone. Nothing here outlives a write: a replica keeps no state another one needs.

A customer's second order waits for a later group (one statement moves a customer's balance once); it then
finds the balance moved and is written again under the customer's lock by the caller, as when any other change
of the customer came in between its read and its write.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from datetime import date, datetime

import asyncpg
from prometheus_client import Histogram

from orders.adapters import placement_writes
from orders.adapters.placement_writes import ReadyOrder
from salessync.db import Database
from salessync.errors import Unavailable

log = logging.getLogger("orders.placements")
MAX_GROUP = 64
GROUP_SIZE = Histogram(
    "orders_placement_group_size",
    "Orders written by one placing statement (group commit)",
    buckets=(1, 2, 4, 8, 16, 32, 64),
)

Written = tuple[str, datetime]
Waiting = tuple[ReadyOrder, "asyncio.Future[Written | None]"]


class PlacementWriter:
    """Writes ready orders of one process in groups, one group in flight per (tenant, day)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._waiting: dict[tuple[str, date], list[Waiting]] = {}
        self._writers: dict[tuple[str, date], asyncio.Task[None]] = {}

    async def write(self, ready: ReadyOrder) -> Written | None:
        """The order's number and time once its group is written; None when it was not written (its customer
        changed since it was read, or its group failed in the database): the caller writes it under a lock."""
        key = (ready.new.tenant_id, ready.new.day)
        done: asyncio.Future[Written | None] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(key, []).append((ready, done))
        if key not in self._writers:
            self._writers[key] = asyncio.create_task(self._drain(key), name=f"placements-{key[0]}")
        return await done

    def waiting(self) -> int:
        """How many orders wait for a group to be written (not counting those being written)."""
        return sum(len(items) for items in self._waiting.values())

    async def _drain(self, key: tuple[str, date]) -> None:
        try:
            while self._waiting[key]:
                group, self._waiting[key] = _next_group(self._waiting[key])
                await self._write_group(key, group)
        finally:
            del self._writers[key]
            for _, done in self._waiting.pop(key, []):  # none, unless this writer was cancelled
                _settle(done, Unavailable("the service is stopping; the order was not placed"))

    async def _write_group(self, key: tuple[str, date], group: list[Waiting]) -> None:
        GROUP_SIZE.observe(len(group))
        try:
            async with self.db.autocommit() as tx:
                written = await placement_writes.insert_orders(await tx.raw(), key[0], key[1], [r for r, _ in group])
                tx.events.extend(r.event for r, _ in group if r.new.id in written)  # wakes the relay
        except asyncpg.PostgresError as exc:
            # The database refused the statement: nothing of it was written. A lone order fails with the error
            # (as its own statement would); the orders of a larger group are each written again by their caller,
            # so that whatever refused the group fails one order at most.
            if len(group) == 1:
                _settle(group[0][1], exc)
                return
            log.warning("a group of placements failed; written one by one: %s", exc, extra={"count": len(group)})
            written = {}
        except asyncio.CancelledError:
            for _, done in group:
                _settle(done, Unavailable("the service is stopping; the order may not have been placed"))
            raise
        except Exception as exc:  # the connection is lost: the group may have committed, so no second write
            for _, done in group:
                _settle(done, exc)
            return
        for ready, done in group:
            _settle(done, written.get(ready.new.id))


def _next_group(waiting: list[Waiting]) -> tuple[list[Waiting], list[Waiting]]:
    """The next group, in arrival order (at most one order per customer, at most MAX_GROUP), and the rest."""
    group: list[Waiting] = []
    rest: list[Waiting] = []
    customers: set[str] = set()
    for item in waiting:
        customer = item[0].priced.customer.id
        if customer in customers or len(group) >= MAX_GROUP:
            rest.append(item)
        else:
            customers.add(customer)
            group.append(item)
    return group, rest


def _settle(done: asyncio.Future[Written | None], outcome: Written | None | BaseException) -> None:
    if done.done():  # its request was cancelled: what was written stays written, as for a lone statement
        return
    if isinstance(outcome, BaseException):
        done.set_exception(outcome)
    else:
        done.set_result(outcome)


_WRITERS: weakref.WeakKeyDictionary[Database, PlacementWriter] = weakref.WeakKeyDictionary()


def writer_for(db: Database) -> PlacementWriter:
    """The process's writer of placements into `db`."""
    writer = _WRITERS.get(db)
    if writer is None:
        writer = _WRITERS[db] = PlacementWriter(db)
    return writer
