"""Status and payment changes: by a person (PATCH status, cancel, payment) or by field's stock answer.

Each change locks the order, checks the transition table, writes the order and a history row, moves the
customer's open balance when the order leaves it, and publishes `order.status_changed`, in one transaction.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from orders.adapters import order_writes
from orders.domain import policy, status
from orders.domain.errors import IllegalTransition, OrderNotFound
from orders.service_layer import messages
from orders.service_layer.commands import ChangeStatus, RecordPayment
from salessync.db import Tx
from salessync.errors import InvalidInput
from salessync.events import Event

log = logging.getLogger("orders.status")


async def _load(raw: Any, tenant_id: str, order_id: str, *, role: str | None, actor_id: str | None) -> dict[str, Any]:
    order = await order_writes.load_for_update(raw, tenant_id, order_id)
    if order is None or (role is not None and policy.sees_only_own(role) and order["salesman_id"] != actor_id):
        raise OrderNotFound(f"no order {order_id}")
    return order


def _planned(
    tenant_id: str,
    order: dict[str, Any],
    to_status: str,
    *,
    reason: str | None,
    actor_id: str | None,
    rejection_reason: dict[str, Any] | None = None,
    cause: Event | None = None,
) -> order_writes.StatusMove:
    """The write and the `order.status_changed` event of moving `order` to `to_status` (because of `cause`, an
    event, when one moved it); `order` now says so."""
    event = messages.order_status_changed(
        order,
        tenant_id=tenant_id,
        to_status=to_status,
        reason=reason,
        actor_id=actor_id,
        causation_id=cause.event_id if cause else None,
        correlation_id=cause.correlation_id if cause else None,
    )
    paying = order["payment_status"]
    move = order_writes.StatusMove(
        tenant_id=tenant_id,
        order_id=order["id"],
        event=event,
        from_status=order["status"],
        to_status=to_status,
        reason=reason,
        actor_id=actor_id,
        balance_delta=status.balance_delta((order["status"], paying), (to_status, paying), order["total"]),
        customer_id=order["customer_id"],
        payment_status=paying,
        total=order["total"],
        rejection_reason=rejection_reason,
    )
    order["status"] = to_status
    return move


async def _write(tx: Tx, raw: Any, moves: list[order_writes.StatusMove]) -> None:
    await order_writes.set_statuses(raw, moves)
    tx.events.extend(move.event for move in moves)  # the statements wrote the outbox rows; this wakes the relay


async def change_status(tx: Tx, cmd: ChangeStatus) -> None:
    """A person moves an order (PATCH status or cancel)."""
    if cmd.status not in status.STATUSES:
        raise InvalidInput("status", f"unknown status; one of {', '.join(status.STATUSES)}")
    raw = await tx.raw()
    order = await _load(raw, cmd.tenant_id, cmd.order_id, role=cmd.role, actor_id=cmd.actor_id)
    status.check_transition(order["status"], cmd.status)
    policy.check_may_change(
        cmd.role, own=order["salesman_id"] == cmd.actor_id, current=order["status"], target=cmd.status
    )
    await _write(tx, raw, [_planned(cmd.tenant_id, order, cmd.status, reason=cmd.reason, actor_id=cmd.actor_id)])


async def record_payment(tx: Tx, cmd: RecordPayment) -> None:
    policy.check_may_record_payment(cmd.role)
    if cmd.amount <= 0:
        raise InvalidInput("amount", "must be greater than 0")
    raw = await tx.raw()
    order = await _load(raw, cmd.tenant_id, cmd.order_id, role=cmd.role, actor_id=cmd.actor_id)
    if order["status"] in status.CLOSED_FOR_CREDIT:
        raise IllegalTransition(f"an order that is {order['status']} takes no payment", allowed=[])
    paid = order["amount_paid"] + cmd.amount
    if paid > order["total"]:
        raise InvalidInput("amount", f"more than the {order['total'] - order['amount_paid']} still owed")
    target = status.payment_status_for(paid, order["total"])
    status.check_payment(order["payment_status"], target)
    await order_writes.set_payment(
        raw,
        cmd.tenant_id,
        cmd.order_id,
        amount_paid=paid,
        from_status=order["payment_status"],
        to_status=target,
        reason=cmd.reason or f"payment of {cmd.amount:.2f}",
        actor_id=cmd.actor_id,
        balance_delta=status.balance_delta(
            (order["status"], order["payment_status"]), (order["status"], target), order["total"]
        ),
        customer_id=order["customer_id"],
        status=order["status"],
        total=order["total"],
    )


async def apply_stock_reserved(tx: Tx, event: Event) -> None:
    """Field reserved the stock: pending -> confirmed; a van sale (`sold`) is then delivered at once."""
    await apply_stock_reserved_many(tx, [event])


async def apply_stock_reserved_many(tx: Tx, events: list[Event]) -> None:
    """`apply_stock_reserved` for each event in turn (see `_apply_answers`)."""
    await _apply_answers(tx, events, _reserved_moves)


async def apply_stock_rejected(tx: Tx, event: Event) -> None:
    """Field could not reserve: pending -> rejected, keeping the shortages (available quantities)."""
    await apply_stock_rejected_many(tx, [event])


async def apply_stock_rejected_many(tx: Tx, events: list[Event]) -> None:
    """`apply_stock_rejected` for each event in turn (see `_apply_answers`)."""
    await _apply_answers(tx, events, _rejected_moves)


async def _apply_answers(
    tx: Tx, events: list[Event], plan: Callable[[Event, dict[str, Any]], list[order_writes.StatusMove]]
) -> None:
    """Stock answers in turn, in two statements: one reads and locks every order they are about, one
    `set_statuses` writes every move (a batch of confirmations cost two round trips an order before). One call
    for the whole transaction: it locks every customer whose balance a rejection moves before any move takes a
    stats row (`order_writes._LOCK_CUSTOMERS`), which moves written event by event could not."""
    raw = await tx.raw()
    orders = await _pending_orders(raw, events)
    moves: list[order_writes.StatusMove] = []
    for event in events:
        order = _still_pending(orders, event)
        if order is not None:
            moves.extend(plan(event, order))
    await _write(tx, raw, moves)


def _reserved_moves(event: Event, order: dict[str, Any]) -> list[order_writes.StatusMove]:
    reason = f"stock reserved at {event.payload.get('location_id')}"
    moves = [_planned(event.tenant_id, order, status.CONFIRMED, reason=reason, actor_id=None, cause=event)]
    if event.payload.get("sold"):
        moves.append(_planned(event.tenant_id, order, status.DELIVERED, reason="van sale: sold from the van",
                              actor_id=None, cause=event))  # fmt: skip
    return moves


def _rejected_moves(event: Event, order: dict[str, Any]) -> list[order_writes.StatusMove]:
    reason = str(event.payload.get("reason") or "insufficient stock")
    rejection = {"reason": reason, "shortages": event.payload.get("shortages") or []}
    return [_planned(event.tenant_id, order, status.REJECTED, reason=reason, actor_id=None,
                     rejection_reason=rejection, cause=event)]  # fmt: skip


def _order_key(event: Event) -> tuple[str, str] | None:
    """(tenant id, order id) of a stock answer, in the text PostgreSQL gives them back; None for no order id."""
    try:
        return str(uuid.UUID(str(event.tenant_id))), str(uuid.UUID(str(event.payload.get("order_id"))))
    except ValueError:
        return None


async def _pending_orders(raw: Any, events: list[Event]) -> dict[tuple[str, str], dict[str, Any]]:
    """The orders the stock answers are about, locked; one dict per order, shared by the events about it."""
    keys = {key for key in map(_order_key, events) if key is not None}
    return await order_writes.load_many_for_update(raw, sorted(keys))


def _still_pending(orders: dict[tuple[str, str], dict[str, Any]], event: Event) -> dict[str, Any] | None:
    key = _order_key(event)
    order = orders.get(key) if key is not None else None
    order_id = event.payload.get("order_id")
    if order is None:
        log.warning(
            "stock answer for an unknown order ignored",
            extra={"type": event.type, "order_id": order_id, "event_id": event.event_id},
        )
        return None
    if order["status"] != status.PENDING:
        log.warning(
            "stock answer for an order no longer pending ignored",
            extra={"type": event.type, "order_id": order_id, "status": order["status"], "event_id": event.event_id},
        )
        return None
    return order
