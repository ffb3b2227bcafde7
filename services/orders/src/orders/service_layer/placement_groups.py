"""Group commit of placements: the orders a process receives while one group is placed go together in the next.

A placement of one tenant holds the day's counter row from its write until its commit is flushed, so one by one,
placements of a tenant passed that row one WAL flush at a time, each with its own read, write and commit. Here
each tenant has at most one group in flight per process; the orders that arrive meanwhile wait and go together
in the next one (`placing.place_group`: one read, one placing statement, one commit, one flush). A lone order
still goes at once, alone. Nothing here outlives a group: a replica keeps no state another one needs.

A customer's second order waits for a later group (one statement moves a customer's balance once).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from prometheus_client import Histogram

from salessync.errors import Unavailable

MAX_GROUP = 64
GROUP_SIZE = Histogram(
    "orders_placement_group_size",
    "Orders placed by one group (one read, one placing statement, one commit)",
    buckets=(1, 2, 4, 8, 16, 32, 64),
)

In = TypeVar("In")
Out = TypeVar("Out")


class GroupCommit(Generic[In, Out]):
    """Runs `place_group` on the items waiting for one key (a tenant), one group in flight per key.

    `place_group(key, items)` answers one outcome per item, in order: its result, or an exception for that item
    alone. `customer_of` names an item's customer: a group holds one item per customer at most."""

    def __init__(
        self,
        place_group: Callable[[str, list[In]], Awaitable[list[Out | BaseException]]],
        customer_of: Callable[[In], str],
    ) -> None:
        self._place_group = place_group
        self._customer_of = customer_of
        self._waiting: dict[str, list[tuple[In, asyncio.Future[Out]]]] = {}
        self._running: dict[str, asyncio.Task[None]] = {}

    async def submit(self, key: str, item: In) -> Out:
        """The item's outcome once its group is placed (its exception raised here)."""
        done: asyncio.Future[Out] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(key, []).append((item, done))
        if key not in self._running:
            self._running[key] = asyncio.create_task(self._drain(key), name=f"placements-{key}")
        return await done

    def waiting(self) -> int:
        """How many items wait for a group (not counting the group in flight)."""
        return sum(len(items) for items in self._waiting.values())

    async def _drain(self, key: str) -> None:
        try:
            while self._waiting[key]:
                group, self._waiting[key] = next_group(self._waiting[key], lambda w: self._customer_of(w[0]))
                await self._run(key, group)
        finally:
            del self._running[key]
            for _, done in self._waiting.pop(key, []):  # none, unless this task was cancelled
                _settle(done, Unavailable("the service is stopping; the order was not placed"))

    async def _run(self, key: str, group: list[tuple[In, asyncio.Future[Out]]]) -> None:
        GROUP_SIZE.observe(len(group))
        try:
            outcomes = await self._place_group(key, [item for item, _ in group])
        except asyncio.CancelledError:
            for _, done in group:
                _settle(done, Unavailable("the service is stopping; the order may not have been placed"))
            raise
        except Exception as exc:  # e.g. the connection was lost: every order of the group meets it
            outcomes = [exc] * len(group)
        for (_, done), outcome in zip(group, outcomes, strict=True):
            _settle(done, outcome)


T = TypeVar("T")


def next_group(waiting: list[T], customer_of: Callable[[T], str]) -> tuple[list[T], list[T]]:
    """The next group, in arrival order (at most one item per customer, at most MAX_GROUP), and the rest."""
    group: list[T] = []
    rest: list[T] = []
    customers: set[str] = set()
    for item in waiting:
        customer = customer_of(item)
        if customer in customers or len(group) >= MAX_GROUP:
            rest.append(item)
        else:
            customers.add(customer)
            group.append(item)
    return group, rest


def _settle(done: asyncio.Future[T], outcome: T | BaseException) -> None:
    if done.done():  # its request was cancelled: what was placed stays placed, as for a lone statement
        return
    if isinstance(outcome, BaseException):
        done.set_exception(outcome)
    else:
        done.set_result(outcome)
