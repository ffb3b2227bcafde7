"""User rules: who may change what, self-protection of admins, status transitions, events per change."""

import uuid

import pytest

from identity.domain.errors import IllegalStatusChange, InvalidInput, NotAllowed, SelfLockout
from identity.domain.model import (
    User,
    UserChanges,
    apply_changes,
    check_delete,
    check_password,
    ensure_may_view,
    normalize_email,
    normalize_tenant_code,
)

TENANT = uuid.uuid4()


def a_user(role: str = "salesman", status: str = "active") -> User:
    return User(uuid.uuid4(), TENANT, f"{role}@x.example", role.title(), role, status)


def test_an_admin_cannot_demote_or_deactivate_himself() -> None:
    admin = a_user("admin")
    with pytest.raises(SelfLockout, match="demote"):
        apply_changes(admin, admin, UserChanges(role="manager"))
    with pytest.raises(SelfLockout, match="deactivate"):
        apply_changes(admin, admin, UserChanges(status="suspended"))
    assert apply_changes(admin, admin, UserChanges(role="admin", name="Ada")).changed == ("name",)


def test_an_admin_cannot_delete_himself_but_may_delete_others() -> None:
    admin = a_user("admin")
    with pytest.raises(SelfLockout, match="delete himself"):
        check_delete(admin, admin)
    gone = check_delete(admin, a_user())
    assert gone.status == "inactive" and gone.version == 2
    with pytest.raises(NotAllowed):
        check_delete(a_user("manager"), a_user())


def test_a_non_admin_changes_only_his_own_name() -> None:
    me = a_user("salesman")
    assert apply_changes(me, me, UserChanges(name="Sam")).user.name == "Sam"
    with pytest.raises(NotAllowed) as raised:
        apply_changes(me, me, UserChanges(role="admin"))
    assert raised.value.extra["field"] == "role"
    with pytest.raises(NotAllowed):
        apply_changes(a_user("manager"), me, UserChanges(name="x"))


def test_reads_of_other_users_need_a_manager_or_admin() -> None:
    me = a_user("promoter")
    ensure_may_view(me, me.id)
    ensure_may_view(a_user("manager"), me.id)
    with pytest.raises(NotAllowed):
        ensure_may_view(me, uuid.uuid4())


def test_a_role_change_publishes_updated_and_role_changed_and_revokes_sessions() -> None:
    target = a_user("manager")
    outcome = apply_changes(a_user("admin"), target, UserChanges(role="salesman"))
    assert [t for t, _ in outcome.events] == ["user.updated", "user.role_changed"]
    assert outcome.events[1][1]["old_role"] == "manager" and outcome.events[1][1]["role"] == "salesman"
    assert outcome.revoke_sessions and outcome.user.version == target.version + 1


def test_leaving_active_publishes_deactivated_and_coming_back_only_updated() -> None:
    admin = a_user("admin")
    off = apply_changes(admin, a_user(), UserChanges(status="inactive"))
    assert [t for t, _ in off.events] == ["user.updated", "user.deactivated"] and off.revoke_sessions
    back = apply_changes(admin, off.user, UserChanges(status="active"))
    assert [t for t, _ in back.events] == ["user.updated"] and not back.revoke_sessions


def test_no_change_means_no_event_and_no_new_version() -> None:
    target = a_user()
    outcome = apply_changes(a_user("admin"), target, UserChanges(name=target.name, status="active"))
    assert outcome.changed == () and outcome.events == () and outcome.user is target


def test_status_changes_follow_the_transition_table() -> None:
    with pytest.raises(IllegalStatusChange):
        apply_changes(a_user("admin"), a_user(), UserChanges(status="retired"))


@pytest.mark.parametrize("bad", ["plain", "a@b", "a b@c.example", "x" * 250 + "@c.example"])
def test_bad_emails_are_rejected_naming_the_field(bad: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        normalize_email(bad)
    assert raised.value.errors[0]["field"] == "email"


def test_the_password_policy_wants_ten_characters_and_not_only_spaces() -> None:
    assert check_password("0123456789", 10) == "0123456789"
    for bad in ("012345678", " " * 12, "x" * 2000):
        with pytest.raises(InvalidInput):
            check_password(bad, 10)


def test_tenant_codes_are_lowercase_slugs() -> None:
    assert normalize_tenant_code(" Acme-1 ") == "acme-1"
    for bad in ("a", "-acme", "ac me", "ácme"):
        with pytest.raises(InvalidInput):
            normalize_tenant_code(bad)
