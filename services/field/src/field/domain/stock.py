"""Stock levels as pure arithmetic: apply signed changes to locked levels, refuse any that would go negative.

A `StockChange` moves `on_hand` (written to the ledger under `kind`) and/or `reserved` (kept per order, not in
the ledger). `plan_changes` works on the levels as read under lock and answers the new levels, the shortages
(nothing may then be written) and the levels that crossed below their reorder level.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace

Key = tuple[uuid.UUID, uuid.UUID]  # (location_id, product_id)


@dataclass(frozen=True, slots=True)
class StockChange:
    location_id: uuid.UUID
    product_id: uuid.UUID
    on_hand: int = 0
    reserved: int = 0
    kind: str | None = None  # the ledger kind when on_hand changes

    @property
    def key(self) -> Key:
        return (self.location_id, self.product_id)


@dataclass(frozen=True, slots=True)
class Level:
    location_id: uuid.UUID
    product_id: uuid.UUID
    on_hand: int = 0
    reserved: int = 0
    reorder_level: int = 0
    is_low: bool = False

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    @property
    def key(self) -> Key:
        return (self.location_id, self.product_id)

    def below_reorder(self) -> bool:
        return self.reorder_level > 0 and self.available <= self.reorder_level


@dataclass(frozen=True, slots=True)
class Shortage:
    location_id: uuid.UUID
    product_id: uuid.UUID
    requested: int
    available: int

    def as_dict(self) -> dict[str, object]:
        return {
            "location_id": str(self.location_id),
            "product_id": str(self.product_id),
            "requested": self.requested,
            "available": self.available,
        }


@dataclass(frozen=True, slots=True)
class Plan:
    levels: dict[Key, Level]
    shortages: list[Shortage]
    went_low: list[Level]

    @property
    def ok(self) -> bool:
        return not self.shortages


def plan_changes(current: dict[Key, Level], changes: list[StockChange]) -> Plan:
    """New levels after `changes`; a level whose on_hand, reserved or available would go below zero is a
    shortage. `is_low` is set when a level crosses to or below its reorder level and cleared above it."""
    after = dict(current)
    requested: dict[Key, int] = {}
    for change in changes:
        level = after.get(change.key) or Level(change.location_id, change.product_id)
        after[change.key] = replace(
            level, on_hand=level.on_hand + change.on_hand, reserved=level.reserved + change.reserved
        )
        taken = max(0, -change.on_hand) + max(0, change.reserved)
        requested[change.key] = requested.get(change.key, 0) + taken
    # Only the levels the changes touch can change (a reservation batch plans each order against every level it
    # locked, so looking at all of them made planning quadratic in the batch).
    shortages = []
    went_low = []
    for key in requested:
        level = after[key]
        if level.on_hand < 0 or level.reserved < 0 or level.available < 0:
            had = current.get(key)
            shortages.append(Shortage(key[0], key[1], requested[key], had.available if had else 0))
        low = level.below_reorder()
        if low != level.is_low:
            after[key] = replace(level, is_low=low)
            if low:
                went_low.append(after[key])
    return Plan(levels=after, shortages=shortages, went_low=went_low if not shortages else [])
