"""How the consumer runner fetches: what is waiting in batches, and an idle consumer's next event at once.

The fake puller answers as `salessync.pull.Puller` does: without `wait_s`, what is waiting now (maybe nothing);
with `wait_s`, the next message as soon as it is published, or nothing after `wait_s`.
"""

from __future__ import annotations

import asyncio

from salessync.consumer import ConsumerRunner


class FakePuller:
    def __init__(self) -> None:
        self.waiting: list[str] = []
        self.arrived = asyncio.Event()
        self.calls: list[tuple[int, float | None]] = []

    def publish(self, message: str) -> None:
        self.waiting.append(message)
        self.arrived.set()

    async def fetch(self, batch: int, *, wait_s: float | None = None) -> list[str]:
        self.calls.append((batch, wait_s))
        if not self.waiting and wait_s is not None:
            try:
                await asyncio.wait_for(self.arrived.wait(), wait_s)
            except TimeoutError:
                return []
            batch = 1
        taken, self.waiting = self.waiting[:batch], self.waiting[batch:]
        if not self.waiting:
            self.arrived.clear()
        return taken


def runner(fetch_timeout_s: float) -> ConsumerRunner:
    return ConsumerRunner("svc", db=None, nc=None, subscriptions=[], batch_size=64, fetch_timeout_s=fetch_timeout_s)  # type: ignore[arg-type]


async def test_a_backlog_comes_in_one_batch_without_waiting() -> None:
    puller = FakePuller()
    for n in range(100):
        puller.publish(f"m{n}")
    batch = await asyncio.wait_for(runner(30.0)._next_batch(puller), 1.0)  # type: ignore[arg-type]
    assert batch == [f"m{n}" for n in range(64)]
    assert puller.calls == [(64, None)]


async def test_an_idle_consumer_gets_the_next_event_as_soon_as_it_is_published() -> None:
    puller = FakePuller()
    asyncio.get_running_loop().call_later(0.05, puller.publish, "late")
    batch = await asyncio.wait_for(runner(30.0)._next_batch(puller), 2.0)  # type: ignore[arg-type]
    assert batch == ["late"]
    assert puller.calls == [(64, None), (64, 30.0)]


async def test_nothing_published_is_an_empty_batch_for_the_loop_to_go_round() -> None:
    puller = FakePuller()
    assert await runner(0.05)._next_batch(puller) == []  # type: ignore[arg-type]
    assert puller.calls == [(64, None), (64, 0.05)]


class FlakyRunner(ConsumerRunner):
    """A runner whose first batch fails outside any event's handling (an ack on a connection that broke)."""

    def __init__(self) -> None:
        super().__init__("svc", db=None, nc=None, subscriptions=[], batch_size=64, fetch_timeout_s=0.05)  # type: ignore[arg-type]
        self.batches: list[list[str]] = []
        self.second = asyncio.Event()

    async def handle_batch(self, sub, durable: str, msgs) -> None:  # type: ignore[no-untyped-def]
        self.batches.append(list(msgs))
        if len(self.batches) == 1:
            raise RuntimeError("nats: connection closed")
        self.second.set()


async def test_a_failed_batch_does_not_end_the_consumer_and_it_reports_itself_alive() -> None:
    puller = FakePuller()
    flaky = FlakyRunner()
    task = asyncio.create_task(flaky._loop(None, "svc-thing", puller))  # type: ignore[arg-type]
    flaky._tasks.append(task)
    try:
        puller.publish("first")
        await asyncio.sleep(0.05)
        puller.publish("second")
        await asyncio.wait_for(flaky.second.wait(), 5.0)
        assert flaky.alive()
    finally:
        flaky._stopping = True
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert flaky.batches == [["first"], ["second"]]
    assert not flaky.alive()  # its loop has ended: /ready says so
