"""Roles, their labels and permissions: the "Who may do what" table of API.md, as data.

A permission is `<resource>:<action>`; `*` is every action; a `:own` suffix limits it to the user's own
records (`:self` for the user record itself, `:own_van` for the van the salesman drives).
"""

from __future__ import annotations

from dataclasses import dataclass

from salessync.auth import ROLES

LABELS = {
    "admin": "Administrator",
    "manager": "Manager",
    "salesman": "Salesman",
    "promoter": "Promoter",
    "merchandiser": "Merchandiser",
    "field_agent": "Field agent",
    "warehouse_staff": "Warehouse staff",
}

_CATALOG_ALL = ("products:*", "categories:*", "price_lists:*")
_CATALOG_READ = ("products:read", "categories:read", "price_lists:read")
_FIELD_WORKER = (
    "users:self",
    *_CATALOG_READ,
    "customers:read",
    "orders:read:own",
    "visits:*:own",
    "inventory:read",
    "dashboard:own",
)

PERMISSIONS: dict[str, tuple[str, ...]] = {
    "admin": (
        "users:*",
        *_CATALOG_ALL,
        "customers:*",
        "orders:*",
        "visits:*",
        "van_loads:*",
        "inventory:*",
        "dashboard:tenant",
    ),
    "manager": (
        "users:read",
        *_CATALOG_ALL,
        "customers:*",
        "orders:*",
        "visits:*",
        "van_loads:*",
        "inventory:read",
        "dashboard:tenant",
    ),
    "salesman": (
        "users:self",
        *_CATALOG_READ,
        "customers:read",
        "customers:create",
        "orders:create:own",
        "orders:read:own",
        "orders:cancel_pending:own",
        "visits:*:own",
        "van_loads:read:own",
        "van_loads:return:own",
        "inventory:read:own_van",
        "dashboard:own",
    ),
    "promoter": _FIELD_WORKER,
    "merchandiser": _FIELD_WORKER,
    "field_agent": _FIELD_WORKER,
    "warehouse_staff": (
        "users:self",
        *_CATALOG_READ,
        "customers:read",
        "orders:read",
        "orders:dispatch",
        "van_loads:plan",
        "van_loads:load",
        "van_loads:return",
        "van_loads:reconcile",
        "inventory:*",
        "dashboard:stock",
    ),
}


@dataclass(frozen=True, slots=True)
class Role:
    name: str
    label: str
    permissions: tuple[str, ...]


def all_roles() -> list[Role]:
    return [Role(name, LABELS[name], PERMISSIONS[name]) for name in ROLES]


def permissions_for(role: str) -> tuple[str, ...]:
    return PERMISSIONS.get(role, ())


def is_role(value: str) -> bool:
    return value in PERMISSIONS


def may_manage_users(role: str) -> bool:
    """Create, change, delete any user of the tenant."""
    return "users:*" in PERMISSIONS.get(role, ())


def may_read_users(role: str) -> bool:
    """Read any user of the tenant (list and detail)."""
    perms = PERMISSIONS.get(role, ())
    return "users:*" in perms or "users:read" in perms
