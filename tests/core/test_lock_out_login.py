"""Failed logins lock the (account, address) pair out; a coordinator can lift it."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from tests.conftest import PASSWORD, log_in
from vecinos.core import audit
from vecinos.core.models import AuditEvent, User


def fail(client: Client, username: str, times: int) -> None:
    for _ in range(times):
        response = client.post("/login/", {"username": username, "password": "wrong-password"})
        assert response.status_code in {200, 429}
        assert "_auth_user_id" not in client.session


def assert_locked_out(client: Client, username: str) -> None:
    response = client.post("/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 429
    assert "core/locked_out.html" in [t.name for t in response.templates]
    assert "_auth_user_id" not in client.session


def test_it_locks_an_account_out_after_five_wrong_passwords(member: User, client: Client) -> None:
    fail(client, "member", 5)
    assert_locked_out(client, "member")
    # The lock is on the account and address, not on this browser's cookies.
    assert_locked_out(Client(), "member")
    assert client.get("/")["Location"].startswith("/login/")


def test_four_wrong_passwords_still_let_the_right_one_in(member: User, client: Client) -> None:
    fail(client, "member", 4)
    response = client.post("/login/", {"username": "member", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member.id)


def test_a_lockout_does_not_touch_other_accounts(
    member: User, facilitator: User, client: Client
) -> None:
    fail(client, "member", 5)
    response = client.post("/login/", {"username": "facilitator", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(facilitator.id)


def test_a_coordinator_unlocks_a_locked_account(
    member: User, coordinator: User, logged_in: Callable[[User], Client]
) -> None:
    stranger = Client()
    fail(stranger, "member", 5)
    assert_locked_out(stranger, "member")

    admin = logged_in(coordinator)
    page = admin.get(f"/accounts/{member.id}/")
    assert page.context["failures"] >= 5
    response = admin.post(f"/accounts/{member.id}/", {"action": "unlock"})
    assert response.status_code == 302
    assert admin.get(f"/accounts/{member.id}/").context["failures"] == 0

    log_in(stranger, member)
    assert stranger.get("/").status_code == 200
    event = AuditEvent.objects.get(action=audit.USER_UNLOCKED)
    assert (event.actor, event.target_type, event.target_id) == (
        coordinator,
        "core.user",
        str(member.id),
    )


def test_only_a_coordinator_may_unlock(
    member: User, organizer: User, logged_in: Callable[[User], Client]
) -> None:
    fail(Client(), "member", 5)
    response = logged_in(organizer).post(f"/accounts/{member.id}/", {"action": "unlock"})
    assert response.status_code == 403
    assert_locked_out(Client(), "member")
    assert not AuditEvent.objects.filter(action=audit.USER_UNLOCKED).exists()


def test_a_lockout_is_written_to_the_audit_log_without_the_address(
    member: User, client: Client
) -> None:
    from vecinos.core.models import AuditEvent

    fail(client, "member", 5)
    client.post("/login/", {"username": "member", "password": PASSWORD})
    event = AuditEvent.objects.filter(action="core.user.login_locked").first()
    assert event is not None
    assert (event.actor, event.target_id) == (None, str(member.id))
    assert "127.0.0.1" not in str(event.detail)
