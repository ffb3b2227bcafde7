from __future__ import annotations

import pytest

from gateway.routing import RouteTable
from gateway.settings import DEFAULT_ROUTES, RouteRule

TABLE = RouteTable(DEFAULT_ROUTES)


@pytest.mark.parametrize(
    ("path", "service"),
    [
        ("/api/auth/login", "identity"),
        ("/api/users/7/password", "identity"),
        ("/.well-known/jwks.json", "identity"),
        ("/api/customers", "catalog"),
        ("/api/customers/42", "catalog"),
        ("/api/customers/42/orders", "orders"),
        ("/api/customers/42/visits", "field"),
        ("/api/customers/42/notes", "catalog"),
        ("/api/orders/9/status", "orders"),
        ("/api/van-loads/3/reconcile", "field"),
        ("/api/dashboard/activities", "notifier"),
        ("/api/notifications/5/read", "notifier"),
        ("/ws", "notifier"),
        ("/api/orders/", "orders"),
    ],
)
def test_each_path_goes_to_its_owner(path: str, service: str) -> None:
    route = TABLE.match(path)

    assert route is not None and route.service == service


@pytest.mark.parametrize(
    "path",
    ["/api/ordersx", "/api", "/", "/api/dashboard/stats", "/api/orders/../users", "/api/orders/./1", "/health"],
)
def test_paths_outside_the_table_or_with_dot_segments_match_nothing(path: str) -> None:
    assert TABLE.match(path) is None


def test_a_literal_beats_a_placeholder_of_the_same_length() -> None:
    table = RouteTable([RouteRule(prefix="/api/x/{id}", service="a"), RouteRule(prefix="/api/x/special", service="b")])

    assert table.match("/api/x/special").service == "b"  # type: ignore[union-attr]
    assert table.match("/api/x/other").service == "a"  # type: ignore[union-attr]
