"""Parsing snapshot events of catalog and identity into field's copies; a malformed one is a terminal error."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from salessync.errors import InvalidInput
from salessync.events import Event


def tenant_of(event: Event) -> uuid.UUID:
    return _uuid(event.tenant_id, "tenant_id")


def occurred_at(event: Event) -> datetime:
    try:
        return datetime.fromisoformat(event.occurred_at)
    except ValueError as exc:
        raise InvalidInput("occurred_at", "must be an ISO-8601 time") from exc


def _uuid(value: Any, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise InvalidInput(field, "must be a UUID") from exc


def _int(value: Any, field: str, default: int = 0) -> int:
    if value is None:
        return default
    try:
        return int(Decimal(str(value)))
    except (InvalidOperation, ValueError) as exc:
        raise InvalidInput(field, "must be a number") from exc


def _decimal(value: Any, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise InvalidInput(field, "must be a number") from exc


def product_snapshot(payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": _uuid(payload.get("id"), "id"),
        "code": payload.get("code"),
        "name": payload.get("name"),
        "unit": payload.get("unit"),
        "reorder_level": _int(payload.get("reorder_level"), "reorder_level"),
        "status": str(payload.get("status") or "active"),
        "version": _int(payload.get("version"), "version"),
    }


def customer_snapshot(payload: dict[str, Any]) -> dict[str, Any]:
    radius = payload.get("geofence_radius_m")
    return {
        "id": _uuid(payload.get("id"), "id"),
        "name": payload.get("name"),
        "latitude": _decimal(payload.get("latitude"), "latitude"),
        "longitude": _decimal(payload.get("longitude"), "longitude"),
        "geofence_radius_m": None if radius is None else _int(radius, "geofence_radius_m"),
        "status": str(payload.get("status") or "active"),
        "version": _int(payload.get("version"), "version"),
    }


def user_snapshot(payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": _uuid(payload.get("id"), "id"),
        "name": payload.get("name"),
        "role": payload.get("role"),
        "status": str(payload.get("status") or "active"),
    }
