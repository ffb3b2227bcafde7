"""Who may do what with orders (API.md, "Who may do what")."""

from __future__ import annotations

from orders.domain.errors import NotAllowed
from orders.domain.status import CANCELLED, CONFIRMED, DISPATCHED, PENDING

PLACERS = frozenset({"admin", "manager", "salesman"})
MANAGERS = frozenset({"admin", "manager"})
READ_ALL = frozenset({"admin", "manager", "warehouse_staff"})
READ_OWN = frozenset({"salesman", "promoter", "merchandiser", "field_agent"})


def sees_only_own(role: str) -> bool:
    """Salesmen and the other field roles read their own orders only; others' are 404 to them."""
    return role not in READ_ALL


def check_may_change(role: str, *, own: bool, current: str, target: str) -> None:
    """Raise NotAllowed (403) unless the role may move this order from `current` to `target`.

    Called after the order was found (a salesman never finds another's order: that is 404 before this).
    """
    if role in MANAGERS:
        return
    if role == "salesman" and own and current == PENDING and target == CANCELLED:
        return
    if role == "warehouse_staff" and current == CONFIRMED and target == DISPATCHED:
        return
    raise NotAllowed(f"role '{role}' may not change an order from {current} to {target}")


def check_may_record_payment(role: str) -> None:
    if role not in MANAGERS:
        raise NotAllowed(f"role '{role}' may not record payments")
