"""The demo seed: a default warehouse, the salesman's van and 500 units of each demo product, once."""

from __future__ import annotations

from dataclasses import replace

from field.seed import seed_demo
from salessync.db import Database
from salessync.demo import DEMO


async def test_seeding_twice_leaves_one_warehouse_one_van_and_500_of_each_product(db: Database) -> None:
    demo = replace(DEMO, product_count=5)
    await seed_demo(db, demo)
    await seed_demo(db, demo)
    async with db.transaction() as tx:
        raw = await tx.raw()
        kinds = await raw.fetch("SELECT kind, is_default, assigned_salesman_id FROM locations ORDER BY kind")
        levels = await raw.fetch("SELECT on_hand FROM stock_levels WHERE location_id = $1", demo.warehouse_id)
        movements = await raw.fetchval("SELECT count(*) FROM stock_movements WHERE kind = 'receipt'")
    assert [(k["kind"], k["is_default"]) for k in kinds] == [("van", False), ("warehouse", True)]
    assert kinds[0]["assigned_salesman_id"] == demo.user("salesman").id
    assert [lv["on_hand"] for lv in levels] == [500] * 5
    assert movements == 5
