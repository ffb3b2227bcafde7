"""Catalog's domain errors; the shared web layer maps each family to its status once."""

from __future__ import annotations

from salessync.errors import Conflict, InvalidInput, NotFound


class RecordNotFound(NotFound):
    code = "not_found"


class DuplicateValue(Conflict):
    """A value that must be unique per tenant (a product code, a barcode, a customer code, a name) is taken."""

    code = "duplicate"
    title = "Duplicate value"

    def __init__(self, field: str, value: str = "") -> None:
        super().__init__(f"{field} is already used in this tenant", field=field)


class StaleVersion(Conflict):
    code = "stale_version"
    title = "Stale version"

    def __init__(self, expected: int, current: int) -> None:
        super().__init__(
            f"If-Match version {expected} is stale; the record is at version {current}",
            expected_version=expected,
            current_version=current,
        )


class InUse(Conflict):
    code = "in_use"
    title = "Still in use"


class UnknownReference(InvalidInput):
    """A reference (category_id, brand_id, price_list_id, parent_id, a price's product_id) to nothing in the tenant."""

    code = "unknown_reference"

    def __init__(self, field: str) -> None:
        super().__init__(field, "does not exist in this tenant")


class CategoryCycle(InvalidInput):
    code = "category_cycle"

    def __init__(self) -> None:
        super().__init__("parent_id", "would make the category its own ancestor")


class IllegalStatusChange(Conflict):
    code = "illegal_status_change"
    title = "Illegal status change"
