"""Warehouses and vans: create, change, delete. The tenant's first warehouse is its default."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from field.adapters import locations_repo as repo
from field.domain.errors import DuplicateRecord, LocationInUse, LocationNotFound, StaleVersion
from salessync.auth import Principal
from salessync.db import Tx
from salessync.errors import InvalidInput

_UNIQUE_FIELDS = {
    "uq_locations_van_registration": ("registration", "a van with this registration exists"),
    "uq_locations_warehouse_code": ("code", "a warehouse with this code exists"),
}


def _duplicate(exc: asyncpg.UniqueViolationError) -> DuplicateRecord:
    field, message = _UNIQUE_FIELDS.get(exc.constraint_name or "", ("id", "duplicate"))
    return DuplicateRecord(message, field=field)


async def _save(raw: Any, write: Any) -> None:
    """Run a write in a savepoint so a unique violation becomes a 409 naming the field."""
    try:
        async with raw.transaction():
            await write
    except asyncpg.UniqueViolationError as exc:
        raise _duplicate(exc) from exc


async def get_location(tx: Tx, principal: Principal, location_id: uuid.UUID, kind: str) -> dict[str, Any]:
    row = await repo.get(await tx.raw(), principal.tenant_id, location_id, kind)
    if row is None or (
        kind == "van" and principal.role == "salesman" and row["assigned_salesman_id"] != principal.user_id
    ):
        raise LocationNotFound(f"{kind} {location_id} not found")
    return row


async def create_location(tx: Tx, principal: Principal, kind: str, values: dict[str, Any]) -> dict[str, Any]:
    raw = await tx.raw()
    location_id = uuid.uuid4()
    if kind == "warehouse":
        await repo.lock_tenant_locations(raw, principal.tenant_id)
        first = not await repo.has_default(raw, principal.tenant_id)
        if values.pop("is_default", False) and not first:
            await repo.clear_default(raw, principal.tenant_id)
            first = True
        values["is_default"] = first
    else:
        values.setdefault("name", None)
        values["name"] = values["name"] or values["registration"]
    await _save(raw, repo.insert(raw, principal.tenant_id, {"id": location_id, "kind": kind, **values}))
    row = await repo.get(raw, principal.tenant_id, location_id)
    assert row is not None
    return row


async def update_location(
    tx: Tx, principal: Principal, location_id: uuid.UUID, kind: str, values: dict[str, Any], if_match: int | None
) -> dict[str, Any]:
    raw = await tx.raw()
    if kind == "warehouse" and "is_default" in values:
        await repo.lock_tenant_locations(raw, principal.tenant_id)
    row = await repo.get(raw, principal.tenant_id, location_id, kind, lock=True)
    if row is None:
        raise LocationNotFound(f"{kind} {location_id} not found")
    if if_match is not None and if_match != row["version"]:
        raise StaleVersion(f"version {if_match} is stale; the current version is {row['version']}")
    if "is_default" in values:
        wanted = values.pop("is_default")
        if wanted and not row["is_default"]:
            if row["status"] != "active":
                raise InvalidInput("is_default", "an inactive warehouse cannot be the default")
            await repo.clear_default(raw, principal.tenant_id)
            values["is_default"] = True
        elif not wanted and row["is_default"]:
            raise InvalidInput("is_default", "make another warehouse the default instead")
    if values.get("status") == "inactive":
        await _refuse_if_in_use(raw, principal.tenant_id, row)
    if values:
        await _save(raw, repo.update(raw, principal.tenant_id, location_id, values))
    updated = await repo.get(raw, principal.tenant_id, location_id)
    assert updated is not None
    return updated


async def delete_location(tx: Tx, principal: Principal, location_id: uuid.UUID, kind: str) -> None:
    """Delete a location without history; one with history is deactivated; one holding stock is 409."""
    raw = await tx.raw()
    row = await repo.get(raw, principal.tenant_id, location_id, kind, lock=True)
    if row is None:
        raise LocationNotFound(f"{kind} {location_id} not found")
    await _refuse_if_in_use(raw, principal.tenant_id, row)
    if await repo.has_history(raw, principal.tenant_id, location_id):
        await repo.update(raw, principal.tenant_id, location_id, {"status": "inactive"})
    else:
        await repo.delete(raw, principal.tenant_id, location_id)


async def _refuse_if_in_use(raw: Any, tenant_id: uuid.UUID, row: dict[str, Any]) -> None:
    if row["is_default"]:
        raise LocationInUse("the default warehouse is in use; make another warehouse the default first")
    if await repo.stock_held(raw, tenant_id, row["id"]) > 0:
        raise LocationInUse("the location still holds stock; transfer or adjust it to zero first")
