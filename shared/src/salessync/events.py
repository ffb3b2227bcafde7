"""The event envelope (ARCHITECTURE.md) and subjects `salessync.<tenant_id>.<aggregate>.<event>`."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from salessync.context import request_id_var

SUBJECT_PREFIX = "salessync"
_TOKEN = re.compile(r"^[a-z][a-z0-9_]*$")
_TENANT = re.compile(r"^[A-Za-z0-9-]+$")


class InvalidEvent(ValueError):
    """An envelope or subject that does not follow the contract; a consumer terminates such a message."""


def subject_for(tenant_id: str, event_type: str) -> str:
    """`order.placed` for tenant T -> `salessync.T.order.placed` (always four tokens)."""
    parts = event_type.split(".")
    if len(parts) != 2 or not all(_TOKEN.match(p) for p in parts):
        raise InvalidEvent(f"event type must be '<aggregate>.<event>' in lower snake_case: {event_type!r}")
    if not _TENANT.match(str(tenant_id)):
        raise InvalidEvent(f"tenant id is not a valid subject token: {tenant_id!r}")
    return f"{SUBJECT_PREFIX}.{tenant_id}.{event_type}"


def subscription_subject(event_type: str, tenant_id: str = "*") -> str:
    subject_for("t", event_type)  # validates the type
    return f"{SUBJECT_PREFIX}.{tenant_id}.{event_type}"


@dataclass(frozen=True, slots=True)
class Event:
    event_id: str
    type: str
    version: int
    tenant_id: str
    aggregate_id: str
    occurred_at: str
    producer: str
    correlation_id: str | None
    causation_id: str | None
    payload: dict[str, Any] = field(default_factory=dict)

    @property
    def subject(self) -> str:
        return subject_for(self.tenant_id, self.type)


def new_event(
    event_type: str,
    *,
    tenant_id: Any,
    aggregate_id: Any,
    payload: dict[str, Any],
    producer: str,
    causation_id: str | None = None,
    correlation_id: str | None = None,
    version: int = 1,
) -> Event:
    subject_for(str(tenant_id), event_type)
    return Event(
        event_id=str(uuid.uuid4()),
        type=event_type,
        version=version,
        tenant_id=str(tenant_id),
        aggregate_id=str(aggregate_id),
        occurred_at=datetime.now(UTC).isoformat(),
        producer=producer,
        correlation_id=correlation_id or request_id_var.get(),
        causation_id=causation_id,
        payload=payload,
    )


def encode_event(event: Event) -> bytes:
    """The envelope as JSON. orjson writes the dataclass itself, fields in order: `dataclasses.asdict` first
    deep-copied the payload, which was most of the cost of encoding an event."""
    return orjson.dumps(event, default=str)


_FIELDS = set(Event.__dataclass_fields__)
_REQUIRED = _FIELDS - {"correlation_id", "causation_id", "payload"}


def decode_event(data: bytes) -> Event:
    try:
        raw = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise InvalidEvent(f"not JSON: {exc}") from exc
    if not isinstance(raw, dict) or not _REQUIRED <= raw.keys():
        raise InvalidEvent("envelope lacks required fields")
    if not isinstance(raw.get("payload", {}), dict):
        raise InvalidEvent("payload must be an object")
    return Event(**{k: v for k, v in raw.items() if k in _FIELDS})
