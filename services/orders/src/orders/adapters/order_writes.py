"""Writing orders with raw asyncpg: placing in one statement, status and payment changes.

Placing is the hot path (TARGETS.md). One statement moves the customer's open balance, takes the day's number,
writes the order, its lines, its first history row and the `order.placed` outbox row. It writes only if the
customer row still holds the balance and version the order was priced against (`g`): every other part reads
from `g`, so when the guard fails nothing is written and no number is taken. In autocommit, the per-(tenant,
day) counter row is held for that statement and its commit only; a rolled-back order gives its number back, so
numbers stay unique and gap-free whatever runs at once. The event body is encoded in Python with a placeholder
where the number goes; the statement puts the number in.

The customer row is the credit check's lock: the guard's UPDATE waits for any other writer of the row and then
sees its newest version, so two orders of one customer cannot both pass against the same balance. Status and
payment changes that take an order out of the balance (`balance_delta`) move it in their own statement.

Lookups of one order say `id = $2 AND (tenant_id = $1) IS TRUE`: with a plain `tenant_id = $1`, a prepared one
planned while the table was young used `ix_orders_tenant_status_created` (tenant_id leads it) and filtered on
the id, reading every order of the tenant until the next ANALYZE; `IS TRUE` is no index condition, so only the
primary key is left.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import orjson

from orders.domain.placing import PricedOrder
from orders.domain.status import PAYMENT_STATUSES, STATUSES
from salessync.events import Event, encode_event

NUMBER_PLACEHOLDER = "@@ORDER_NUMBER@@"
STATS_SHARDS = 8

_PLACE = """
WITH g AS (
    UPDATE customers SET open_balance = open_balance + $12
    WHERE tenant_id = $1 AND id = $4 AND version = $35 AND open_balance = $36
    RETURNING 1
), n AS (
    INSERT INTO order_counters AS c (tenant_id, day, last) SELECT $1, $2, 1 FROM g
    ON CONFLICT (tenant_id, day) DO UPDATE SET last = c.last + 1
    RETURNING 'ORD-' || to_char($2::date, 'YYYYMMDD') || '-'
              || CASE WHEN c.last < 10000 THEN lpad(c.last::text, 4, '0') ELSE c.last::text END AS number
), o AS (
    INSERT INTO orders (id, tenant_id, number, customer_id, customer_name, salesman_id, van_load_id, status,
                        payment_method, gross_total, discount_total, tax_total, total, line_count,
                        credit_override, notes, delivery_date)
    SELECT $3, $1, n.number, $4, $5, $6, $7, 'pending', $8, $9, $10, $11, $12, $13, $14, $15, $16 FROM n
    RETURNING number, created_at
), l AS (
    INSERT INTO order_lines (order_id, line_no, tenant_id, product_id, product_code, product_name, unit, quantity,
                             unit_price, discount_rate, tax_rate, gross, discount_amount, tax_amount, line_total)
    SELECT $3, u.line_no, $1, u.product_id, u.code, u.name, u.unit, u.quantity, u.unit_price, u.discount_rate,
           u.tax_rate, u.gross, u.discount_amount, u.tax_amount, u.line_total
    FROM g, unnest($17::int[], $18::uuid[], $19::text[], $20::text[], $21::text[], $22::int[], $23::numeric[],
                   $24::numeric[], $25::numeric[], $26::numeric[], $27::numeric[], $28::numeric[], $29::numeric[])
         AS u(line_no, product_id, code, name, unit, quantity, unit_price, discount_rate, tax_rate, gross,
              discount_amount, tax_amount, line_total)
), h AS (
    INSERT INTO order_status_history (order_id, tenant_id, from_status, to_status, reason, actor_id)
    SELECT $3, $1, NULL, 'pending', $30, $6 FROM g
), e AS (
    INSERT INTO outbox (event_id, subject, aggregate_id, body)
    SELECT $31, $32, $3, convert_to(replace($33, '"' || $34 || '"', '"' || n.number || '"'), 'UTF8') FROM n
), s AS (
    INSERT INTO order_stats AS s (tenant_id, status, payment_status, shard, n, amount)
    SELECT $1, 'pending', 'unpaid', $37::smallint, 1, $12 FROM g
    ON CONFLICT (tenant_id, status, payment_status, shard) DO UPDATE SET n = s.n + 1, amount = s.amount + $12
)
SELECT number, created_at FROM o
"""


@dataclass(frozen=True, slots=True)
class NewOrder:
    id: str
    tenant_id: str
    day: date
    salesman_id: str
    van_load_id: str | None
    payment_method: str
    notes: str | None
    delivery_date: date | None
    history_reason: str | None


def _order_args(new: NewOrder, priced: PricedOrder) -> list[Any]:
    """$1..$30 of both placing statements."""
    lines = priced.lines
    t = priced.totals
    return [
        new.tenant_id,
        new.day,
        new.id,
        priced.customer.id,
        priced.customer.name,
        new.salesman_id,
        new.van_load_id,
        new.payment_method,
        t.gross_total,
        t.discount_total,
        t.tax_total,
        t.total,
        len(lines),
        priced.credit_override_used,
        new.notes,
        new.delivery_date,
        [x.line_no for x in lines],
        [x.product.id for x in lines],
        [x.product.code for x in lines],
        [x.product.name for x in lines],
        [x.product.unit for x in lines],
        [x.quantity for x in lines],
        [x.unit_price for x in lines],
        [x.discount_rate for x in lines],
        [x.product.tax_rate for x in lines],
        [x.amounts.gross for x in lines],
        [x.amounts.discount_amount for x in lines],
        [x.amounts.tax_amount for x in lines],
        [x.amounts.line_total for x in lines],
        new.history_reason,
    ]


async def insert_order(
    raw: Any, new: NewOrder, priced: PricedOrder, placed: Event, *, seen_version: int, seen_balance: Decimal
) -> tuple[str, datetime] | None:
    """Write the order, its lines, its first history row and the `order.placed` outbox row, and add its total
    to the customer's open balance; answer number and time. None, with nothing written, when the customer row
    no longer holds `seen_version` and `seen_balance` (it changed since the order was priced)."""
    row = await raw.fetchrow(
        _PLACE,
        *_order_args(new, priced),
        placed.event_id,
        placed.subject,
        encoded(placed),
        NUMBER_PLACEHOLDER,
        seen_version,
        seen_balance,
        stats_shard(new.id),
    )
    return None if row is None else (row["number"], row["created_at"])


def stats_shard(order_id: str) -> int:
    """The `order_stats` shard an order counts in: fixed by its id, so every change of it moves the same rows."""
    return uuid.UUID(order_id).int % STATS_SHARDS


def encoded(event: Event) -> str:
    return encode_event(event).decode()


_LOAD_FOR_UPDATE = """
SELECT id::text, number, customer_id::text, salesman_id::text, van_load_id::text, status, payment_status,
       payment_method, total, amount_paid
FROM orders WHERE id = $2 AND (tenant_id = $1) IS TRUE
FOR NO KEY UPDATE
"""


async def load_for_update(raw: Any, tenant_id: str, order_id: str) -> dict[str, Any] | None:
    row = await raw.fetchrow(_LOAD_FOR_UPDATE, tenant_id, order_id)
    return dict(row) if row is not None else None


_LOAD_MANY_FOR_UPDATE = """
SELECT o.tenant_id::text, o.id::text, o.number, o.customer_id::text, o.salesman_id::text, o.van_load_id::text,
       o.status, o.payment_status, o.payment_method, o.total, o.amount_paid
FROM unnest($1::uuid[], $2::uuid[]) AS k(tenant_id, id) JOIN orders o ON o.id = k.id AND o.tenant_id = k.tenant_id
ORDER BY o.id
FOR NO KEY UPDATE OF o
"""


async def load_many_for_update(raw: Any, keys: list[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
    """The orders of `(tenant id, order id)` pairs, locked in id order (as any other batch locks them), by pair;
    an absent pair (unknown order, or another tenant's) is not in the answer."""
    if not keys:
        return {}
    rows = await raw.fetch(_LOAD_MANY_FOR_UPDATE, [t for t, _ in keys], [o for _, o in keys])
    return {(row["tenant_id"], row["id"]): dict(row) for row in rows}


def _move_stats(*, shard: str, total: str, before: tuple[str, str], after: tuple[str, str], when: str) -> str:
    """SQL moving an order's count and total in `order_stats` from one (status, payment status) to another, in
    its shard, once for each row of the CTE `when` (the order's own UPDATE: no row, no move); the arguments name
    the statement's parameters. The row left is taken first, then the row entered: every change moves forward in
    the status and payment tables, so writers of one shard take rows in one order."""
    (from_status, from_payment), (to_status, to_payment) = before, after
    return f"""INSERT INTO order_stats AS s (tenant_id, status, payment_status, shard, n, amount)
        SELECT $1, v.status, v.payment_status, {shard}::smallint, v.n, v.n * {total}::numeric
        FROM {when} CROSS JOIN
             (VALUES ({from_status}::text, {from_payment}::text, -1), ({to_status}::text, {to_payment}::text, 1))
             AS v(status, payment_status, n)
        WHERE ({from_status}::text, {from_payment}::text) IS DISTINCT FROM ({to_status}::text, {to_payment}::text)
        ON CONFLICT (tenant_id, status, payment_status, shard)
        DO UPDATE SET n = s.n + EXCLUDED.n, amount = s.amount + EXCLUDED.amount"""


# A compare-and-set: the order moves only from the status the move was planned from, and every other part reads
# from `u`, so a move that finds the order elsewhere writes nothing at all; the statement answers whether it
# moved (`set_statuses` fails the transaction when one did not).
_SET_STATUS = f"""
WITH u AS (
    UPDATE orders SET status = $3, updated_at = now(), version = version + 1,
                      rejection_reason = coalesce($7::jsonb, rejection_reason)
    WHERE id = $2 AND (tenant_id = $1) IS TRUE AND status = $4
    RETURNING 1
), b AS (
    UPDATE customers SET open_balance = open_balance + $11
    WHERE $11 <> 0 AND tenant_id = $1 AND id = $12 AND EXISTS (SELECT FROM u)
), s AS (
    {_move_stats(shard="$14", total="$15", before=("$4", "$13"), after=("$3", "$13"), when="u")}
), h AS (
    INSERT INTO order_status_history (order_id, tenant_id, from_status, to_status, reason, actor_id)
    SELECT $2, $1, $4, $3, $5, $6 FROM u
)
INSERT INTO outbox (event_id, subject, aggregate_id, body) SELECT $8, $9, $2, $10 FROM u
RETURNING event_id::text
"""


# Every customer row a batch of moves changes, locked before any move runs, in one order. A placement locks its
# customer first and its stats row last; a batch whose first move took a stats row and whose later move then
# waited for a customer row that a placement held deadlocked with that placement, and the placement's client
# got the error. Locked first, the batch waits for the customer holding nothing the placement needs.
_LOCK_CUSTOMERS = """
SELECT 1 FROM customers c
JOIN unnest($1::uuid[], $2::uuid[]) AS k(tenant_id, id) ON c.tenant_id = k.tenant_id AND c.id = k.id
ORDER BY c.tenant_id, c.id
FOR NO KEY UPDATE OF c
"""


# The order in which a batch's moves run, so that every batch takes `order_stats` rows in one order: by tenant and
# shard, then forward in the status table, as one move takes its two rows (leaving one status for a later one), and
# in the payment table, as a payment takes its two.
# Run in arrival order, a batch whose first order was in a higher shard than its second held the higher shard's
# rows while waiting for the lower's, and a batch of another replica in the other order deadlocked with it.
# Sorting, not locking every row first: a placement waits for its shard's pending row while it holds the day's
# counter, so rows locked at the start of a batch would hold placements up for the whole batch (that version
# placed 7-12% fewer orders/s in three A/B pairs). Two moves of one order keep their order (the first leaves the
# status the second starts from), and events of one order stay in order in the outbox.
_STATUS_RANK = {name: rank for rank, name in enumerate(STATUSES)}
_PAYMENT_RANK = {name: rank for rank, name in enumerate(PAYMENT_STATUSES)}


def _in_lock_order(moves: list[StatusMove]) -> list[StatusMove]:
    def key(m: StatusMove) -> tuple[str, int, int, int, int]:
        status, payment = _STATUS_RANK[m.from_status], _PAYMENT_RANK[m.payment_status]
        return m.tenant_id, stats_shard(m.order_id), status, payment, _STATUS_RANK[m.to_status]

    return sorted(moves, key=key)


class StatusMoveLost(RuntimeError):
    """A planned status move found its order no longer in the status it was planned from: the caller's
    transaction must not commit (its other writes assumed the move)."""


@dataclass(frozen=True, slots=True)
class StatusMove:
    """One status change of one order, as `set_statuses` writes it."""

    tenant_id: str
    order_id: str
    event: Event
    from_status: str
    to_status: str
    reason: str | None
    actor_id: str | None
    balance_delta: Decimal
    customer_id: str
    payment_status: str
    total: Decimal
    rejection_reason: dict[str, Any] | None = None

    def args(self) -> tuple[Any, ...]:
        return (
            self.tenant_id,
            self.order_id,
            self.to_status,
            self.from_status,
            self.reason,
            self.actor_id,
            None if self.rejection_reason is None else orjson.dumps(self.rejection_reason).decode(),
            self.event.event_id,
            self.event.subject,
            encode_event(self.event),
            self.balance_delta,
            self.customer_id,
            self.payment_status,
            stats_shard(self.order_id),
            self.total,
        )


async def set_statuses(raw: Any, moves: list[StatusMove]) -> None:
    """Every move in one round trip (asyncpg pipelines `fetchmany`): the order moved, its history
    row and its `order.status_changed` outbox row written, the customer's open balance moved by the move's
    `balance_delta`, one statement each. Two moves of one order (a van sale: confirmed, then delivered) run one
    after the other like separate statements. The customers whose balance moves are locked first
    (`_LOCK_CUSTOMERS`); the moves then run in `_in_lock_order`. Raises `StatusMoveLost`, naming the orders, when
    a move found its order in another status than it was planned from (it wrote nothing; the caller's transaction
    must roll back)."""
    if not moves:
        return
    owing = sorted({(m.tenant_id, m.customer_id) for m in moves if m.balance_delta})
    if owing:
        await raw.execute(_LOCK_CUSTOMERS, [t for t, _ in owing], [c for _, c in owing])
    moves = _in_lock_order(moves)
    applied = {row[0] for row in await raw.fetchmany(_SET_STATUS, [move.args() for move in moves])}
    lost = [m for m in moves if str(uuid.UUID(m.event.event_id)) not in applied]
    if lost:
        named = ", ".join(f"{m.order_id} {m.from_status}->{m.to_status}" for m in lost)
        raise StatusMoveLost(f"{len(lost)} of {len(moves)} status moves found their order moved on: {named}")


_MOVE_PAYMENT_STATS = _move_stats(shard="$11", total="$12", before=("$10", "$4"), after=("$10", "$3"), when="u")


async def set_payment(
    raw: Any,
    tenant_id: str,
    order_id: str,
    *,
    amount_paid: Decimal,
    from_status: str,
    to_status: str,
    reason: str | None,
    actor_id: str,
    balance_delta: Decimal,
    customer_id: str,
    status: str,
    total: Decimal,
) -> None:
    """Record the payment, its history row and move the customer's open balance by `balance_delta`; nothing,
    and `StatusMoveLost`, when the order's payment status is no longer `from_status`."""
    moved = await raw.fetchval(
        "WITH u AS (UPDATE orders SET payment_status = $3, amount_paid = $7, updated_at = now(), "
        "  version = version + 1 WHERE id = $2 AND (tenant_id = $1) IS TRUE AND payment_status = $4 RETURNING 1), "
        "b AS (UPDATE customers SET open_balance = open_balance + $8 "
        "  WHERE $8 <> 0 AND tenant_id = $1 AND id = $9 AND EXISTS (SELECT FROM u)), "
        f"s AS ({_MOVE_PAYMENT_STATS}) "
        "INSERT INTO order_status_history (order_id, tenant_id, field, from_status, to_status, reason, actor_id) "
        "SELECT $2, $1, 'payment', $4, $3, $5, $6 FROM u RETURNING 1",
        tenant_id,
        order_id,
        to_status,
        from_status,
        reason,
        actor_id,
        amount_paid,
        balance_delta,
        customer_id,
        status,
        stats_shard(order_id),
        total,
    )
    if moved is None:
        raise StatusMoveLost(f"payment of order {order_id} found it no longer {from_status}")
