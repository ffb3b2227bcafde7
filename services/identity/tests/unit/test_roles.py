"""The role table follows API.md's "Who may do what"."""

from identity.domain.roles import all_roles, may_manage_users, may_read_users, permissions_for
from salessync.auth import ROLES


def test_every_role_has_a_label_and_permissions_in_the_documented_order() -> None:
    roles = all_roles()
    assert [r.name for r in roles] == list(ROLES)
    assert all(r.label and r.permissions for r in roles)


def test_only_admins_manage_users_and_managers_read_them() -> None:
    assert [r for r in ROLES if may_manage_users(r)] == ["admin"]
    assert [r for r in ROLES if may_read_users(r)] == ["admin", "manager"]
    assert all("users:self" in permissions_for(r) for r in ROLES if r not in ("admin", "manager"))


def test_the_table_rows_for_orders_van_loads_and_inventory() -> None:
    assert "orders:cancel_pending:own" in permissions_for("salesman")
    assert "orders:dispatch" in permissions_for("warehouse_staff")
    assert not any(p.startswith("van_loads") for p in permissions_for("promoter"))
    assert not any(p.startswith("visits") for p in permissions_for("warehouse_staff"))
    assert "inventory:read" in permissions_for("manager") and "inventory:*" not in permissions_for("manager")
    assert permissions_for("nobody") == ()
