"""The frame protocol of ARCHITECTURE.md ("Real time"): one JSON object per frame, with `event` and `data`.

Server events carry the stream sequence as `id`; replies to a client event carry its `ref`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

# Close codes
BAD_TOKEN = 4401
TENANT_SUSPENDED = 4403
TOO_BIG = 1009
RESTARTING = 1012
TRY_LATER = 1013


def _dumps(frame: dict[str, Any]) -> str:
    return orjson.dumps(frame, default=str).decode()


def event_frame(name: str, seq: int, data: dict[str, Any], ts: str) -> str:
    return _dumps({"event": name, "id": str(seq), "data": data, "ts": ts})


def control_frame(name: str, data: dict[str, Any]) -> str:
    return _dumps({"event": name, "data": data})


def ack_frame(ref: Any, data: dict[str, Any]) -> str:
    return _dumps({"event": "ack", "ref": ref, "data": data})


def error_frame(
    ref: Any,
    status: int,
    title: str,
    *,
    errors: list[dict[str, Any]] | None = None,
    detail: str | None = None,
    **extra: Any,
) -> str:
    data: dict[str, Any] = {"status": status, "title": title, "errors": errors or []}
    if detail:
        data["detail"] = detail
    data.update(extra)
    return _dumps({"event": "error", "ref": ref, "data": data})


class BadFrame(ValueError):
    """A frame that is not a JSON object with a string `event` (and an object `data`, if any)."""

    def __init__(self, title: str, ref: Any = None) -> None:
        super().__init__(title)
        self.title = title
        self.ref = ref


@dataclass(frozen=True, slots=True)
class ClientFrame:
    event: str
    ref: Any
    data: dict[str, Any]


def parse_client_frame(text: str | bytes) -> ClientFrame:
    try:
        raw = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise BadFrame("frame is not valid JSON") from exc
    if not isinstance(raw, dict):
        raise BadFrame("frame must be a JSON object")
    ref = raw.get("ref")
    if ref is not None and not isinstance(ref, str | int):
        raise BadFrame("ref must be a string or a number")
    event = raw.get("event")
    if not isinstance(event, str) or not event:
        raise BadFrame("event must be a non-empty string", ref)
    data = raw.get("data", {})
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise BadFrame("data must be a JSON object", ref)
    return ClientFrame(event=event, ref=ref, data=data)
