"""Resume from JetStream after a disconnect, resync when the point is gone, several instances, shutdown."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from salessync.embedded import EmbeddedNats
from salessync.testing.tokens import TestKeys

from .conftest import Notifier, User, notifier_settings, running_notifier

TENANT = str(uuid.uuid4())
OTHER_TENANT = str(uuid.uuid4())
MANAGER = User(TENANT, "manager")


def placed(n: int) -> dict[str, object]:
    return {"order_id": str(uuid.uuid4()), "number": f"ORD-{n:04d}", "salesman_id": str(uuid.uuid4()), "total": "1.00"}


@pytest.fixture(scope="module")
async def second(database_url: str, embedded_nats: EmbeddedNats, test_keys: TestKeys) -> AsyncIterator[Notifier]:
    """Another notifier instance on the same database and stream (as a second replica)."""
    settings = notifier_settings(database_url, embedded_nats, test_keys)
    async with running_notifier(settings, test_keys, embedded_nats.url) as running:
        yield running


async def test_a_client_that_missed_100_events_gets_all_of_them_in_order_then_live_ones(
    notifier: Notifier, second: Notifier
) -> None:
    socket = await notifier.connect(MANAGER)
    first = await notifier.publish(TENANT, "order.placed", placed(0))
    frame, _ = await socket.until(lambda f: f["event"] == "order:created")
    last_id = frame["id"]
    assert last_id == str(first)
    await socket.close()

    missed = []
    for n in range(1, 101):
        missed.append(await notifier.publish(TENANT, "order.placed", placed(n)))
        await notifier.publish(OTHER_TENANT, "order.placed", placed(n))
    back = await second.connect(MANAGER, last_id=last_id)  # another instance: nothing depends on which
    assert back.ready["last_id"] == last_id
    live = await notifier.publish(TENANT, "order.placed", placed(101))
    received = []
    while len(received) < 101:
        frame = await back.next()
        if frame["event"] == "order:created":
            received.append(frame)
    assert [int(f["id"]) for f in received] == [*missed, live]
    assert [f["data"]["number"] for f in received] == [f"ORD-{n:04d}" for n in range(1, 102)]
    await back.close()


async def test_a_client_resuming_while_events_keep_coming_gets_no_gap_and_no_duplicate(notifier: Notifier) -> None:
    start = await notifier.publish(TENANT, "order.placed", placed(0))
    for n in range(1, 30):
        await notifier.publish(TENANT, "order.placed", placed(n))
    socket = await notifier.connect(MANAGER, last_id=str(start))
    published = [await notifier.publish(TENANT, "order.placed", placed(n)) for n in range(30, 60)]
    ids = []
    while not ids or ids[-1] != published[-1]:
        frame = await socket.next()
        if frame["event"] == "order:created":
            ids.append(int(frame["id"]))
    assert ids == sorted(set(ids)) and len(ids) == 59
    await socket.close()


async def test_a_last_id_older_than_the_stream_gets_a_resync_frame(notifier: Notifier) -> None:
    old = await notifier.publish(TENANT, "order.placed", placed(0))
    newest = await notifier.publish(TENANT, "order.placed", placed(1))
    await notifier.nc.jetstream().purge_stream("SALESSYNC", seq=newest)  # drops everything before `newest`
    socket = await notifier.connect(MANAGER, last_id=str(old - 1))
    resync = await socket.next()
    assert resync["event"] == "resync"
    live = await notifier.publish(TENANT, "order.placed", placed(2))
    frame, _ = await socket.until(lambda f: f["event"] == "order:created")
    assert frame["id"] == str(live)
    await socket.close()


async def test_a_last_id_from_the_future_gets_a_resync_frame(notifier: Notifier) -> None:
    socket = await notifier.connect(MANAGER, last_id="99999999")
    assert (await socket.next())["event"] == "resync"
    await socket.close()


async def test_both_instances_deliver_live_events_to_their_own_sockets(notifier: Notifier, second: Notifier) -> None:
    one, two = await notifier.connect(MANAGER), await second.connect(MANAGER)
    seq = await notifier.publish(TENANT, "stock.low", {"product_name": "Cola", "location_name": "Main", "available": 1})
    for socket in (one, two):
        frame, _ = await socket.until(lambda f: f["event"] == "inventory:alert")
        assert frame["id"] == str(seq)
    await one.close()
    await two.close()


async def test_a_notifier_that_shuts_down_closes_its_sockets_with_1012(
    database_url: str, embedded_nats: EmbeddedNats, test_keys: TestKeys
) -> None:
    settings = notifier_settings(database_url, embedded_nats, test_keys)
    async with running_notifier(settings, test_keys, embedded_nats.url) as third:
        socket = await third.connect(MANAGER)
    assert await socket.closed_with() == 1012
