"""A visit to a customer: planned, checked in on site (geofenced on the server), checked out, or cancelled."""

from __future__ import annotations

import math
from dataclasses import dataclass

from field.domain.errors import IllegalTransition

TRANSITIONS: dict[str, tuple[str, str]] = {
    "check_in": ("planned", "checked_in"),
    "check_out": ("checked_in", "checked_out"),
    "cancel": ("planned", "cancelled"),
}
OUTCOMES = ("order_taken", "no_order", "closed", "owner_absent", "rescheduled", "other")
EARTH_RADIUS_M = 6_371_008.8


def next_status(status: str, action: str) -> str:
    source, target = TRANSITIONS[action]
    if status != source:
        raise IllegalTransition(f"cannot {action.replace('_', ' ')} a visit that is {status}", current_status=status)
    return target


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True, slots=True)
class GeofenceCheck:
    distance_m: float | None
    radius_m: int
    out_of_geofence: bool


def check_geofence(
    latitude: float,
    longitude: float,
    accuracy_m: float,
    customer_latitude: float | None,
    customer_longitude: float | None,
    radius_m: int,
) -> GeofenceCheck:
    """Outside when farther than the radius, when the fix is less precise than the radius, or when the customer
    has no position to compare with."""
    if customer_latitude is None or customer_longitude is None:
        return GeofenceCheck(None, radius_m, True)
    distance = haversine_m(latitude, longitude, customer_latitude, customer_longitude)
    return GeofenceCheck(round(distance, 1), radius_m, distance > radius_m or accuracy_m > radius_m)
