"""References a command names must exist in the tenant: a 422 naming the field, before anything is written."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from catalog.adapters import price_lists, taxonomy
from catalog.domain.errors import UnknownReference

TABLE_OF = {"category_id": "categories", "brand_id": "brands", "parent_id": "categories"}


async def check(conn: Any, tenant_id: uuid.UUID, fields: Mapping[str, Any]) -> None:
    for name, value in fields.items():
        if value is None:
            continue
        if name in TABLE_OF:
            found = await taxonomy.exists(conn, TABLE_OF[name], tenant_id, value)
        elif name == "price_list_id":
            found = await price_lists.exists(conn, tenant_id, value)
        else:
            continue
        if not found:
            raise UnknownReference(name)
