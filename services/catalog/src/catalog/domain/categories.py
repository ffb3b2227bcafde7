"""Categories form a tree through `parent_id`; a category may never become its own ancestor."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from catalog.domain.errors import CategoryCycle


@dataclass(frozen=True, slots=True)
class Category:
    id: uuid.UUID
    tenant_id: uuid.UUID
    name: str
    parent_id: uuid.UUID | None = None
    description: str | None = None
    version: int = 1


@dataclass(frozen=True, slots=True)
class Brand:
    id: uuid.UUID
    tenant_id: uuid.UUID
    name: str
    description: str | None = None
    version: int = 1


def check_parent(category_id: uuid.UUID, parent_id: uuid.UUID | None, ancestors_of_parent: Iterable[uuid.UUID]) -> None:
    """Raise `CategoryCycle` when `parent_id` is the category itself or one of its descendants, i.e. when the
    category appears among the parent's ancestors."""
    if parent_id is None:
        return
    if parent_id == category_id or category_id in set(ancestors_of_parent):
        raise CategoryCycle()
