"""Who sees what, and which client events a stream event becomes."""

from notifier.domain.routing import client_names, may_see

ME, OTHER = "u-me", "u-other"


def test_an_order_placed_becomes_order_created_and_an_activity() -> None:
    assert client_names("order.placed") == ["order:created", "activity:new"]
    assert client_names("order.status_changed") == ["order:updated", "activity:new"]
    assert client_names("stock.low") == ["inventory:alert", "activity:new"]
    assert client_names("visit.checked_in") == ["visit:checkin", "activity:new"]


def test_traffic_events_are_forwarded_but_are_not_activities() -> None:
    assert client_names("location.recorded") == ["location:updated"]
    assert client_names("chat.message_sent") == ["chat:message"]
    assert client_names("notification.created") == ["notification"]
    assert client_names("product.created") == ["activity:new"]


def test_managers_see_the_tenant_but_not_other_peoples_notifications() -> None:
    for role in ("admin", "manager"):
        assert may_see(role, ME, "order.placed", {"salesman_id": OTHER})
        assert may_see(role, ME, "sales.updated", {"salesman_id": OTHER})
        assert not may_see(role, ME, "notification.created", {"user_id": OTHER})
        assert may_see(role, ME, "notification.created", {"user_id": ME})


def test_a_salesman_sees_his_own_orders_visits_and_van_only() -> None:
    assert may_see("salesman", ME, "order.placed", {"salesman_id": ME})
    assert not may_see("salesman", ME, "order.placed", {"salesman_id": OTHER})
    assert may_see("salesman", ME, "visit.checked_in", {"agent_id": ME})
    assert may_see("salesman", ME, "van_load.departed", {"salesman_id": ME})
    assert not may_see("salesman", ME, "stock.low", {"product_id": "p"})
    assert not may_see("salesman", ME, "sales.updated", {"salesman_id": ME})


def test_warehouse_staff_see_stock_inventory_alerts_and_van_loads() -> None:
    assert may_see("warehouse_staff", ME, "stock.low", {})
    assert may_see("warehouse_staff", ME, "inventory.alert_raised", {})
    assert may_see("warehouse_staff", ME, "van_load.reconciled", {"salesman_id": OTHER})
    assert not may_see("warehouse_staff", ME, "order.placed", {"salesman_id": OTHER})


def test_a_private_chat_message_is_seen_by_its_two_parties_only() -> None:
    message = {"channel": "user", "sender_id": ME, "recipient_id": OTHER}
    assert may_see("salesman", ME, "chat.message_sent", message)
    assert may_see("salesman", OTHER, "chat.message_sent", message)
    assert not may_see("admin", "u-third", "chat.message_sent", message)
    assert may_see("promoter", "u-third", "chat.message_sent", {"channel": "tenant", "sender_id": ME})
