"""Placing an order: `place_then_number` (no Idempotency-Key) and `place_order` (inside the key's transaction).

Round trips: lock the customer (and read its price list header), read the products with their list prices and
the customer's open balance, write everything in one statement. The answer is built from what was written.
`place_then_number` commits the order without a number, then numbers it and queues `order.placed` in one
autocommit statement, so the per-(tenant, day) counter row is held for that statement and its commit only.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from orders.adapters import copies, order_writes
from orders.domain.errors import NotAllowed
from orders.domain.placing import PricedOrder, check_lines, price_order
from orders.domain.policy import PLACERS
from orders.service_layer import messages
from orders.service_layer.commands import PlaceOrder
from salessync.db import Database, Tx
from salessync.events import Event, decode_event

log = logging.getLogger("orders.placing")


async def place_order(tx: Tx, cmd: PlaceOrder, discount_caps: dict[str, Decimal]) -> dict[str, Any]:
    """Place and number the order in the caller's transaction (the Idempotency-Key path stores the answer there)."""
    raw = await tx.raw()
    new, priced, event = await _priced(raw, cmd, discount_caps)
    number, created_at = await order_writes.insert_order(raw, new, priced, event)
    tx.events.append(event)  # the outbox row is written by the statement above; this wakes the relay on commit
    return order_out(new, priced, number, created_at, cmd.actor_id)


async def place_then_number(db: Database, cmd: PlaceOrder, discount_caps: dict[str, Decimal]) -> dict[str, Any]:
    """Place the order in one transaction, then number it in one autocommit statement of its own on the same
    connection, so the day's counter row is never locked across a round trip to this process (see order_writes)."""
    async with db.autocommit() as tx:
        raw = await tx.raw()
        async with raw.transaction():
            new, priced, event = await _priced(raw, cmd, discount_caps)
            created_at = await order_writes.insert_unnumbered(raw, new, priced, event)
        number = await order_writes.assign_number(raw, new.tenant_id, new.id, new.day, event.event_id, event.subject)
        if number is None:  # only stranded orders are numbered by someone else, and only after a minute
            raise RuntimeError(f"order {new.id} was numbered by someone else")
        tx.events.append(event)  # its outbox row is written; this wakes the relay when the block ends
    return order_out(new, priced, number, created_at, cmd.actor_id)


async def number_stranded_orders(db: Database, older_than_s: float = 60.0) -> int:
    """Number the orders whose process stopped between placing and numbering; answers how many it numbered."""
    async with db.autocommit() as tx:
        raw = await tx.raw()
        done = 0
        for row in await order_writes.unnumbered(raw, older_than_s):
            event = decode_event(row["placed_event"].encode())
            day = row["day"]
            if await order_writes.assign_number(raw, row["tenant_id"], row["id"], day, event.event_id, event.subject):
                tx.events.append(event)
                done += 1
    if done:
        log.warning("numbered orders left without a number", extra={"count": done})
    return done


async def _priced(
    raw: Any, cmd: PlaceOrder, discount_caps: dict[str, Decimal]
) -> tuple[order_writes.NewOrder, PricedOrder, Event]:
    """Check, lock the customer, read the copies, price: the order to write and its `order.placed`."""
    if cmd.role not in PLACERS:
        raise NotAllowed(f"role '{cmd.role}' may not place orders")
    check_lines(cmd.items, cmd.role, discount_caps)  # before touching the database
    customer, list_header = await copies.lock_customer(raw, cmd.tenant_id, cmd.customer_id)
    products, price_list, balance = await copies.load_for_order(
        raw, cmd.tenant_id, cmd.customer_id, [x.product_id for x in cmd.items], list_header
    )
    now = datetime.now(UTC)
    priced = price_order(
        items=cmd.items,
        customer=customer,
        products=products,
        price_list=price_list,
        today=now.date(),
        role=cmd.role,
        caps=discount_caps,
        open_balance=balance,
        credit_override=cmd.credit_override,
    )
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
    return new, priced, event


def order_out(
    new: order_writes.NewOrder, priced: PricedOrder, number: str, created_at: datetime, actor: str
) -> dict[str, Any]:
    """The order as GET /api/orders/{id} shows it, from what was just written."""
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
