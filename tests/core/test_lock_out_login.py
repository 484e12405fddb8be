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


def test_it_locks_an_account_out_after_five_wrong_passwords(member: User, client: Client) -> None:
    fail(client, "member", 5)
    response = client.post("/login/", {"username": "member", "password": PASSWORD})
    assert response.status_code == 429
    assert "core/locked_out.html" in [t.name for t in response.templates]
    assert "_auth_user_id" not in client.session


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


def test_a_coordinator_unlocks_a_locked_account(
    member: User, coordinator: User, logged_in: Callable[[User], Client]
) -> None:
    stranger = Client()
    fail(stranger, "member", 5)
    assert stranger.post("/login/", {"username": "member", "password": PASSWORD}).status_code == 429

    admin = logged_in(coordinator)
    page = admin.get(f"/accounts/{member.id}/")
    assert page.context["failures"] >= 5
    response = admin.post(f"/accounts/{member.id}/", {"action": "unlock"})
    assert response.status_code == 302

    log_in(Client(), member)
    assert AuditEvent.objects.filter(
        action=audit.USER_UNLOCKED, target_id=str(member.id), actor=coordinator
    ).exists()
