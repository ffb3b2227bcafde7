"""The demo tenant: fixed ids derived from names, so every service's seed agrees without talking."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

NAMESPACE = uuid.UUID("6f1d2c1e-55a3-4c38-9d86-0b5e3f3c7a10")


def demo_id(kind: str, key: str | int) -> uuid.UUID:
    """A stable id for a demo record: `demo_id("product", "P0001")`."""
    return uuid.uuid5(NAMESPACE, f"{kind}:{key}")


@dataclass(frozen=True)
class DemoUser:
    role: str
    email: str
    name: str

    @property
    def id(self) -> uuid.UUID:
        return demo_id("user", self.email)


@dataclass(frozen=True)
class DemoTenant:
    code: str = "demo"
    name: str = "Demo Distribution Ltd"
    password: str = "Demo-pass-2026"
    city_latitude: float = -1.2921  # Nairobi
    city_longitude: float = 36.8219

    @property
    def id(self) -> uuid.UUID:
        return demo_id("tenant", self.code)

    @property
    def users(self) -> list[DemoUser]:
        return [
            DemoUser("admin", "admin@demo.example", "Ada Admin"),
            DemoUser("manager", "manager@demo.example", "Max Manager"),
            DemoUser("salesman", "salesman@demo.example", "Sam Salesman"),
            DemoUser("salesman", "salesman2@demo.example", "Sue Salesman"),
            DemoUser("promoter", "promoter@demo.example", "Pat Promoter"),
            DemoUser("merchandiser", "merchandiser@demo.example", "Mia Merchandiser"),
            DemoUser("field_agent", "agent@demo.example", "Fred Agent"),
            DemoUser("warehouse_staff", "warehouse@demo.example", "Wes Warehouse"),
        ]

    product_count: int = 200
    customer_count: int = 500

    def product_code(self, i: int) -> str:
        return f"P{i:04d}"

    def product_id(self, i: int) -> uuid.UUID:
        return demo_id("product", self.product_code(i))

    def customer_code(self, i: int) -> str:
        return f"C{i:04d}"

    def customer_id(self, i: int) -> uuid.UUID:
        return demo_id("customer", self.customer_code(i))

    @property
    def warehouse_id(self) -> uuid.UUID:
        return demo_id("warehouse", "MAIN")

    @property
    def van_id(self) -> uuid.UUID:
        return demo_id("van", "KDA-001")

    def user(self, role: str) -> DemoUser:
        return next(u for u in self.users if u.role == role)


DEMO = DemoTenant()
