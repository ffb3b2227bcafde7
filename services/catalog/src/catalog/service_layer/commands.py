"""The commands every catalog handler takes: create, change (with an optional expected version), remove."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Create:
    tenant_id: uuid.UUID
    fields: Mapping[str, Any]
    record_id: uuid.UUID = field(default_factory=uuid.uuid4)


@dataclass(frozen=True, slots=True)
class Change:
    tenant_id: uuid.UUID
    record_id: uuid.UUID
    changes: Mapping[str, Any]
    expected_version: int | None = None


@dataclass(frozen=True, slots=True)
class Remove:
    tenant_id: uuid.UUID
    record_id: uuid.UUID
