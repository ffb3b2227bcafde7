"""The sockets of this instance, by tenant and by user, and the fan-out of one stream event to them.

A stream event is turned into frames once (one encoding for every recipient) and handed to each local socket
of that tenant allowed to see it. An identity event that revokes a user (deactivated, role changed, no longer
active) closes his sockets with 4401 and is remembered, so a reconnect with the old token is refused at once.
`user.logged_out` closes only the sockets of that login session (the token's `sid`) and remembers the session
until its tokens can no longer be valid. `tenant.suspended` closes every socket of that tenant with 4403 and is
remembered (as is `tenant.reactivated`), so a new auth frame of that tenant is refused at once.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from typing import Any

from prometheus_client import Gauge

from notifier.domain.activity import activity_for
from notifier.domain.routing import ACTIVITY, TENANT_STATUS_EVENTS, client_names, may_see
from notifier.ws.protocol import BAD_TOKEN, TENANT_SUSPENDED, event_frame
from notifier.ws.session import Session
from notifier.ws.wire import text_frame
from salessync.events import Event

REVOKING = frozenset({"user.deactivated", "user.role_changed"})
LOGGED_OUT = "user.logged_out"
ENDED_SESSION_KEEP_S = 3600.0  # longer than an access token lives
OPEN_SOCKETS = Gauge("notifier_websockets_open", "Authenticated WebSockets open on this instance")


def frames_for(seq: int, event: Event, names: list[str]) -> list[str]:
    frames = []
    for name in names:
        if name == ACTIVITY:
            data: dict[str, Any] = activity_for(event.event_id, event.type, event.payload, event.occurred_at).public()
        else:
            data = event.payload
        frames.append(event_frame(name, seq, data, event.occurred_at))
    return frames


class Hub:
    def __init__(self) -> None:
        self.by_tenant: dict[str, set[Session]] = defaultdict(set)
        self.by_user: dict[str, set[Session]] = defaultdict(set)
        self.last_seq = 0
        self.known_users: dict[str, tuple[str, str]] = {}  # user id -> (status, role), from live user.* events
        self.ended_sessions: dict[str, float] = {}  # session id -> when to forget it (monotonic), live events
        self.tenant_status: dict[str, str] = {}  # tenant id -> status, from live tenant.* events
        self.delivered = 0

    def add(self, session: Session) -> None:
        self.by_tenant[session.tenant_id].add(session)
        self.by_user[session.user_id].add(session)
        OPEN_SOCKETS.inc()

    def remove(self, session: Session) -> None:
        if session not in self.by_user.get(session.user_id, ()):
            return
        OPEN_SOCKETS.dec()
        for index, key in ((self.by_tenant, session.tenant_id), (self.by_user, session.user_id)):
            group = index.get(key)
            if group is not None:
                group.discard(session)
                if not group:
                    del index[key]

    def revoked(self, user_id: str, role: str) -> bool | None:
        """True/False when a live user.* event told us; None when this instance has seen none for him."""
        known = self.known_users.get(user_id)
        if known is None:
            return None
        status, current_role = known
        return status != "active" or current_role != role

    def session_ended(self, session_id: str) -> bool:
        """True when a live `user.logged_out` ended this login session (this instance saw it)."""
        return bool(session_id) and self.ended_sessions.get(session_id, 0.0) > time.monotonic()

    def tenant_suspended(self, tenant_id: str) -> bool | None:
        """True/False when a live tenant.* event told us; None when this instance has seen none for the tenant."""
        status = self.tenant_status.get(tenant_id)
        return None if status is None else status == "suspended"

    def dispatch(self, seq: int, event: Event) -> None:
        if seq > self.last_seq:
            self.last_seq = seq
        if event.type.startswith("user."):
            self._track_user(event)
        elif event.type in TENANT_STATUS_EVENTS:
            self._track_tenant(event)
        sessions = self.by_tenant.get(event.tenant_id)
        if not sessions:
            return
        names = client_names(event.type)
        if not names:
            return
        frames: list[str] | None = None
        wire = b""
        delivered = 0
        for session in list(sessions):
            if may_see(session.role, session.user_id, event.type, event.payload):
                if frames is None:
                    frames = frames_for(seq, event, names)
                    wire = b"".join(text_frame(frame) for frame in frames)
                session.deliver(seq, frames, wire)
                delivered += 1
        self.delivered += delivered

    def _track_tenant(self, event: Event) -> None:
        status = TENANT_STATUS_EVENTS[event.type]
        self.tenant_status[event.tenant_id] = status
        if status == "suspended":
            for session in list(self.by_tenant.get(event.tenant_id, ())):
                session.close(TENANT_SUSPENDED, "tenant suspended")

    def _end_session(self, event: Event) -> None:
        user_id = str(event.payload.get("id", ""))
        session_id = str(event.payload.get("session_id") or "")
        if not session_id:
            return
        now = time.monotonic()
        if len(self.ended_sessions) > 10_000:
            self.ended_sessions = {k: v for k, v in self.ended_sessions.items() if v > now}
        self.ended_sessions[session_id] = now + ENDED_SESSION_KEEP_S
        for session in list(self.by_user.get(user_id, ())):
            if session.tenant_id == event.tenant_id and session.principal.session_id == session_id:
                session.close(BAD_TOKEN, "logged out")

    def _track_user(self, event: Event) -> None:
        if event.type == LOGGED_OUT:
            self._end_session(event)
            return
        user_id = str(event.payload.get("id", ""))
        status = str(event.payload.get("status") or "active")
        if event.type == "user.deactivated":
            status = "inactive" if status == "active" else status
        role = str(event.payload.get("role", ""))
        self.known_users[user_id] = (status, role)
        if event.type in REVOKING or status != "active":
            for session in list(self.by_user.get(user_id, ())):
                if session.tenant_id == event.tenant_id:
                    session.close(BAD_TOKEN, "access revoked")

    async def close_all(self, code: int, reason: str) -> None:
        sessions = [s for group in self.by_tenant.values() for s in group]
        for session in sessions:
            session.close(code, reason)
        await asyncio.gather(*(s.wait_closed() for s in sessions))
