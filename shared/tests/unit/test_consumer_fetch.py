"""How the consumer runner fetches: what is waiting in batches, and an idle consumer's next event at once.

The fake pull subscription behaves as nats-py 2.x does: `fetch(batch)` returns what is already there at once,
but when it had to wait for a first message and `batch > 1`, it keeps waiting until its timeout for the rest.
"""

from __future__ import annotations

import asyncio

import pytest
from nats.errors import TimeoutError as NatsTimeoutError

from salessync.consumer import DRAIN_S, ConsumerRunner


class FakePullSubscription:
    def __init__(self) -> None:
        self.waiting: list[str] = []
        self.arrived = asyncio.Event()
        self.calls: list[tuple[int, float]] = []

    def publish(self, message: str) -> None:
        self.waiting.append(message)
        self.arrived.set()

    def _take(self, batch: int) -> list[str]:
        taken, self.waiting = self.waiting[:batch], self.waiting[batch:]
        if not self.waiting:
            self.arrived.clear()
        return taken

    async def fetch(self, batch: int, timeout: float) -> list[str]:
        self.calls.append((batch, timeout))
        if self.waiting:
            return self._take(batch)
        try:
            await asyncio.wait_for(self.arrived.wait(), timeout)
        except TimeoutError:
            raise NatsTimeoutError from None
        if batch > 1:  # nats-py: the rest of the batch is awaited until the timeout
            await asyncio.sleep(timeout)
        return self._take(batch)


def runner(fetch_timeout_s: float) -> ConsumerRunner:
    return ConsumerRunner("svc", db=None, js=None, subscriptions=[], batch_size=64, fetch_timeout_s=fetch_timeout_s)  # type: ignore[arg-type]


async def test_a_backlog_comes_in_one_batch_without_waiting() -> None:
    psub = FakePullSubscription()
    for n in range(100):
        psub.publish(f"m{n}")
    batch = await asyncio.wait_for(runner(30.0)._next_batch(psub), 1.0)
    assert batch == [f"m{n}" for n in range(64)]
    assert psub.calls == [(64, DRAIN_S)]


async def test_an_idle_consumer_gets_the_next_event_as_soon_as_it_is_published() -> None:
    psub = FakePullSubscription()
    loop = asyncio.get_running_loop()
    loop.call_later(0.05, psub.publish, "late")
    batch = await asyncio.wait_for(runner(30.0)._next_batch(psub), 2.0)  # a batch fetch would take 30 s here
    assert batch == ["late"]
    assert psub.calls == [(64, DRAIN_S), (1, 30.0)]


async def test_nothing_published_is_a_timeout_for_the_loop_to_retry() -> None:
    psub = FakePullSubscription()
    with pytest.raises(NatsTimeoutError):
        await runner(0.05)._next_batch(psub)


class FlakyRunner(ConsumerRunner):
    """A runner whose first batch fails outside any event's handling (an ack on a connection that broke)."""

    def __init__(self) -> None:
        super().__init__("svc", db=None, js=None, subscriptions=[], batch_size=64, fetch_timeout_s=0.05)  # type: ignore[arg-type]
        self.batches: list[list[str]] = []
        self.second = asyncio.Event()

    async def handle_batch(self, sub, durable: str, msgs) -> None:  # type: ignore[no-untyped-def]
        self.batches.append(list(msgs))
        if len(self.batches) == 1:
            raise RuntimeError("nats: connection closed")
        self.second.set()


async def test_a_failed_batch_does_not_end_the_consumer_and_it_reports_itself_alive() -> None:
    psub = FakePullSubscription()
    flaky = FlakyRunner()
    task = asyncio.create_task(flaky._loop(None, "svc-thing", psub))  # type: ignore[arg-type]
    flaky._tasks.append(task)
    try:
        psub.publish("first")
        await asyncio.sleep(0.05)
        psub.publish("second")
        await asyncio.wait_for(flaky.second.wait(), 5.0)
        assert flaky.alive()
    finally:
        flaky._stopping = True
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert flaky.batches == [["first"], ["second"]]
    assert not flaky.alive()  # its loop has ended: /ready says so
