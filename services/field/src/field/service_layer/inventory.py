"""Inventory commands: adjust one level, transfer between two locations, override a reorder level."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from field.adapters import locations_repo
from field.adapters.stock_repo import Cause
from field.domain.errors import LocationInUse, LocationNotFound, SameLocation
from field.domain.stock import StockChange
from field.service_layer.stock import PRODUCER, move_stock, try_move_stock
from salessync.auth import Principal
from salessync.db import Tx
from salessync.errors import InvalidInput
from salessync.events import new_event

KIND_BY_REASON = {"receipt": "receipt", "damage": "damage", "expiry": "damage"}


@dataclass(frozen=True, slots=True)
class AdjustStock:
    location_id: uuid.UUID
    product_id: uuid.UUID
    quantity: int
    reason: str


@dataclass(frozen=True, slots=True)
class TransferStock:
    from_location_id: uuid.UUID
    to_location_id: uuid.UUID
    lines: list[tuple[uuid.UUID, int]]
    reason: str = "transfer"


async def _active_location(tx: Tx, tenant_id: uuid.UUID, location_id: uuid.UUID, field: str) -> dict[str, Any]:
    row = await locations_repo.get(await tx.raw(), tenant_id, location_id)
    if row is None:
        raise LocationNotFound(f"{field}: location {location_id} not found", field=field)
    if row["status"] != "active":
        raise LocationInUse(f"{field}: location {location_id} is inactive", field=field)
    return row


async def adjust_stock(tx: Tx, principal: Principal, cmd: AdjustStock) -> dict[str, Any]:
    if cmd.reason == "receipt" and cmd.quantity < 0:
        raise InvalidInput("quantity", "a receipt must be positive")
    if cmd.reason in ("damage", "expiry") and cmd.quantity > 0:
        raise InvalidInput("quantity", f"a {cmd.reason} write-off must be negative")
    await _active_location(tx, principal.tenant_id, cmd.location_id, "location_id")
    change = StockChange(
        cmd.location_id, cmd.product_id, on_hand=cmd.quantity, kind=KIND_BY_REASON.get(cmd.reason, "adjustment")
    )
    cause = Cause("adjustment", uuid.uuid4(), principal.user_id, cmd.reason)
    applied = await move_stock(tx, principal.tenant_id, [change], cause)
    level = applied.plan.levels[change.key]
    await tx.add_event(
        new_event(
            "stock.adjusted",
            tenant_id=principal.tenant_id,
            aggregate_id=cmd.product_id,
            producer=PRODUCER,
            payload={
                "location_id": str(cmd.location_id),
                "product_id": str(cmd.product_id),
                "quantity": cmd.quantity,
                "reason": cmd.reason,
                "actor_id": str(principal.user_id),
            },
        )
    )
    movement = applied.movements[0]
    return {
        "id": cause.id,
        "movement_id": movement["id"],
        "location_id": cmd.location_id,
        "product_id": cmd.product_id,
        "quantity": cmd.quantity,
        "kind": movement["kind"],
        "reason": cmd.reason,
        "on_hand": level.on_hand,
        "reserved": level.reserved,
        "available": level.available,
        "actor_id": principal.user_id,
        "at": movement["at"],
    }


async def transfer_stock(tx: Tx, principal: Principal, cmd: TransferStock) -> dict[str, Any]:
    if cmd.from_location_id == cmd.to_location_id:
        raise SameLocation("to_location_id", "must differ from from_location_id")
    await _active_location(tx, principal.tenant_id, cmd.from_location_id, "from_location_id")
    await _active_location(tx, principal.tenant_id, cmd.to_location_id, "to_location_id")
    changes: list[StockChange] = []
    for product_id, quantity in cmd.lines:
        changes.append(StockChange(cmd.from_location_id, product_id, on_hand=-quantity, kind="transfer_out"))
        changes.append(StockChange(cmd.to_location_id, product_id, on_hand=quantity, kind="transfer_in"))
    cause = Cause("transfer", uuid.uuid4(), principal.user_id, cmd.reason)
    applied = await move_stock(tx, principal.tenant_id, changes, cause)
    for product_id, quantity in cmd.lines:
        await tx.add_event(
            new_event(
                "stock.transferred",
                tenant_id=principal.tenant_id,
                aggregate_id=product_id,
                producer=PRODUCER,
                payload={
                    "location_id": str(cmd.from_location_id),
                    "to_location_id": str(cmd.to_location_id),
                    "product_id": str(product_id),
                    "quantity": quantity,
                    "reason": cmd.reason,
                    "actor_id": str(principal.user_id),
                },
            )
        )
    return {
        "id": cause.id,
        "from_location_id": cmd.from_location_id,
        "to_location_id": cmd.to_location_id,
        "lines": [{"product_id": p, "quantity": q} for p, q in cmd.lines],
        "reason": cmd.reason,
        "actor_id": principal.user_id,
        "at": applied.movements[0]["at"],
    }


async def set_reorder_level(
    tx: Tx, principal: Principal, location_id: uuid.UUID, product_id: uuid.UUID, reorder_level: int | None
) -> dict[str, Any]:
    """Override (or with null, stop overriding) the product's reorder level at one location."""
    await _active_location(tx, principal.tenant_id, location_id, "location_id")
    raw = await tx.raw()
    await raw.execute(
        "INSERT INTO stock_levels (tenant_id, location_id, product_id, reorder_level) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (tenant_id, location_id, product_id) DO UPDATE SET reorder_level = EXCLUDED.reorder_level",
        principal.tenant_id,
        location_id,
        product_id,
        reorder_level,
    )
    change = StockChange(location_id, product_id)
    applied = await try_move_stock(tx, principal.tenant_id, [change], Cause("reorder_level", None, principal.user_id))
    level = applied.plan.levels[change.key]
    return {
        "location_id": location_id,
        "product_id": product_id,
        "on_hand": level.on_hand,
        "reserved": level.reserved,
        "available": level.available,
        "reorder_level": level.reorder_level,
        "low_stock": level.is_low,
    }
