"""The event envelope and its subjects."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import orjson
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


def test_the_encoding_is_the_envelope_as_a_dict_whatever_the_payload_holds() -> None:
    """orjson writes the dataclass directly; the bytes must be those of the envelope as a dict, as consumers and
    the outbox's stored bodies have always had them."""
    payload = {
        "amount": Decimal("12.50"),
        "id": uuid.uuid4(),
        "day": date(2026, 11, 26),
        "at": datetime(2026, 11, 26, 5, 0, tzinfo=UTC),
        "lines": [{"q": 2, "tags": ("a", "b")}],
        "name": 'quote " and ünïcode',
        "none": None,
    }
    event = new_event("order.placed", tenant_id=uuid.uuid4(), aggregate_id="o1", payload=payload, producer="orders")
    assert encode_event(event) == orjson.dumps(dataclasses.asdict(event), default=str)
    assert list(orjson.loads(encode_event(event))) == [f.name for f in dataclasses.fields(event)]


@pytest.mark.parametrize("data", [b"{nope", b"[]", b'{"type": "order.placed"}', b'{"payload": 1}'])
def test_a_malformed_envelope_is_invalid(data: bytes) -> None:
    with pytest.raises(InvalidEvent):
        decode_event(data)
