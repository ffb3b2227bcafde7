"""Customer commands: one transaction each, events through the outbox."""

from __future__ import annotations

from catalog.adapters import customers
from catalog.domain.customers import Customer, check_position, events_for_change
from catalog.domain.errors import RecordNotFound
from catalog.domain.records import INACTIVE, apply_changes, check_version
from catalog.service_layer import references
from catalog.service_layer.commands import Change, Create, Remove
from catalog.service_layer.events import publish
from salessync.db import Tx


async def create_customer(tx: Tx, cmd: Create) -> str:
    conn = await tx.raw()
    customer = Customer(id=cmd.record_id, tenant_id=cmd.tenant_id, **cmd.fields)
    check_position(customer.latitude, customer.longitude)
    await references.check(conn, cmd.tenant_id, cmd.fields)
    body = await customers.insert(conn, customer)
    await publish(tx, cmd.tenant_id, customer.id, [("customer.created", customer.snapshot())])
    return body


async def change_customer(tx: Tx, cmd: Change) -> str:
    conn = await tx.raw()
    current = await _locked(conn, cmd)
    check_version(current.version, cmd.expected_version)
    updated, changed = apply_changes(current, cmd.changes)
    if not changed:
        return await customers.get_json(conn, cmd.tenant_id, current.id) or ""
    check_position(updated.latitude, updated.longitude)
    await references.check(conn, cmd.tenant_id, {k: cmd.changes[k] for k in changed})
    body = await customers.update(conn, updated)
    await publish(tx, cmd.tenant_id, current.id, events_for_change(updated, changed))
    return body


async def deactivate_customer(tx: Tx, cmd: Remove) -> None:
    """DELETE deactivates: orders and visits elsewhere refer to customers, which catalog cannot see."""
    conn = await tx.raw()
    current = await _locked(conn, cmd)
    updated, changed = apply_changes(current, {"status": INACTIVE})
    if changed:
        await customers.update(conn, updated)
        await publish(tx, cmd.tenant_id, current.id, events_for_change(updated, changed))


async def _locked(conn: object, cmd: Change | Remove) -> Customer:
    customer = await customers.get_for_update(conn, cmd.tenant_id, cmd.record_id)
    if customer is None:
        raise RecordNotFound("customer not found")
    return customer
