"""What every catalog record shares: optimistic versions, status transitions and change application."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, TypeVar

from catalog.domain.errors import IllegalStatusChange, StaleVersion

ACTIVE = "active"
INACTIVE = "inactive"

# Allowed status transitions of products, customers and price lists.
STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    ACTIVE: frozenset({INACTIVE}),
    INACTIVE: frozenset({ACTIVE}),
}


R = TypeVar("R")


def check_version(current: int, expected: int | None) -> None:
    """`If-Match: <expected>`: a stale version is a conflict; no header means last write wins."""
    if expected is not None and expected != current:
        raise StaleVersion(expected, current)


def check_status_change(current: str, new: str) -> None:
    if new != current and new not in STATUS_TRANSITIONS.get(current, frozenset()):
        raise IllegalStatusChange(f"status cannot change from {current} to {new}")


def apply_changes(record: R, changes: Mapping[str, Any]) -> tuple[R, frozenset[str]]:
    """The record with `changes` applied and its version bumped, and the names of the fields that changed.

    Fields whose new value equals the old one are not changes; with no change the record comes back as it was.
    """
    changed = frozenset(k for k, v in changes.items() if getattr(record, k) != v)
    if not changed:
        return record, changed
    current: Any = record
    if "status" in changed:
        check_status_change(current.status, changes["status"])
    updated = dataclasses.replace(current, **{k: changes[k] for k in changed}, version=current.version + 1)
    return updated, changed


def bump(record: R) -> R:
    """The record as a new version with no field changed (a price list whose prices alone were replaced)."""
    current: Any = record
    bumped: R = dataclasses.replace(current, version=current.version + 1)
    return bumped
