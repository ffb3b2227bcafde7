"""Orders's durable consumers: catalog's snapshots feed its copies; field's stock answers move orders."""

from __future__ import annotations

from orders.consumers import customer_changed, price_list_changed, product_changed, stock_answered
from salessync.consumer import Subscription


def subscriptions() -> list[Subscription]:
    subs = [Subscription(t, product_changed.handle) for t in product_changed.EVENT_TYPES]
    subs += [Subscription(t, customer_changed.handle) for t in customer_changed.EVENT_TYPES]
    subs += [Subscription(t, price_list_changed.handle) for t in price_list_changed.EVENT_TYPES]
    subs.append(Subscription("price_list.deleted", price_list_changed.handle_deleted))
    subs.append(
        Subscription(
            "stock.reserved", stock_answered.handle_reserved, batch_handler=stock_answered.handle_reserved_batch
        )
    )
    subs.append(
        Subscription(
            "stock.rejected", stock_answered.handle_rejected, batch_handler=stock_answered.handle_rejected_batch
        )
    )
    return subs
