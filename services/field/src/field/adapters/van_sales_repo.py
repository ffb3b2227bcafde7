"""What a van sale touches besides stock: the van load's sold units and cash sales (plain SQL, a hot path)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any


async def lock_load(raw: Any, tenant_id: uuid.UUID, van_load_id: uuid.UUID) -> dict[str, Any] | None:
    row = await raw.fetchrow(
        "SELECT id, van_id, salesman_id, warehouse_id, status FROM van_loads "
        "WHERE tenant_id = $1 AND id = $2 FOR UPDATE",
        tenant_id,
        van_load_id,
    )
    return dict(row) if row else None


async def add_sale(
    raw: Any, tenant_id: uuid.UUID, van_load_id: uuid.UUID, lines: list[tuple[uuid.UUID, int]], cash: Decimal
) -> None:
    await raw.execute(
        """
        INSERT INTO van_load_lines (tenant_id, van_load_id, product_id, sold)
        SELECT $1, $2, p, q FROM unnest($3::uuid[], $4::int[]) AS t(p, q)
        ON CONFLICT (tenant_id, van_load_id, product_id) DO UPDATE SET sold = van_load_lines.sold + EXCLUDED.sold
        """,
        tenant_id,
        van_load_id,
        [p for p, _ in lines],
        [q for _, q in lines],
    )
    await _add_cash(raw, tenant_id, van_load_id, cash)


async def remove_sale(
    raw: Any, tenant_id: uuid.UUID, van_load_id: uuid.UUID, lines: list[tuple[uuid.UUID, int]], cash: Decimal
) -> None:
    await raw.execute(
        """
        UPDATE van_load_lines v SET sold = greatest(v.sold - t.q, 0)
          FROM unnest($3::uuid[], $4::int[]) AS t(p, q)
         WHERE v.tenant_id = $1 AND v.van_load_id = $2 AND v.product_id = t.p
        """,
        tenant_id,
        van_load_id,
        [p for p, _ in lines],
        [q for _, q in lines],
    )
    await _add_cash(raw, tenant_id, van_load_id, -cash)


async def _add_cash(raw: Any, tenant_id: uuid.UUID, van_load_id: uuid.UUID, cash: Decimal) -> None:
    if cash:
        await raw.execute(
            "UPDATE van_loads SET cash_sales = cash_sales + $3, updated_at = now() WHERE tenant_id = $1 AND id = $2",
            tenant_id,
            van_load_id,
            cash,
        )
