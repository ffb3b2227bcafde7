"""Demo data of field: the main warehouse (default), van KDA-001 for the demo salesman, 500 units of each
demo product received into the warehouse. Idempotent: a second run changes nothing."""

from __future__ import annotations

from field.adapters.stock_repo import Cause
from field.domain.stock import StockChange
from field.service_layer.stock import try_move_stock
from salessync.db import Database
from salessync.demo import DemoTenant, demo_id

DEMO_STOCK = 500


async def seed_demo(db: Database, demo: DemoTenant) -> None:
    tenant_id = demo.id
    salesman = demo.user("salesman")
    async with db.transaction() as tx:
        raw = await tx.raw()
        await raw.execute(
            "INSERT INTO locations (id, tenant_id, kind, name, code, address, is_default) "
            "VALUES ($1, $2, 'warehouse', 'Main warehouse', 'MAIN', 'Nairobi', true) ON CONFLICT (id) DO NOTHING",
            demo.warehouse_id,
            tenant_id,
        )
        await raw.execute(
            "INSERT INTO locations (id, tenant_id, kind, name, registration, assigned_salesman_id) "
            "VALUES ($1, $2, 'van', 'KDA-001', 'KDA-001', $3) ON CONFLICT (id) DO NOTHING",
            demo.van_id,
            tenant_id,
            salesman.id,
        )
        for user in demo.users:
            await raw.execute(
                "INSERT INTO users (tenant_id, id, name, role, status, event_at) "
                "VALUES ($1, $2, $3, $4, 'active', '-infinity') ON CONFLICT DO NOTHING",
                tenant_id,
                user.id,
                user.name,
                user.role,
            )
        seeded = await raw.fetchval(
            "SELECT true FROM stock_movements WHERE tenant_id = $1 AND cause_type = 'seed' LIMIT 1", tenant_id
        )
        if seeded:
            return
        changes = [
            StockChange(demo.warehouse_id, demo.product_id(i), on_hand=DEMO_STOCK, kind="receipt")
            for i in range(1, demo.product_count + 1)
        ]
        await try_move_stock(tx, tenant_id, changes, Cause("seed", demo_id("seed", "field-stock"), None, "receipt"))
