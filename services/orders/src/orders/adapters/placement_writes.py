"""Writing several placed orders of one tenant and day in one statement (group commit; order_writes writes one).

The statement does for each order what `order_writes._PLACE` does for one: it moves the customer's open balance,
takes a number, writes the order, its lines, its first history row and its `order.placed` outbox row, and counts
it in `order_stats`. Each order is guarded on its own by the version and balance its customer was priced
against: an order whose customer changed since is left out, and so is its number (`numbers` below are taken for
the orders written only), so numbers stay gap-free. The caller writes the left-out ones again under a lock.

One statement and one commit for the group: one WAL flush, and the day's counter row is taken once. A lone
statement holds that row through its commit's flush, so placements of one tenant passed it one flush at a time.

Rows are taken in the order every orders writer keeps (services/orders/README.md): the customers (`k`, by id),
then the day's counter, then the `order_stats` rows (by shard). The caller puts a customer's second order in a
later group: `UPDATE ... FROM` moves a row once, so of two orders of one customer in a group, one would be left
out (safely, like an order whose customer changed, but for nothing).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from orders.adapters.order_writes import NUMBER_PLACEHOLDER, NewOrder, encoded, stats_shard
from orders.domain.placing import PricedOrder
from salessync.events import Event

_PLACE_MANY = """
WITH x AS MATERIALIZED (
    SELECT * FROM unnest($3::uuid[], $4::uuid[], $5::text[], $6::uuid[], $7::uuid[], $8::text[], $9::numeric[],
                         $10::numeric[], $11::numeric[], $12::numeric[], $13::int[], $14::bool[], $15::text[],
                         $16::date[], $17::text[], $18::uuid[], $19::text[], $20::text[], $21::int[],
                         $22::numeric[], $23::smallint[])
         WITH ORDINALITY AS x(id, customer_id, customer_name, salesman_id, van_load_id, payment_method,
                              gross_total, discount_total, tax_total, total, line_count, credit_override, notes,
                              delivery_date, reason, event_id, subject, body, seen_version, seen_balance, shard, i)
), k AS MATERIALIZED (
    SELECT c.id FROM customers c WHERE c.tenant_id = $1 AND c.id = ANY($4::uuid[]) ORDER BY c.id
    FOR NO KEY UPDATE
), g AS (
    UPDATE customers c SET open_balance = c.open_balance + x.total
    FROM x
    WHERE c.tenant_id = $1 AND c.id = x.customer_id AND c.version = x.seen_version
      AND c.open_balance = x.seen_balance AND c.id IN (SELECT id FROM k)
    RETURNING x.i
), w AS MATERIALIZED (
    SELECT x.*, row_number() OVER (ORDER BY x.i) AS rn, count(*) OVER () AS cnt FROM x JOIN g ON g.i = x.i
), n AS (
    INSERT INTO order_counters AS c (tenant_id, day, last) SELECT $1, $2, count(*) FROM g HAVING count(*) > 0
    ON CONFLICT (tenant_id, day) DO UPDATE SET last = c.last + EXCLUDED.last
    RETURNING c.last
), nw AS MATERIALIZED (
    SELECT w.*, 'ORD-' || to_char($2::date, 'YYYYMMDD') || '-'
                || CASE WHEN q.v < 10000 THEN lpad(q.v::text, 4, '0') ELSE q.v::text END AS number
    FROM w CROSS JOIN n CROSS JOIN LATERAL (SELECT n.last - w.cnt + w.rn AS v) AS q
), o AS (
    INSERT INTO orders (id, tenant_id, number, customer_id, customer_name, salesman_id, van_load_id, status,
                        payment_method, gross_total, discount_total, tax_total, total, line_count,
                        credit_override, notes, delivery_date)
    SELECT id, $1, number, customer_id, customer_name, salesman_id, van_load_id, 'pending', payment_method,
           gross_total, discount_total, tax_total, total, line_count, credit_override, notes, delivery_date
    FROM nw ORDER BY i
    RETURNING id::text, number, created_at
), l AS (
    INSERT INTO order_lines (order_id, line_no, tenant_id, product_id, product_code, product_name, unit, quantity,
                             unit_price, discount_rate, tax_rate, gross, discount_amount, tax_amount, line_total)
    SELECT w.id, u.line_no, $1, u.product_id, u.code, u.name, u.unit, u.quantity, u.unit_price, u.discount_rate,
           u.tax_rate, u.gross, u.discount_amount, u.tax_amount, u.line_total
    FROM unnest($24::int[], $25::int[], $26::uuid[], $27::text[], $28::text[], $29::text[], $30::int[],
                $31::numeric[], $32::numeric[], $33::numeric[], $34::numeric[], $35::numeric[], $36::numeric[],
                $37::numeric[])
         AS u(i, line_no, product_id, code, name, unit, quantity, unit_price, discount_rate, tax_rate, gross,
              discount_amount, tax_amount, line_total)
    JOIN w ON w.i = u.i
), h AS (
    INSERT INTO order_status_history (order_id, tenant_id, from_status, to_status, reason, actor_id)
    SELECT id, $1, NULL, 'pending', reason, salesman_id FROM w ORDER BY i
), e AS (
    INSERT INTO outbox (event_id, subject, aggregate_id, body)
    SELECT event_id, subject, id::text, convert_to(replace(body, '"' || $38 || '"', '"' || number || '"'), 'UTF8')
    FROM nw ORDER BY i
), s AS (
    INSERT INTO order_stats AS s (tenant_id, status, payment_status, shard, n, amount)
    SELECT $1, 'pending', 'unpaid', shard, count(*), sum(total) FROM w GROUP BY shard ORDER BY shard
    ON CONFLICT (tenant_id, status, payment_status, shard)
    DO UPDATE SET n = s.n + EXCLUDED.n, amount = s.amount + EXCLUDED.amount
)
SELECT id, number, created_at FROM o
"""


@dataclass(frozen=True, slots=True)
class ReadyOrder:
    """An order read and priced, ready for its guarded write: what is written, the `order.placed` that goes to
    the outbox, and the customer's version and open balance it was priced against."""

    new: NewOrder
    priced: PricedOrder
    event: Event
    seen_version: int
    seen_balance: Decimal


async def insert_orders(
    raw: Any, tenant_id: str, day: date, group: list[ReadyOrder]
) -> dict[str, tuple[str, datetime]]:
    """Write the orders of `group` (one tenant and day, no customer twice) in one statement; answer number and
    time by order id for those written. An order missing from the answer wrote nothing: its customer no longer
    holds the version and balance it was priced against."""
    orders = [(r.new, r.priced.totals, r) for r in group]
    lines = [(i, x) for i, r in enumerate(group, start=1) for x in r.priced.lines]
    rows = await raw.fetch(
        _PLACE_MANY,
        tenant_id,
        day,
        [new.id for new, _, _ in orders],
        [r.priced.customer.id for _, _, r in orders],
        [r.priced.customer.name for _, _, r in orders],
        [new.salesman_id for new, _, _ in orders],
        [new.van_load_id for new, _, _ in orders],
        [new.payment_method for new, _, _ in orders],
        [t.gross_total for _, t, _ in orders],
        [t.discount_total for _, t, _ in orders],
        [t.tax_total for _, t, _ in orders],
        [t.total for _, t, _ in orders],
        [len(r.priced.lines) for _, _, r in orders],
        [r.priced.credit_override_used for _, _, r in orders],
        [new.notes for new, _, _ in orders],
        [new.delivery_date for new, _, _ in orders],
        [new.history_reason for new, _, _ in orders],
        [r.event.event_id for _, _, r in orders],
        [r.event.subject for _, _, r in orders],
        [encoded(r.event) for _, _, r in orders],
        [r.seen_version for _, _, r in orders],
        [r.seen_balance for _, _, r in orders],
        [stats_shard(new.id) for new, _, _ in orders],
        [i for i, _ in lines],
        [x.line_no for _, x in lines],
        [x.product.id for _, x in lines],
        [x.product.code for _, x in lines],
        [x.product.name for _, x in lines],
        [x.product.unit for _, x in lines],
        [x.quantity for _, x in lines],
        [x.unit_price for _, x in lines],
        [x.discount_rate for _, x in lines],
        [x.product.tax_rate for _, x in lines],
        [x.amounts.gross for _, x in lines],
        [x.amounts.discount_amount for _, x in lines],
        [x.amounts.tax_amount for _, x in lines],
        [x.amounts.line_total for _, x in lines],
        NUMBER_PLACEHOLDER,
    )
    return {row["id"]: (row["number"], row["created_at"]) for row in rows}
