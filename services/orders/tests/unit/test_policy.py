"""Who may change an order (API.md, "Who may do what")."""

from __future__ import annotations

import pytest

from orders.domain.errors import NotAllowed
from orders.domain.policy import check_may_change, sees_only_own


@pytest.mark.parametrize(
    ("role", "own", "current", "target", "ok"),
    [
        ("admin", False, "confirmed", "dispatched", True),
        ("manager", False, "pending", "cancelled", True),
        ("salesman", True, "pending", "cancelled", True),
        ("salesman", True, "confirmed", "cancelled", False),
        ("salesman", False, "pending", "cancelled", False),
        ("salesman", True, "confirmed", "dispatched", False),
        ("warehouse_staff", False, "confirmed", "dispatched", True),
        ("warehouse_staff", False, "dispatched", "delivered", False),
        ("warehouse_staff", False, "pending", "cancelled", False),
        ("promoter", True, "pending", "cancelled", False),
    ],
)
def test_roles_change_only_what_the_api_table_allows(role: str, own: bool, current: str, target: str, ok: bool) -> None:
    if ok:
        check_may_change(role, own=own, current=current, target=target)
    else:
        with pytest.raises(NotAllowed):
            check_may_change(role, own=own, current=current, target=target)


@pytest.mark.parametrize(
    ("role", "own_only"),
    [("admin", False), ("manager", False), ("warehouse_staff", False), ("salesman", True), ("promoter", True),
     ("merchandiser", True), ("field_agent", True)],
)  # fmt: skip
def test_field_roles_read_only_their_own_orders(role: str, own_only: bool) -> None:
    assert sees_only_own(role) is own_only
