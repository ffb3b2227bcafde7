"""Category and brand commands. Categories form a tree: a move that would close a cycle is refused."""

from __future__ import annotations

from typing import Any

from catalog.adapters import taxonomy
from catalog.domain.categories import Brand, Category, check_parent
from catalog.domain.errors import RecordNotFound
from catalog.domain.records import apply_changes, check_version
from catalog.service_layer import references
from catalog.service_layer.commands import Change, Create, Remove
from salessync.db import Tx

KINDS: dict[str, type[Category] | type[Brand]] = {"categories": Category, "brands": Brand}
SINGULAR = {"categories": "category", "brands": "brand"}


async def create(tx: Tx, table: str, cmd: Create) -> str:
    conn = await tx.raw()
    if table == "categories":
        await taxonomy.lock_tree(conn, cmd.tenant_id)
    await references.check(conn, cmd.tenant_id, cmd.fields)
    record: Any = KINDS[table](id=cmd.record_id, tenant_id=cmd.tenant_id, **cmd.fields)
    return await taxonomy.insert(conn, table, record)


async def change(tx: Tx, table: str, cmd: Change) -> str:
    conn = await tx.raw()
    if table == "categories":
        await taxonomy.lock_tree(conn, cmd.tenant_id)
    current = await taxonomy.get_for_update(conn, table, cmd.tenant_id, cmd.record_id)
    if current is None:
        raise RecordNotFound(f"{SINGULAR[table]} not found")
    check_version(current.version, cmd.expected_version)
    updated, changed = apply_changes(current, cmd.changes)
    if not changed:
        return await taxonomy.get_json(conn, table, cmd.tenant_id, current.id) or ""
    if "parent_id" in changed:
        await references.check(conn, cmd.tenant_id, {"parent_id": updated.parent_id})
        ancestors = await taxonomy.ancestors(conn, cmd.tenant_id, updated.parent_id) if updated.parent_id else []
        check_parent(current.id, updated.parent_id, ancestors)
    return await taxonomy.update(conn, table, updated)


async def remove(tx: Tx, table: str, cmd: Remove) -> None:
    """Delete; one still used by products (or, for a category, by child categories) is 409 `in_use`."""
    conn = await tx.raw()
    if not await taxonomy.delete(conn, table, cmd.tenant_id, cmd.record_id):
        raise RecordNotFound(f"{SINGULAR[table]} not found")
