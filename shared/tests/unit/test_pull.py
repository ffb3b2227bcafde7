"""`Puller` against a fake connection that answers pull requests as the JetStream server does."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from salessync import pull
from salessync.pull import Puller, PullRefused


@dataclass
class FakeMsg:
    data: bytes = b""
    headers: dict[str, str] | None = None


@dataclass
class FakeConnection:
    """Answers each request with `answers` (lists of messages, one list per request, delivered after the call)."""

    answers: list[list[FakeMsg]] = field(default_factory=list)
    requests: list[tuple[str, dict[str, Any], str]] = field(default_factory=list)
    cb: Any = None

    def new_inbox(self) -> str:
        return "_INBOX.test"

    async def subscribe(self, subject: str, cb: Any) -> Any:
        self.cb = cb
        return self

    async def unsubscribe(self) -> None:
        self.cb = None

    async def publish(self, subject: str, payload: bytes, reply: str) -> None:
        self.requests.append((subject, json.loads(payload), reply))
        answer = self.answers.pop(0) if self.answers else []

        async def deliver() -> None:
            for msg in answer:
                await asyncio.sleep(0)
                await self.cb(msg)

        asyncio.get_running_loop().create_task(deliver())


def events(n: int) -> list[FakeMsg]:
    return [FakeMsg(f"e{i}".encode()) for i in range(n)]


NO_MESSAGES = FakeMsg(headers={"Status": "404", "Description": "No Messages"})
TIMED_OUT = FakeMsg(headers={"Status": "408", "Description": "Request Timeout"})
DELETED = FakeMsg(headers={"Status": "409", "Description": "Consumer Deleted"})


async def started(nc: FakeConnection) -> Puller:
    puller = Puller(nc, "S", "svc-thing_made")  # type: ignore[arg-type]
    await puller.start()
    return puller


async def test_what_is_waiting_comes_in_one_request_ended_by_the_servers_no_messages() -> None:
    nc = FakeConnection(answers=[[*events(3), NO_MESSAGES]])
    got = await asyncio.wait_for((await started(nc)).fetch(64), 1.0)
    assert [m.data for m in got] == [b"e0", b"e1", b"e2"]
    assert nc.requests == [
        ("$JS.API.CONSUMER.MSG.NEXT.S.svc-thing_made", {"batch": 64, "no_wait": True}, "_INBOX.test")
    ]


async def test_a_full_batch_ends_without_a_status_and_an_empty_one_at_once() -> None:
    nc = FakeConnection(answers=[events(4), [NO_MESSAGES]])
    puller = await started(nc)
    assert len(await asyncio.wait_for(puller.fetch(4), 1.0)) == 4
    assert await asyncio.wait_for(puller.fetch(4), 1.0) == []


async def test_a_wait_asks_for_the_next_message_with_an_expiry_and_ends_at_the_servers_timeout() -> None:
    nc = FakeConnection(answers=[events(1), [TIMED_OUT]])
    puller = await started(nc)
    assert len(await asyncio.wait_for(puller.fetch(64, wait_s=30.0), 1.0)) == 1  # not 30 s for a batch of 64
    assert await asyncio.wait_for(puller.fetch(64, wait_s=30.0), 1.0) == []
    assert [r[1] for r in nc.requests] == [{"batch": 1, "expires": 30_000_000_000}] * 2


async def test_messages_answered_after_a_fetch_ended_come_first_with_no_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pull, "GRACE_S", 0.05)
    nc = FakeConnection()  # no answer in time: NATS away
    puller = await started(nc)
    assert await puller.fetch(64, wait_s=0.01) == []
    await nc.cb(FakeMsg(b"late"))  # the answer to that request, after the fetch gave up
    await nc.cb(TIMED_OUT)  # a status with no fetch in hand ends nothing
    assert [m.data for m in await puller.fetch(64)] == [b"late"]
    assert len(nc.requests) == 1


async def test_a_request_the_server_refuses_is_an_error_for_the_loop_to_back_off_from() -> None:
    nc = FakeConnection(answers=[[DELETED], [*events(2), DELETED]])
    puller = await started(nc)
    with pytest.raises(PullRefused, match="409 Consumer Deleted"):
        await asyncio.wait_for(puller.fetch(64, wait_s=30.0), 1.0)  # not asked again at once, in a loop
    assert len(await asyncio.wait_for(puller.fetch(64), 1.0)) == 2  # what came before a refusal is kept
