"""Headers through a real JetStream with the plain header parser: publishes, pulls and an ordered consumer; and the
embedded server's environment."""

from __future__ import annotations

import asyncio

from nats.js.api import ConsumerConfig, DeliverPolicy

from salessync.embedded import EmbeddedNats, nats_environment
from salessync.nats import PlainHeaderParser, connect, ensure_stream


async def test_headers_arrive_as_sent_and_an_ordered_consumer_keeps_going(embedded_nats: EmbeddedNats) -> None:
    nc = await connect(embedded_nats.url, "test-headers")
    try:
        assert isinstance(nc._hdr_parser, PlainHeaderParser)
        js = nc.jetstream()
        await ensure_stream(js)
        sent = {"Nats-Msg-Id": "hdr-1", "X-Note": "a: b"}
        await js.publish("salessync.t.widget.created", b"{}", headers=sent)
        again = await js.publish("salessync.t.widget.created", b"{}", headers={"Nats-Msg-Id": "hdr-1"})
        assert again.duplicate  # the server read the id the client sent

        psub = await js.pull_subscribe("salessync.t.widget.created", durable="hdr-test")
        [msg] = await psub.fetch(1, timeout=2)
        assert msg.headers == sent
        await msg.ack()

        # An ordered consumer reads heartbeats' and flow control's headers; with an idle heartbeat of 0.5 s it
        # must keep delivering what comes after them.
        got: asyncio.Queue[dict[str, str] | None] = asyncio.Queue()

        async def on_message(m) -> None:  # type: ignore[no-untyped-def]
            await got.put(m.headers)

        sub = await js.subscribe(
            "salessync.t.>",
            ordered_consumer=True,
            idle_heartbeat=0.5,
            config=ConsumerConfig(deliver_policy=DeliverPolicy.NEW),
            cb=on_message,
        )
        await asyncio.sleep(1.6)  # heartbeats pass
        await js.publish("salessync.t.widget.updated", b"{}", headers={"Nats-Msg-Id": "hdr-2"})
        assert (await asyncio.wait_for(got.get(), 5))["Nats-Msg-Id"] == "hdr-2"
        await sub.unsubscribe()
    finally:
        await nc.close()


def test_the_embedded_server_runs_with_one_go_thread_unless_told_otherwise(embedded_nats: EmbeddedNats) -> None:
    assert embedded_nats.process is not None
    environ = dict(
        entry.split(b"=", 1) for entry in open(f"/proc/{embedded_nats.process.pid}/environ", "rb").read().split(b"\0")
        if b"=" in entry
    )  # fmt: skip
    assert environ[b"GOMAXPROCS"] == b"1"
    assert nats_environment({"PATH": "/bin"}) == {"PATH": "/bin", "GOMAXPROCS": "1"}
    assert nats_environment({"GOMAXPROCS": "4"})["GOMAXPROCS"] == "4"
