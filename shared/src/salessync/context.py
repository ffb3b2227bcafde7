"""Per-request and per-event context (request id, tenant) carried through logs and events."""

from __future__ import annotations

from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
tenant_id_var: ContextVar[str | None] = ContextVar("tenant_id", default=None)
event_id_var: ContextVar[str | None] = ContextVar("event_id", default=None)
