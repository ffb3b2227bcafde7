"""Placing an order: `place` (no Idempotency-Key) and `place_order` (inside the key's transaction).

`place` hands the order to the process's group commit (`placement_groups`): the orders that arrive while a
group is placed go together in the next one (`place_group`), which reads what they are priced against in one
statement, prices each, and writes them in one statement (`placement_writes`). Each order is written only if its
customer row still holds the balance and version it was priced against; when another order or change of that
customer came in between, the order is read again with the customer row locked and written in one transaction,
which cannot miss. `place_order` always takes that locked path, in the key's transaction.
"""

from __future__ import annotations

import logging
import uuid
import weakref
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial
from typing import Any

import asyncpg

from orders.adapters import copies, order_writes, placement_writes
from orders.adapters.copies import ForOrder
from orders.adapters.placement_writes import ReadyOrder
from orders.domain.errors import NotAllowed
from orders.domain.placing import check_lines, price_order
from orders.domain.policy import PLACERS
from orders.service_layer import messages
from orders.service_layer.commands import PlaceOrder
from orders.service_layer.placement_groups import GroupCommit
from salessync.db import Database, Tx
from salessync.errors import DomainError

Placing = tuple[PlaceOrder, dict[str, Decimal]]  # an order to place, with its tenant's discount caps
Placed = tuple[ReadyOrder, tuple[str, datetime]]  # what was written, with its number and time
log = logging.getLogger("orders.placing")


async def place(db: Database, cmd: PlaceOrder, discount_caps: dict[str, Decimal]) -> dict[str, Any]:
    """Place the order with the next group; when its customer changed between the group's read and write, read
    and write it again in one transaction under the customer's lock."""
    _check_request(cmd, discount_caps)
    placed = await groups_of(db).submit(cmd.tenant_id, (cmd, discount_caps))
    if placed is None:
        async with db.transaction() as tx:
            ready = await _prepare(await tx.raw(), cmd, discount_caps, lock=True)
            placed = ready, await _write(tx, ready)
    ready, (number, created_at) = placed
    return order_out(ready, number, created_at)


async def place_group(db: Database, tenant_id: str, orders: list[Placing]) -> list[Placed | None | BaseException]:
    """Read, price and write orders of one tenant (no customer twice) in two statements: for each, in order, what
    was written, None when its customer changed since the read (not written), or the error that refused it."""
    outcomes: list[Placed | None | BaseException] = [None] * len(orders)
    ready: list[tuple[int, ReadyOrder]] = []
    now = datetime.now(UTC)
    async with db.autocommit() as tx:
        raw = await tx.raw()
        wanted = [(cmd.customer_id, [x.product_id for x in cmd.items]) for cmd, _ in orders]
        for i, ((cmd, caps), seen) in enumerate(
            zip(orders, await copies.read_for_orders(raw, tenant_id, wanted), strict=True)
        ):
            try:
                ready.append((i, _priced(cmd, caps, seen, now)))
            except DomainError as exc:
                outcomes[i] = exc
        if not ready:
            return outcomes
        try:
            written = await placement_writes.insert_orders(raw, tenant_id, now.date(), [r for _, r in ready])
        except asyncpg.PostgresError as exc:
            # Refused by the database: nothing was written. A lone order fails with the error, as its own statement
            # would; the orders of a larger group are each written again by their caller, under the lock, so that
            # whatever refused the group fails one order at most.
            if len(ready) == 1:
                outcomes[ready[0][0]] = exc
                return outcomes
            log.warning("a group of placements failed; written one by one: %s", exc, extra={"count": len(ready)})
            return outcomes
        for i, order in ready:
            if order.new.id in written:
                outcomes[i] = order, written[order.new.id]
                tx.events.append(order.event)  # its outbox row is written; this wakes the relay
    return outcomes


async def place_order(tx: Tx, cmd: PlaceOrder, discount_caps: dict[str, Decimal]) -> dict[str, Any]:
    """Place the order in the caller's transaction (the Idempotency-Key path stores the answer there)."""
    _check_request(cmd, discount_caps)
    ready = await _prepare(await tx.raw(), cmd, discount_caps, lock=True)
    return order_out(ready, *await _write(tx, ready))


async def _write(tx: Tx, ready: ReadyOrder) -> tuple[str, datetime]:
    """The write of an order read with its customer row locked by `tx`: it cannot miss."""
    written = await order_writes.insert_order(
        await tx.raw(),
        ready.new,
        ready.priced,
        ready.event,
        seen_version=ready.seen_version,
        seen_balance=ready.seen_balance,
    )
    if written is None:  # the customer row is locked by this transaction: its balance cannot have moved
        raise RuntimeError(f"order for customer {ready.priced.customer.id} not written under the customer's lock")
    tx.events.append(ready.event)  # its outbox row is written; this wakes the relay on commit
    return written


def _check_request(cmd: PlaceOrder, discount_caps: dict[str, Decimal]) -> None:
    """The rules that need no database, before touching it."""
    if cmd.role not in PLACERS:
        raise NotAllowed(f"role '{cmd.role}' may not place orders")
    check_lines(cmd.items, cmd.role, discount_caps)


async def _prepare(raw: Any, cmd: PlaceOrder, discount_caps: dict[str, Decimal], *, lock: bool) -> ReadyOrder:
    """Read what the order is priced against and price it."""
    seen = await copies.read_for_order(
        raw, cmd.tenant_id, cmd.customer_id, [x.product_id for x in cmd.items], lock=lock
    )
    return _priced(cmd, discount_caps, seen, datetime.now(UTC))


def _priced(cmd: PlaceOrder, discount_caps: dict[str, Decimal], seen: ForOrder | None, now: datetime) -> ReadyOrder:
    """The order priced against what was read: ready for its write, guarded by the customer's version and
    balance as read. Raises the rule it breaks (unknown customer or product, credit limit, ...)."""
    priced = price_order(
        items=cmd.items,
        customer=seen.customer if seen else None,
        products=seen.products if seen else {},
        price_list=seen.price_list if seen else None,
        today=now.date(),
        role=cmd.role,
        caps=discount_caps,
        open_balance=seen.open_balance if seen else Decimal("0"),
        credit_override=cmd.credit_override,
    )
    if seen is None:  # price_order has refused it already (422 naming customer_id); this tells the type checker
        raise RuntimeError("an order without a customer was priced")
    order_id = str(uuid.uuid4())
    payment_method = cmd.payment_method or ("cash" if cmd.van_load_id else "credit")
    event = messages.order_placed(
        tenant_id=cmd.tenant_id,
        order_id=order_id,
        number=order_writes.NUMBER_PLACEHOLDER,
        customer_id=priced.customer.id,
        salesman_id=cmd.actor_id,
        van_load_id=cmd.van_load_id,
        payment_method=payment_method,
        total=f"{priced.totals.total:.2f}",
        lines=[
            {"product_id": x.product.id, "quantity": x.quantity, "line_total": f"{x.amounts.line_total:.2f}"}
            for x in priced.lines
        ],
    )
    new = order_writes.NewOrder(
        id=order_id,
        tenant_id=cmd.tenant_id,
        day=now.date(),
        salesman_id=cmd.actor_id,
        van_load_id=cmd.van_load_id,
        payment_method=payment_method,
        notes=cmd.notes,
        delivery_date=cmd.delivery_date,
        history_reason="placed with credit override" if priced.credit_override_used else None,
    )
    return ReadyOrder(new, priced, event, seen_version=seen.version, seen_balance=seen.open_balance)


def order_out(ready: ReadyOrder, number: str, created_at: datetime) -> dict[str, Any]:
    """The order as GET /api/orders/{id} shows it, from what was just written."""
    new, priced, actor = ready.new, ready.priced, ready.new.salesman_id
    t = priced.totals
    return {
        "id": new.id,
        "number": number,
        "customer_id": priced.customer.id,
        "customer_name": priced.customer.name,
        "salesman_id": new.salesman_id,
        "van_load_id": new.van_load_id,
        "status": "pending",
        "payment_status": "unpaid",
        "payment_method": new.payment_method,
        "gross_total": f"{t.gross_total:.2f}",
        "discount_total": f"{t.discount_total:.2f}",
        "tax_total": f"{t.tax_total:.2f}",
        "total": f"{t.total:.2f}",
        "amount_paid": "0.00",
        "line_count": len(priced.lines),
        "credit_override": priced.credit_override_used,
        "delivery_date": new.delivery_date,
        "created_at": created_at,
        "updated_at": created_at,
        "version": 1,
        "notes": new.notes,
        "rejection_reason": None,
        "lines": [
            {
                "line_no": x.line_no,
                "product_id": x.product.id,
                "product_code": x.product.code,
                "product_name": x.product.name,
                "unit": x.product.unit,
                "quantity": x.quantity,
                "unit_price": f"{x.unit_price:.2f}",
                "discount_rate": float(x.discount_rate),
                "tax_rate": float(x.product.tax_rate),
                "gross": f"{x.amounts.gross:.2f}",
                "discount_amount": f"{x.amounts.discount_amount:.2f}",
                "tax_amount": f"{x.amounts.tax_amount:.2f}",
                "line_total": f"{x.amounts.line_total:.2f}",
            }
            for x in priced.lines
        ],
        "status_history": [
            {
                "field": "status",
                "from_status": None,
                "to_status": "pending",
                "reason": new.history_reason,
                "actor_id": actor,
                "at": created_at,
            }
        ],
    }


_GROUPS: weakref.WeakKeyDictionary[Database, GroupCommit[Placing, Placed | None]] = weakref.WeakKeyDictionary()


def groups_of(db: Database) -> GroupCommit[Placing, Placed | None]:
    """The process's group commit of placements into `db`."""
    groups = _GROUPS.get(db)
    if groups is None:
        groups = _GROUPS[db] = GroupCommit(partial(place_group, db), lambda item: item[0].customer_id)
    return groups
