"""Product commands: one transaction each, events through the outbox."""

from __future__ import annotations

from catalog.adapters import products
from catalog.domain.errors import RecordNotFound
from catalog.domain.products import Product, events_for_change
from catalog.domain.records import INACTIVE, apply_changes, check_version
from catalog.service_layer import references
from catalog.service_layer.commands import Change, Create, Remove
from catalog.service_layer.events import publish
from salessync.db import Tx


async def create_product(tx: Tx, cmd: Create) -> str:
    conn = await tx.raw()
    await references.check(conn, cmd.tenant_id, cmd.fields)
    product = Product(id=cmd.record_id, tenant_id=cmd.tenant_id, **cmd.fields)
    body = await products.insert(conn, product)
    await publish(tx, cmd.tenant_id, product.id, [("product.created", product.snapshot())])
    return body


async def change_product(tx: Tx, cmd: Change) -> str:
    conn = await tx.raw()
    current = await _locked(conn, cmd)
    check_version(current.version, cmd.expected_version)
    updated, changed = apply_changes(current, cmd.changes)
    if not changed:
        return await products.get_json(conn, cmd.tenant_id, current.id) or ""
    await references.check(conn, cmd.tenant_id, {k: cmd.changes[k] for k in changed})
    body = await products.update(conn, updated)
    await publish(tx, cmd.tenant_id, current.id, events_for_change(current, updated, changed))
    return body


async def deactivate_product(tx: Tx, cmd: Remove) -> None:
    """DELETE deactivates: orders and field keep copies of every product and may refer to it, and catalog
    cannot see them, so a product is never erased (it stays readable as `inactive`)."""
    conn = await tx.raw()
    current = await _locked(conn, cmd)
    updated, changed = apply_changes(current, {"status": INACTIVE})
    if changed:
        await products.update(conn, updated)
        await publish(tx, cmd.tenant_id, current.id, events_for_change(current, updated, changed))


async def _locked(conn: object, cmd: Change | Remove) -> Product:
    product = await products.get_for_update(conn, cmd.tenant_id, cmd.record_id)
    if product is None:
        raise RecordNotFound("product not found")
    return product
