"""Coordinators create accounts, give roles, reset lost phones and deactivate, all audited."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD
from vecinos.core import audit
from vecinos.core.choices import Role
from vecinos.core.models import AuditEvent, User


def test_a_coordinator_creates_an_account_with_roles(
    coordinator: User, logged_in: Callable[[User], Client]
) -> None:
    client = logged_in(coordinator)
    response = client.post(
        "/accounts/new/",
        {
            "username": "nueva",
            "display_name": "Delfina Solís",
            "preferred_language": "es",
            "roles": [Role.DISPATCHER, Role.RESPONDER],
            "password": "correct-horse-battery-staple",
        },
    )
    account = User.objects.get(username="nueva")
    assert response["Location"] == f"/accounts/{account.id}/"
    assert account.roles == {Role.DISPATCHER, Role.RESPONDER}
    assert account.check_password("correct-horse-battery-staple")
    event = AuditEvent.objects.get(action=audit.USER_CREATED)
    assert event.detail == {"roles": ["dispatcher", "responder"]}


def test_a_weak_password_or_taken_username_is_refused(
    coordinator: User, member: User, logged_in: Callable[[User], Client]
) -> None:
    client = logged_in(coordinator)
    for password in ("12345", "password123", "4815162342", "newperson1"):
        weak = client.post(
            "/accounts/new/",
            {
                "username": "newperson",
                "display_name": "X",
                "preferred_language": "en",
                "roles": [Role.MEMBER],
                "password": password,
            },
        )
        assert weak.status_code == 200
        assert weak.context["form"].errors["password"], password
    taken = client.post(
        "/accounts/new/",
        {
            "username": "MEMBER",
            "display_name": "X",
            "preferred_language": "en",
            "password": "correct-horse-battery-staple",
        },
    )
    assert taken.context["form"].errors["username"]
    assert User.objects.count() == 2
    assert not AuditEvent.objects.filter(action=audit.USER_CREATED).exists()


def test_roles_change_and_the_change_is_recorded(
    coordinator: User, member: User, logged_in: Callable[[User], Client]
) -> None:
    client = logged_in(coordinator)
    client.post(f"/accounts/{member.id}/", {"action": "roles", "roles": [Role.RESPONDER]})
    member = User.objects.get(id=member.id)
    assert member.roles == {Role.RESPONDER}
    event = AuditEvent.objects.get(action=audit.USER_ROLES_CHANGED)
    assert event.detail == {"added": ["responder"], "removed": ["member"]}


def test_a_lost_phone_is_reset_and_set_up_again_at_next_login(
    coordinator: User, dispatcher: User, logged_in: Callable[[User], Client]
) -> None:
    logged_in(coordinator).post(f"/accounts/{dispatcher.id}/", {"action": "reset_two_factor"})
    assert not TOTPDevice.objects.filter(user=dispatcher).exists()
    event = AuditEvent.objects.get(action=audit.USER_TWO_FACTOR_RESET)
    assert (event.actor, event.target_id) == (coordinator, str(dispatcher.id))
    other = Client()
    other.post("/login/", {"username": "dispatcher", "password": PASSWORD})
    assert other.get("/")["Location"].startswith("/account/two-factor/")


def test_deactivating_keeps_the_account_and_its_history(
    coordinator: User, member: User, logged_in: Callable[[User], Client]
) -> None:
    client = logged_in(coordinator)
    member_client = logged_in(member)
    client.post(f"/accounts/{member.id}/", {"action": "deactivate"})
    member.refresh_from_db()
    assert not member.is_active
    # An open session ends with the deactivation, and the password no longer works.
    assert member_client.get("/")["Location"].startswith("/login/")
    response = Client().post("/login/", {"username": "member", "password": PASSWORD})
    assert response.status_code == 200
    client.post(f"/accounts/{member.id}/", {"action": "reactivate"})
    member.refresh_from_db()
    assert member.is_active
    changes = AuditEvent.objects.filter(
        action__in=[audit.USER_DEACTIVATED, audit.USER_REACTIVATED]
    ).order_by("id")
    assert [(e.action, e.actor, e.target_id) for e in changes] == [
        (audit.USER_DEACTIVATED, coordinator, str(member.id)),
        (audit.USER_REACTIVATED, coordinator, str(member.id)),
    ]


def test_a_coordinator_cannot_lock_themselves_out(
    coordinator: User, logged_in: Callable[[User], Client]
) -> None:
    client = logged_in(coordinator)
    before = AuditEvent.objects.count()
    for action in ({"action": "deactivate"}, {"action": "roles", "roles": [Role.MEMBER]}):
        response = client.post(f"/accounts/{coordinator.id}/", action, follow=True)
        assert "You cannot do that to your own account." in response.content.decode()
    coordinator = User.objects.get(id=coordinator.id)
    assert coordinator.is_active
    assert coordinator.roles == {Role.COORDINATOR}
    assert AuditEvent.objects.count() == before
    # Adding a role to oneself is fine; only dropping the coordinator role is refused.
    client.post(
        f"/accounts/{coordinator.id}/",
        {"action": "roles", "roles": [Role.COORDINATOR, Role.DISPATCHER]},
    )
    assert User.objects.get(id=coordinator.id).roles == {Role.COORDINATOR, Role.DISPATCHER}


def test_an_unknown_action_changes_nothing(
    coordinator: User, member: User, logged_in: Callable[[User], Client]
) -> None:
    client = logged_in(coordinator)
    before = AuditEvent.objects.count()
    response = client.post(f"/accounts/{member.id}/", {"action": "explode"})
    assert response.status_code == 302
    assert AuditEvent.objects.count() == before
    member.refresh_from_db()
    assert member.is_active and member.roles == {Role.MEMBER}


def test_the_account_list_shows_two_factor_only_once_confirmed(
    coordinator: User, member: User, logged_in: Callable[[User], Client]
) -> None:
    TOTPDevice.objects.create(user=member, name="half set up", confirmed=False)
    page = logged_in(coordinator).get("/accounts/")
    rows = {a.username: bool(a.confirmed_devices) for a in page.context["page"]}
    assert rows == {"coordinator": True, "member": False}
