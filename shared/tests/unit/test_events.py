"""The event envelope and its subjects."""

from __future__ import annotations

import uuid

import pytest

from salessync.events import InvalidEvent, decode_event, encode_event, new_event, subject_for


def test_a_subject_has_four_tokens() -> None:
    tenant = uuid.uuid4()
    assert subject_for(str(tenant), "order.placed") == f"salessync.{tenant}.order.placed"


@pytest.mark.parametrize("event_type", ["order", "order.placed.now", "Order.Placed", "order.pla ced", "order.*", "a.>"])
def test_a_malformed_event_type_is_refused(event_type: str) -> None:
    with pytest.raises(InvalidEvent):
        subject_for("t1", event_type)


def test_a_tenant_that_would_break_the_subject_is_refused() -> None:
    with pytest.raises(InvalidEvent):
        subject_for("a.b", "order.placed")


def test_an_event_round_trips_through_its_encoding() -> None:
    event = new_event("order.placed", tenant_id=uuid.uuid4(), aggregate_id="o1", payload={"x": 1}, producer="orders")
    assert decode_event(encode_event(event)) == event


@pytest.mark.parametrize("data", [b"{nope", b"[]", b'{"type": "order.placed"}', b'{"payload": 1}'])
def test_a_malformed_envelope_is_invalid(data: bytes) -> None:
    with pytest.raises(InvalidEvent):
        decode_event(data)
