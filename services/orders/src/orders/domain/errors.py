"""Orders's business-rule failures; the shared web layer maps each family to its status once."""

from __future__ import annotations

from salessync.errors import Conflict, Forbidden, NotFound


class OrderNotFound(NotFound):
    code = "order_not_found"
    title = "Order not found"


class CustomerNotFound(NotFound):
    code = "customer_not_found"
    title = "Customer not found"


class IllegalTransition(Conflict):
    code = "illegal_status_change"
    title = "Illegal status change"


class CreditLimitExceeded(Conflict):
    code = "credit_limit_exceeded"
    title = "Credit limit exceeded"


class NotAllowed(Forbidden):
    code = "not_allowed"
    title = "Not allowed"
