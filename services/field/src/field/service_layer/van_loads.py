"""Van load commands: plan, load (warehouse → van), depart, return (back to the warehouse, damages written
off), reconcile, approve, cancel. One transaction each; the load row is locked first, so a van sale and a
return never interleave."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import asyncpg

from field.adapters import locations_repo
from field.adapters import van_loads_repo as repo
from field.adapters.stock_repo import Cause
from field.domain.errors import OpenVanLoadExists
from field.domain.stock import StockChange
from field.domain.van_load import VanLoad, VanLoadLine
from field.service_layer.stock import PRODUCER, move_stock
from salessync.auth import Principal
from salessync.db import Tx
from salessync.errors import InvalidInput, NotFound
from salessync.events import new_event
from salessync.types import to_cents


@dataclass(frozen=True, slots=True)
class PlanVanLoad:
    van_id: uuid.UUID
    salesman_id: uuid.UUID
    warehouse_id: uuid.UUID
    lines: list[tuple[uuid.UUID, int]]
    cash_float: Decimal


class VanLoadNotFound(NotFound):
    code = "van_load_not_found"


async def _location(raw: Any, tenant_id: uuid.UUID, location_id: uuid.UUID, kind: str, field: str) -> None:
    row = await locations_repo.get(raw, tenant_id, location_id, kind)
    if row is None or row["status"] != "active":
        raise InvalidInput(field, f"unknown {kind}")


async def plan_van_load(tx: Tx, principal: Principal, cmd: PlanVanLoad) -> uuid.UUID:
    raw = await tx.raw()
    await _location(raw, principal.tenant_id, cmd.van_id, "van", "van_id")
    await _location(raw, principal.tenant_id, cmd.warehouse_id, "warehouse", "warehouse_id")
    load = VanLoad(
        id=uuid.uuid4(),
        van_id=cmd.van_id,
        salesman_id=cmd.salesman_id,
        warehouse_id=cmd.warehouse_id,
        status="planned",
        cash_float=to_cents(cmd.cash_float),
        lines={p: VanLoadLine(p, planned=q) for p, q in cmd.lines},
    )
    try:
        async with raw.transaction():
            await repo.insert(raw, principal.tenant_id, load, principal.user_id)
    except asyncpg.UniqueViolationError as exc:
        raise OpenVanLoadExists("this van already has an open load", field="van_id") from exc
    await _event(tx, principal.tenant_id, load, "van_load.planned")
    return load.id


async def locked(tx: Tx, principal: Principal, load_id: uuid.UUID) -> VanLoad:
    """The load, locked; a salesman reaches only his own (others' are 404)."""
    load = await repo.lock(await tx.raw(), principal.tenant_id, load_id)
    if load is None or (principal.role == "salesman" and load.salesman_id != principal.user_id):
        raise VanLoadNotFound(f"van load {load_id} not found")
    return load


async def load_van(tx: Tx, principal: Principal, load_id: uuid.UUID) -> None:
    load = await locked(tx, principal, load_id)
    load.mark_loaded()
    changes = []
    for line in load.lines.values():
        changes.append(StockChange(load.warehouse_id, line.product_id, on_hand=-line.loaded, kind="load"))
        changes.append(StockChange(load.van_id, line.product_id, on_hand=line.loaded, kind="load"))
    await move_stock(tx, principal.tenant_id, changes, Cause("van_load", load.id, principal.user_id))
    await _save(tx, principal, load, "van_load.loaded")


async def depart(tx: Tx, principal: Principal, load_id: uuid.UUID) -> None:
    load = await locked(tx, principal, load_id)
    load.apply("depart")
    await _save(tx, principal, load, "van_load.departed")


async def cancel(tx: Tx, principal: Principal, load_id: uuid.UUID) -> None:
    load = await locked(tx, principal, load_id)
    load.apply("cancel")
    await _save(tx, principal, load, "van_load.cancelled")


async def return_van(
    tx: Tx, principal: Principal, load_id: uuid.UUID, counts: list[tuple[uuid.UUID, int, int]], cash: Decimal
) -> None:
    """Counted returns go back to the warehouse, damaged units are written off the van."""
    load = await locked(tx, principal, load_id)
    load.record_return(counts, cash)
    changes = []
    for product_id, returned, damaged in counts:
        if returned:
            changes.append(StockChange(load.van_id, product_id, on_hand=-returned, kind="return"))
            changes.append(StockChange(load.warehouse_id, product_id, on_hand=returned, kind="return"))
        if damaged:
            changes.append(StockChange(load.van_id, product_id, on_hand=-damaged, kind="damage"))
    if changes:
        await move_stock(tx, principal.tenant_id, changes, Cause("van_load", load.id, principal.user_id))
    await _save(tx, principal, load, "van_load.returned")


async def reconcile(tx: Tx, principal: Principal, load_id: uuid.UUID) -> None:
    load = await locked(tx, principal, load_id)
    result = load.close()
    await _save(
        tx,
        principal,
        load,
        "van_load.reconciled",
        expected_cash=result.expected_cash,
        cash_variance=result.cash_variance,
    )


async def approve(tx: Tx, principal: Principal, load_id: uuid.UUID, note: str) -> None:
    load = await locked(tx, principal, load_id)
    load.approve()
    await _save(
        tx,
        principal,
        load,
        "van_load.approved",
        note=note,
        approved_by=principal.user_id,
        approved_at=datetime.now(UTC),
    )


async def _save(tx: Tx, principal: Principal, load: VanLoad, event_type: str, **fields: Any) -> None:
    await repo.save(await tx.raw(), principal.tenant_id, load, **fields)
    await _event(tx, principal.tenant_id, load, event_type)


async def _event(tx: Tx, tenant_id: uuid.UUID, load: VanLoad, event_type: str) -> None:
    payload: dict[str, Any] = {
        "van_load_id": str(load.id),
        "van_id": str(load.van_id),
        "salesman_id": str(load.salesman_id),
        "warehouse_id": str(load.warehouse_id),
        "status": load.status,
        "cash_float": f"{to_cents(load.cash_float):.2f}",
    }
    if load.status == "reconciled":
        result = load.reconcile()
        payload.update(
            expected_cash=f"{result.expected_cash:.2f}",
            counted_cash=f"{result.counted_cash:.2f}",
            cash_variance=f"{result.cash_variance:.2f}",
            result=load.result,
        )
    await tx.add_event(
        new_event(event_type, tenant_id=tenant_id, aggregate_id=load.id, producer=PRODUCER, payload=payload)
    )
