"""`BatchPublisher` against a fake connection that acks as JetStream does."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import orjson
import pytest

from salessync.publish import BatchPublisher, PublishRefused


@dataclass
class FakeMsg:
    subject: str
    data: bytes = b""
    headers: dict[str, str] | None = None


@dataclass
class FakeConnection:
    """Answers each publish with `answer(subject, number)` (None: no answer) after the call returns."""

    answer: Any = None
    sent: list[tuple[str, bytes, str, dict[str, str]]] = field(default_factory=list)
    cb: Any = None

    def new_inbox(self) -> str:
        return "_INBOX.pub"

    async def subscribe(self, subject: str, cb: Any) -> Any:
        assert subject == "_INBOX.pub.*"
        self.cb = cb
        return self

    async def publish(self, subject: str, body: bytes, reply: str, headers: dict[str, str]) -> None:
        self.sent.append((subject, body, reply, headers))
        data = self.answer(subject, len(self.sent)) if self.answer else None
        if data is not None:
            asyncio.get_running_loop().call_soon(asyncio.ensure_future, self.cb(FakeMsg(reply, *data)))


def ack(seq: int, duplicate: bool = False) -> tuple[bytes]:
    body: dict[str, Any] = {"stream": "SALESSYNC", "seq": seq}
    if duplicate:
        body["duplicate"] = True
    return (orjson.dumps(body),)


MESSAGES = [
    ("salessync.t.a.made", b"1", "id-1"),
    ("salessync.t.a.made", b"2", "id-2"),
    ("salessync.t.b.made", b"3", "id-3"),
]


async def test_a_batch_is_sent_in_order_with_its_ids_and_returns_once_every_message_is_acked() -> None:
    nc = FakeConnection(answer=lambda subject, n: ack(n, duplicate=n == 2))  # a duplicate is acked all the same
    await asyncio.wait_for(BatchPublisher(nc).publish(MESSAGES, timeout=1.0), 1.0)  # type: ignore[arg-type]
    assert [(s, b, h) for s, b, _, h in nc.sent] == [(s, b, {"Nats-Msg-Id": i}) for s, b, i in MESSAGES]
    assert len({reply for _, _, reply, _ in nc.sent}) == 3  # one reply subject each


async def test_an_error_ack_or_no_stream_for_the_subject_refuses_the_batch() -> None:
    error = (orjson.dumps({"error": {"code": 503, "description": "storage full"}}),)
    nc = FakeConnection(answer=lambda subject, n: error if n == 2 else ack(n))
    with pytest.raises(PublishRefused, match="storage full"):
        await BatchPublisher(nc).publish(MESSAGES, timeout=1.0)  # type: ignore[arg-type]

    no_stream = (b"", {"Status": "503"})
    nc = FakeConnection(answer=lambda subject, n: no_stream if subject.endswith("b.made") else ack(n))
    with pytest.raises(PublishRefused, match="status 503"):
        await BatchPublisher(nc).publish(MESSAGES, timeout=1.0)  # type: ignore[arg-type]


async def test_a_missing_ack_times_out_and_a_late_one_is_ignored() -> None:
    nc = FakeConnection(answer=lambda subject, n: None if n == 3 else ack(n))
    publisher = BatchPublisher(nc)  # type: ignore[arg-type]
    with pytest.raises(TimeoutError):
        await publisher.publish(MESSAGES, timeout=0.05)
    await nc.cb(FakeMsg(nc.sent[2][2], *ack(3)))  # the ack of the batch that gave up: nothing waits for it
    assert publisher._waiting == {}

    nc.answer = lambda subject, n: ack(n)  # the batch again: new reply subjects, acked
    await asyncio.wait_for(publisher.publish(MESSAGES, timeout=1.0), 1.0)
    assert len({reply for _, _, reply, _ in nc.sent}) == 6


async def test_an_empty_batch_sends_nothing() -> None:
    nc = FakeConnection()
    await BatchPublisher(nc).publish([], timeout=1.0)  # type: ignore[arg-type]
    assert nc.sent == [] and nc.cb is None
