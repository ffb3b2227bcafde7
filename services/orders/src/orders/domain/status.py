"""The order's status machine and payment status as transition tables (API.md, "Orders")."""

from __future__ import annotations

from decimal import Decimal

from orders.domain.errors import IllegalTransition

PENDING, CONFIRMED, REJECTED, CANCELLED = "pending", "confirmed", "rejected", "cancelled"
DISPATCHED, DELIVERED, RETURNED = "dispatched", "delivered", "returned"
STATUSES = (PENDING, CONFIRMED, REJECTED, CANCELLED, DISPATCHED, DELIVERED, RETURNED)

TRANSITIONS: dict[str, frozenset[str]] = {
    PENDING: frozenset({CONFIRMED, REJECTED, CANCELLED}),
    CONFIRMED: frozenset({DISPATCHED, CANCELLED}),
    DISPATCHED: frozenset({DELIVERED}),
    DELIVERED: frozenset({RETURNED}),
    REJECTED: frozenset(),
    CANCELLED: frozenset(),
    RETURNED: frozenset(),
}

# Set only by field's answer to `order.placed` (stock.reserved / stock.rejected), never by a person: a manual
# confirmation would leave the order without a reservation.
BY_STOCK_ONLY: frozenset[tuple[str, str]] = frozenset({(PENDING, CONFIRMED), (PENDING, REJECTED)})

UNPAID, PARTIALLY_PAID, PAID = "unpaid", "partially_paid", "paid"
PAYMENT_STATUSES = (UNPAID, PARTIALLY_PAID, PAID)
PAYMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    UNPAID: frozenset({PARTIALLY_PAID, PAID}),
    PARTIALLY_PAID: frozenset({PARTIALLY_PAID, PAID}),
    PAID: frozenset(),
}

# Orders in these states do not count towards the customer's open balance.
CLOSED_FOR_CREDIT = frozenset({CANCELLED, REJECTED})


def open_amount(status: str, payment_status: str, total: Decimal) -> Decimal:
    """What the order adds to its customer's open balance: its total until it is cancelled, rejected or paid."""
    return Decimal("0") if status in CLOSED_FOR_CREDIT or payment_status == PAID else total


def balance_delta(before: tuple[str, str], after: tuple[str, str], total: Decimal) -> Decimal:
    """How a change of (status, payment status) moves the customer's open balance."""
    return open_amount(*after, total) - open_amount(*before, total)


def allowed_manual(current: str) -> list[str]:
    """The statuses a person may move an order to from `current` (sorted, for the 409 body)."""
    return sorted(s for s in TRANSITIONS.get(current, frozenset()) if (current, s) not in BY_STOCK_ONLY)


def check_transition(current: str, target: str, *, by_stock: bool = False) -> None:
    """Raise IllegalTransition naming the allowed statuses unless `current -> target` is legal for the actor."""
    legal = target in TRANSITIONS.get(current, frozenset())
    if legal and (by_stock or (current, target) not in BY_STOCK_ONLY):
        return
    allowed = sorted(TRANSITIONS.get(current, frozenset())) if by_stock else allowed_manual(current)
    raise IllegalTransition(
        f"an order that is {current} cannot become {target}; allowed: {', '.join(allowed) or 'none'}",
        current=current,
        requested=target,
        allowed=allowed,
    )


def payment_status_for(amount_paid: Decimal, total: Decimal) -> str:
    if amount_paid <= 0:
        return UNPAID
    return PAID if amount_paid >= total else PARTIALLY_PAID


def check_payment(current: str, target: str) -> None:
    if target not in PAYMENT_TRANSITIONS.get(current, frozenset()):
        allowed = sorted(PAYMENT_TRANSITIONS.get(current, frozenset()))
        raise IllegalTransition(
            f"payment that is {current} cannot become {target}; allowed: {', '.join(allowed) or 'none'}",
            current=current,
            requested=target,
            allowed=allowed,
        )
