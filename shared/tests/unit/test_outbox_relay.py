"""The relay drains again at once when a commit wakes it while a batch is in flight."""

from __future__ import annotations

import asyncio

from salessync.outbox import OutboxRelay


class FakeDatabase:
    def on_events_committed(self, callback: object) -> None:
        pass


class RecordingRelay(OutboxRelay):
    def __init__(self) -> None:
        super().__init__(FakeDatabase(), publisher=None, poll_interval=30.0)  # type: ignore[arg-type]
        self.calls = 0
        self.second_drain = asyncio.Event()

    async def publish_batch(self) -> int:
        self.calls += 1
        if self.calls == 1:
            self.wake()  # an order commits while the first batch is being published
        else:
            self.second_drain.set()
        return 0

    async def _cleanup(self) -> None:
        return None


async def test_a_wake_during_a_batch_starts_another_drain_without_waiting_for_the_poll() -> None:
    relay = RecordingRelay()
    task = asyncio.create_task(relay.run())
    try:
        await asyncio.wait_for(relay.second_drain.wait(), timeout=5)  # the poll interval is 30 s
    finally:
        relay.stop()
        task.cancel()
    assert relay.calls >= 2


async def test_the_relay_is_alive_while_its_loop_runs_and_not_after() -> None:
    relay = RecordingRelay()
    assert not relay.alive()  # not started yet
    task = asyncio.create_task(relay.run())
    try:
        await asyncio.wait_for(relay.second_drain.wait(), timeout=5)
        assert relay.alive()
    finally:
        relay.stop()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert not relay.alive()
