"""The customer (an outlet): its snapshot for other services and which events a change publishes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from catalog.domain.records import ACTIVE, INACTIVE
from catalog.domain.values import money, optional_str
from salessync.errors import InvalidInput

CUSTOMER_TYPES = ("retail", "wholesale", "supermarket", "kiosk", "pharmacy", "horeca", "other")
DEFAULT_GEOFENCE_M = 100


@dataclass(frozen=True, slots=True)
class Customer:
    id: uuid.UUID
    tenant_id: uuid.UUID
    code: str
    name: str
    type: str = "retail"
    contact_name: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    geofence_radius_m: int = DEFAULT_GEOFENCE_M
    route: str | None = None
    credit_limit: Decimal = Decimal("0")
    payment_terms_days: int = 0
    price_list_id: uuid.UUID | None = None
    status: str = ACTIVE
    version: int = 1

    def snapshot(self) -> dict[str, Any]:
        """The payload of customer.* events (docs/events.md), exactly these fields."""
        return {
            "id": str(self.id),
            "code": self.code,
            "name": self.name,
            "type": self.type,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "geofence_radius_m": self.geofence_radius_m,
            "route": self.route,
            "credit_limit": money(self.credit_limit),
            "payment_terms_days": self.payment_terms_days,
            "price_list_id": optional_str(self.price_list_id),
            "status": self.status,
            "version": self.version,
        }


def events_for_change(after: Customer, changed: frozenset[str]) -> list[tuple[str, dict[str, Any]]]:
    """`customer.deactivated` when it went inactive, else `customer.updated`; nothing when nothing changed."""
    if not changed:
        return []
    went_inactive = "status" in changed and after.status == INACTIVE
    return [("customer.deactivated" if went_inactive else "customer.updated", after.snapshot())]


def check_position(latitude: float | None, longitude: float | None) -> None:
    """A position is both coordinates or neither."""
    if latitude is None and longitude is not None:
        raise InvalidInput("latitude", "is required when longitude is given")
    if longitude is None and latitude is not None:
        raise InvalidInput("longitude", "is required when latitude is given")
