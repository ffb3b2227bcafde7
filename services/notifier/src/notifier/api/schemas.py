"""Response shapes of the notifier's HTTP API."""

from __future__ import annotations

from pydantic import BaseModel


class ActivityOut(BaseModel):
    type: str
    id: str
    reference: str | None
    description: str
    actor: str | None
    customer: str | None
    amount: str | None
    status: str | None
    occurred_at: str


class ActivityPage(BaseModel):
    items: list[ActivityOut]
    limit: int
    next_before: str | None


class NotificationOut(BaseModel):
    id: str
    user_id: str
    kind: str
    title: str
    body: str
    reference: str | None
    source_event_id: str
    created_at: str
    read_at: str | None
    read: bool


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    page: int
    limit: int
    total: int
    pages: int
