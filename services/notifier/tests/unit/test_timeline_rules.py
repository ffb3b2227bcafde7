"""Activities described from events, notification plans, and the token bucket."""

import uuid

from notifier.consumers.activity import records
from notifier.domain.activity import activity_for
from notifier.domain.notifications import plan_for
from notifier.domain.ratelimit import TokenBucket
from salessync.events import Event, new_event


def test_an_order_status_change_is_described_with_its_number_amount_and_new_status() -> None:
    payload = {
        "number": "ORD-1",
        "from_status": "pending",
        "to_status": "confirmed",
        "total": "9.90",
        "salesman_id": "s",
    }
    activity = activity_for("e1", "order.status_changed", payload, "2026-01-01T00:00:00+00:00")
    assert activity.reference == "ORD-1"
    assert activity.description == "Order ORD-1: pending → confirmed"
    assert (activity.amount, activity.status, activity.owner_id) == ("9.90", "confirmed", "s")
    assert set(activity.public()) == {
        "type", "id", "reference", "description", "actor", "customer", "amount", "status", "occurred_at"
    }  # fmt: skip


def test_a_visit_names_its_customer_and_agent() -> None:
    activity = activity_for("e2", "visit.checked_in", {"visit_id": "v", "customer_name": "Shop", "agent_id": "a"}, "t")
    assert (activity.customer, activity.actor, activity.reference) == ("Shop", "a", "v")
    assert activity.description == "Visit Shop checked in"


def test_low_stock_is_for_warehouse_staff_and_managers() -> None:
    plan = plan_for("stock.low", {"product_name": "Cola", "location_name": "Main", "available": 1, "product_id": "p"})
    assert plan is not None and plan.kind == "low_stock"
    assert set(plan.roles) == {"warehouse_staff", "manager", "admin"}


def test_only_a_rejection_notifies_the_salesman() -> None:
    rejected = plan_for("order.status_changed", {"to_status": "rejected", "salesman_id": "s", "order_id": "o"})
    assert rejected is not None and rejected.user_ids == ("s",)
    assert plan_for("order.status_changed", {"to_status": "confirmed", "salesman_id": "s"}) is None


def test_a_reconciliation_without_variance_notifies_nobody() -> None:
    assert plan_for("van_load.reconciled", {"cash_variance": "0.00", "result": "balanced"}) is None
    assert plan_for("van_load.reconciled", {"cash_variance": "-1.00"}) is not None
    assert plan_for("van_load.reconciled", {"cash_variance": "garbage", "result": "discrepancy"}) is not None


def test_the_token_bucket_allows_a_burst_then_the_sustained_rate() -> None:
    now = [0.0]
    bucket = TokenBucket(rate=2.0, burst=3, clock=lambda: now[0])
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]
    now[0] += 0.5
    assert bucket.take() and not bucket.take()


def test_traffic_events_leave_no_trace_for_the_activity_consumer_and_business_and_user_events_do() -> None:
    def event(event_type: str) -> Event:
        return new_event(event_type, tenant_id=uuid.uuid4(), aggregate_id=uuid.uuid4(), payload={}, producer="t")

    kept = ["order.placed", "stock.low", "user.created", "van_load.reconciled"]
    skipped = ["location.recorded", "chat.message_sent", "sales.updated", "notification.created"]
    assert [t for t in kept + skipped if records(event(t))] == kept
