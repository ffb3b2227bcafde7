"""List pages kept in memory per (tenant, list, query), valid while the list's version in PostgreSQL is unchanged.

`list_versions` is bumped by statement-level triggers on every write to products or customers (any replica, the
seed, a COPY), so a replica needs one primary-key lookup to know whether its copy of a page is current; a write
that commits is seen by the next read of every replica. A page computed while a write commits is stored under the
version read before it, which that write has already replaced: it is never served after the commit.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

Key = tuple[uuid.UUID, str, Hashable]


async def list_version(conn: Any, tenant_id: uuid.UUID, entity: str) -> int:
    version = await conn.fetchval(
        "SELECT version FROM list_versions WHERE tenant_id = $1 AND entity = $2", tenant_id, entity
    )
    return int(version or 0)


class PageCache:
    """Least recently used pages within `max_bytes`; 0 disables it."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._pages: OrderedDict[Key, tuple[int, bytes]] = OrderedDict()

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    def get(self, key: Key, version: int) -> bytes | None:
        found = self._pages.get(key)
        if found is None or found[0] != version:
            return None
        self._pages.move_to_end(key)
        return found[1]

    def put(self, key: Key, version: int, body: bytes) -> None:
        if len(body) * 4 > self.max_bytes:
            return
        old = self._pages.pop(key, None)
        if old is not None:
            self.size -= len(old[1])
        self._pages[key] = (version, body)
        self.size += len(body)
        while self.size > self.max_bytes:
            _, (_, evicted) = self._pages.popitem(last=False)
            self.size -= len(evicted)

    def __len__(self) -> int:
        return len(self._pages)
