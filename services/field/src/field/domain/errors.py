"""Field's business-rule failures; the shared web layer maps each family to its status once."""

from __future__ import annotations

from salessync.errors import Conflict, DomainError, NotFound


class InsufficientStock(Conflict):
    code = "insufficient_stock"
    title = "Insufficient stock"


class IllegalTransition(Conflict):
    code = "illegal_transition"
    title = "Illegal status change"


class DuplicateRecord(Conflict):
    code = "duplicate"
    title = "Duplicate"


class LocationInUse(Conflict):
    code = "location_in_use"
    title = "Location in use"


class OpenVanLoadExists(Conflict):
    code = "open_van_load_exists"
    title = "The van already has an open load"


class OutOfGeofence(Conflict):
    code = "out_of_geofence"
    title = "Check-in outside the customer's geofence"


class StaleVersion(Conflict):
    code = "stale_version"
    title = "Stale version"


class LocationNotFound(NotFound):
    code = "location_not_found"
    title = "Location not found"


class SameLocation(DomainError):
    """The same location on both sides of a transfer: a malformed request (400) naming the field."""

    code = "same_location"
    title = "Bad request"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.errors = [{"field": field, "message": message}]
