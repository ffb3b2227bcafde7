"""Visit commands: plan, check in (server time, server-side geofence), check out, cancel; agent positions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from field.adapters import copies_repo
from field.adapters import visits_repo as repo
from field.domain.errors import OutOfGeofence
from field.domain.visit import check_geofence, next_status
from field.service_layer.stock import PRODUCER
from salessync.auth import Principal
from salessync.db import Tx
from salessync.errors import Forbidden, InvalidInput, NotFound
from salessync.events import new_event


class VisitNotFound(NotFound):
    code = "visit_not_found"


@dataclass(frozen=True, slots=True)
class PlanVisit:
    customer_id: uuid.UUID
    agent_id: uuid.UUID | None
    planned_at: datetime
    purpose: str | None


@dataclass(frozen=True, slots=True)
class CheckIn:
    latitude: float
    longitude: float
    accuracy_m: float
    device_time: datetime | None


@dataclass(frozen=True, slots=True)
class CheckOut:
    outcome: str
    notes: str | None
    photos: list[str]


@dataclass(frozen=True, slots=True)
class Policy:
    """What the settings say when a tenant chose nothing."""

    geofence_policy: str
    default_radius_m: int


def sees_all(principal: Principal) -> bool:
    return principal.is_manager


async def plan_visit(tx: Tx, principal: Principal, cmd: PlanVisit) -> uuid.UUID:
    agent_id = cmd.agent_id or principal.user_id
    if agent_id != principal.user_id and not sees_all(principal):
        raise Forbidden("only managers plan visits for other agents")
    raw = await tx.raw()
    if await copies_repo.get_customer(raw, principal.tenant_id, cmd.customer_id) is None:
        raise InvalidInput("customer_id", "unknown customer")
    visit_id = uuid.uuid4()
    await repo.insert(
        raw,
        principal.tenant_id,
        {
            "id": visit_id,
            "customer_id": cmd.customer_id,
            "agent_id": agent_id,
            "planned_at": cmd.planned_at,
            "purpose": cmd.purpose,
            "status": "planned",
            "created_by": principal.user_id,
        },
    )
    await _event(tx, principal, visit_id, "visit.planned")
    return visit_id


async def get_visit(tx: Tx, principal: Principal, visit_id: uuid.UUID, *, lock: bool = False) -> dict[str, Any]:
    """A visit the principal may see: an agent sees only his own (others' are 404)."""
    visit = await repo.get(await tx.raw(), principal.tenant_id, visit_id, lock=lock)
    if visit is None or (not sees_all(principal) and visit["agent_id"] != principal.user_id):
        raise VisitNotFound(f"visit {visit_id} not found")
    return visit


async def check_in(tx: Tx, principal: Principal, visit_id: uuid.UUID, cmd: CheckIn, policy: Policy) -> None:
    raw = await tx.raw()
    visit = await get_visit(tx, principal, visit_id, lock=True)
    status = next_status(visit["status"], "check_in")
    customer = await copies_repo.get_customer(raw, principal.tenant_id, visit["customer_id"]) or {}
    radius = customer.get("geofence_radius_m") or policy.default_radius_m
    lat, lon = customer.get("latitude"), customer.get("longitude")
    check = check_geofence(
        cmd.latitude,
        cmd.longitude,
        cmd.accuracy_m,
        None if lat is None else float(lat),
        None if lon is None else float(lon),
        radius,
    )
    tenant_policy = await repo.geofence_policy(raw, principal.tenant_id) or policy.geofence_policy
    if check.out_of_geofence and tenant_policy == "refuse":
        raise OutOfGeofence(
            "the check-in is outside the customer's geofence", distance_m=check.distance_m, radius_m=radius
        )
    await repo.update(
        raw,
        principal.tenant_id,
        visit_id,
        {
            "status": status,
            "checked_in_at": datetime.now(UTC),
            "check_in_latitude": cmd.latitude,
            "check_in_longitude": cmd.longitude,
            "accuracy_m": cmd.accuracy_m,
            "device_time": cmd.device_time,
            "distance_m": check.distance_m,
            "out_of_geofence": check.out_of_geofence,
        },
    )
    await _event(tx, principal, visit_id, "visit.checked_in")


async def check_out(tx: Tx, principal: Principal, visit_id: uuid.UUID, cmd: CheckOut) -> None:
    visit = await get_visit(tx, principal, visit_id, lock=True)
    status = next_status(visit["status"], "check_out")
    await repo.update(
        await tx.raw(),
        principal.tenant_id,
        visit_id,
        {
            "status": status,
            "checked_out_at": datetime.now(UTC),
            "outcome": cmd.outcome,
            "notes": cmd.notes,
            "photos": _json_list(cmd.photos),
        },
    )
    await _event(tx, principal, visit_id, "visit.checked_out")


async def cancel_visit(tx: Tx, principal: Principal, visit_id: uuid.UUID, reason: str | None) -> None:
    visit = await get_visit(tx, principal, visit_id, lock=True)
    status = next_status(visit["status"], "cancel")
    await repo.update(await tx.raw(), principal.tenant_id, visit_id, {"status": status, "cancel_reason": reason})
    await _event(tx, principal, visit_id, "visit.cancelled")


async def replan_visit(tx: Tx, principal: Principal, visit_id: uuid.UUID, values: dict[str, Any]) -> None:
    """Only a planned visit's time and purpose change; status and check times never do by PATCH."""
    visit = await get_visit(tx, principal, visit_id, lock=True)
    next_status(visit["status"], "cancel")  # the same rule: only while planned
    if values:
        await repo.update(await tx.raw(), principal.tenant_id, visit_id, values)


def _json_list(items: list[str]) -> str:
    return orjson.dumps(items).decode()


async def _event(tx: Tx, principal: Principal, visit_id: uuid.UUID, event_type: str) -> None:
    visit = await repo.get(await tx.raw(), principal.tenant_id, visit_id)
    assert visit is not None
    payload: dict[str, Any] = {
        "visit_id": str(visit_id),
        "customer_id": str(visit["customer_id"]),
        "customer_name": visit["customer_name"],
        "agent_id": str(visit["agent_id"]),
        "status": visit["status"],
        "planned_at": visit["planned_at"].isoformat(),
    }
    if visit["checked_in_at"]:
        payload.update(
            checked_in_at=visit["checked_in_at"].isoformat(),
            distance_m=visit["distance_m"],
            out_of_geofence=visit["out_of_geofence"],
        )
    if visit["checked_out_at"]:
        payload.update(checked_out_at=visit["checked_out_at"].isoformat(), outcome=visit["outcome"])
    await tx.add_event(
        new_event(event_type, tenant_id=principal.tenant_id, aggregate_id=visit_id, producer=PRODUCER, payload=payload)
    )


async def record_location(
    tx: Tx, principal: Principal, latitude: float, longitude: float, accuracy_m: float, recorded_at: datetime | None
) -> dict[str, Any]:
    at = recorded_at or datetime.now(UTC)
    await repo.record_position(
        await tx.raw(), principal.tenant_id, principal.user_id, latitude, longitude, accuracy_m, at
    )
    payload = {
        "agent_id": str(principal.user_id),
        "latitude": latitude,
        "longitude": longitude,
        "accuracy_m": accuracy_m,
        "recorded_at": at.isoformat(),
    }
    await tx.add_event(
        new_event(
            "location.recorded", tenant_id=principal.tenant_id, aggregate_id=principal.user_id, producer=PRODUCER,
            payload=payload,
        )
    )  # fmt: skip
    return payload


async def forget_old_locations(tx: Tx, retention_days: int) -> int:
    return await repo.forget_positions_before(await tx.raw(), datetime.now(UTC) - timedelta(days=retention_days))
